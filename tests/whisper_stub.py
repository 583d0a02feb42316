"""A stand-in for an OpenAI-compatible speech recognizer (what `dragoman serve --whisper-url` talks to), for the
browser tests that need the floor's transcript from the real server: `POST /v1/audio/transcriptions` and
`/v1/audio/translations`, multipart/form-data with a WAV `file`, answered in `verbose_json` (text, language,
duration, segments with Whisper's no_speech_prob / compression_ratio / avg_logprob, and the local worker's
`language_probabilities`) with a fixed sentence whatever was said. The form is checked as the real API would check
it (a WAV file, a model, the response format), and every request's fields are kept. Loopback only."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_multipart(body: bytes, content_type: str) -> dict[str, bytes]:
    """The fields of a multipart/form-data body (RFC 7578): name → value (a file's bytes for a file)."""
    marker = "boundary="
    if "multipart/form-data" not in content_type or marker not in content_type:
        raise ValueError(f"not multipart/form-data: {content_type!r}")
    boundary = content_type.split(marker, 1)[1].split(";")[0].strip().strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        disposition = next((line for line in head.decode("utf-8", "replace").split("\r\n")
                            if line.lower().startswith("content-disposition:")), "")
        name = disposition.split('name="', 1)[1].split('"', 1)[0] if 'name="' in disposition else None
        if name is None:
            raise ValueError(f"a part without a name: {head[:200]!r}")
        fields[name] = value[:-2] if value.endswith(b"\r\n") else value
    return fields


class WhisperStub:
    """`text` and `language` (Whisper's language name, e.g. "russian") answer every transcription;
    `translation` every translation (into English). `requests` holds each request's path and form fields
    (the file as its size)."""

    def __init__(self, text: str, language: str = "russian", probabilities: dict | None = None,
                 translation: str = "Machine translation."):
        self.text = text
        self.language = language
        self.probabilities = probabilities or {"ru": 0.96, "kk": 0.03, "en": 0.01}
        self.translation = translation
        self.requests: list[dict] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, endpoint: str, fields: dict[str, bytes]) -> dict:
        wav = fields["file"]
        # 16-bit mono PCM after a 44-byte header: its duration, as Whisper reports it.
        duration = round(max(0, len(wav) - 44) / 2 / 16000, 2)
        text = self.text if endpoint == "transcriptions" else self.translation
        language = self.language if endpoint == "transcriptions" else "english"
        return {"task": "transcribe" if endpoint == "transcriptions" else "translate", "language": language,
                "duration": duration, "text": text,
                "segments": [{"id": 0, "start": 0.0, "end": duration, "text": text, "no_speech_prob": 0.02,
                              "compression_ratio": 1.2, "avg_logprob": -0.2}],
                "language_probabilities": self.probabilities}

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status: int, value: dict) -> None:
                body = json.dumps(value, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def fail(self, status: int, message: str) -> None:
                self.reply(status, {"error": {"message": message, "type": "invalid_request_error"}})

            def do_POST(self):
                endpoint = self.path.rsplit("/", 1)[-1]
                if self.path not in ("/v1/audio/transcriptions", "/v1/audio/translations"):
                    self.fail(404, f"no route {self.path}")
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    fields = parse_multipart(body, self.headers.get("Content-Type", ""))
                except ValueError as e:
                    self.fail(400, str(e))
                    return
                stub.requests.append({"path": self.path, **{k: (len(v) if k == "file" else v.decode("utf-8", "replace"))
                                                            for k, v in fields.items()}})
                wav = fields.get("file", b"")
                if not (wav.startswith(b"RIFF") and wav[8:12] == b"WAVE"):
                    self.fail(400, "file: a WAV file is needed")
                elif "model" not in fields:
                    self.fail(400, "model is required")
                elif fields.get("response_format", b"json") != b"verbose_json":
                    self.fail(400, "this stub answers verbose_json only")
                else:
                    self.reply(200, stub.answer(endpoint, fields))

        return Handler
