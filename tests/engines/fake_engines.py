"""Protocol-faithful fakes of the HTTP engines machine booths use, for tests over real sockets (loopback, stdlib only):

- `FakeOpenAIAudio`: OpenAI's audio API as Dragoman's Whisper worker (workers/whisper/worker.py) speaks it:
  `POST /v1/audio/transcriptions` and `/v1/audio/translations` (multipart/form-data: file, model, language, prompt,
  response_format json | text | verbose_json, temperature), `GET /v1/models`, `GET /health`. It answers a scripted
  sentence; verbose_json carries `language`, `duration`, `segments` and `language_probabilities` as the worker does.
- `FakeLibreTranslate`: `POST /translate` (JSON `{q, source, target, format, api_key}` → `{"translatedText"}`,
  errors `{"error": "..."}`), `GET /languages`.

Both have a fault mode the test switches at run time (`fake.mode = "..."`):

    healthy      answers
    hang         reads the request and answers nothing until the mode changes (so: after the client's timeout)
    error500     HTTP 500 in the engine's own error shape
    garbage      HTTP 200 whose body is not JSON (an HTML error page, as a proxy in front of the engine would send)
    truncated    HTTP 200 whose JSON is cut short (a complete HTTP message: Content-Length fits the short body)
    cut          HTTP 200 that announces a whole body, sends half of it and closes the connection
    dead         the listening socket and every open connection are closed: new connections are refused

and `kill()` / `restart()`, which end and start the server on the same port.

Run one on its own (healthy, until killed), as a separate process a test can SIGKILL:

    python3 tests/engines/fake_engines.py openai --port 8971
    python3 tests/engines/fake_engines.py libretranslate --port 5000
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("healthy", "hang", "error500", "garbage", "truncated", "cut", "dead")

RUSSIAN = "Мы говорим, что Россия и Казахстан — союзники."
KAZAKH = "Біз Ресей мен Қазақстан одақтас деп айтамыз."
ENGLISH = "We say that Russia and Kazakhstan are allies."

# Whisper's names of the languages the fakes answer (verbose_json's `language` is a name, not a code).
WHISPER_NAMES = {"ru": "russian", "kk": "kazakh", "en": "english"}


def parse_multipart(body: bytes, content_type: str | None) -> dict[str, tuple[str | None, bytes]]:
    """A multipart/form-data body as {name: (filename or None, content)}; ValueError when it is not one."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise ValueError(f"Content-Type must be multipart/form-data, got {content_type!r}")
    boundary = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip().strip('"')
    if not boundary:
        raise ValueError("multipart/form-data without a boundary")
    fields: dict[str, tuple[str | None, bytes]] = {}
    chunks = body.split(b"--" + boundary.encode("latin-1"))
    if len(chunks) < 3:
        raise ValueError("malformed multipart body: no parts between the boundaries")
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("malformed multipart body: a part without headers")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() != "content-disposition":
                continue
            for param in value.split(";")[1:]:
                pkey, _, pvalue = param.strip().partition("=")
                if pkey.lower() == "name":
                    name = pvalue.strip().strip('"')
                elif pkey.lower() == "filename":
                    filename = pvalue.strip().strip('"')
        if name is None:
            raise ValueError("malformed multipart body: a part without a name")
        fields[name] = (filename, content)
    return fields


def wav_seconds(data: bytes) -> float:
    """The duration of a PCM WAV file (0 when it is not one)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return 0.0
    pos, rate, channels, width = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if cid == b"fmt ":
            channels = int.from_bytes(data[pos + 10:pos + 12], "little")
            rate = int.from_bytes(data[pos + 12:pos + 16], "little")
            width = int.from_bytes(data[pos + 22:pos + 24], "little") // 8
        elif cid == b"data" and rate and channels and width:
            return min(size, len(data) - pos - 8) / (rate * channels * width)
        pos += 8 + size + (size & 1)
    return 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeEngine:
    """What both fakes share: the server on its port and thread, the fault mode, the open connections (closed when it
    dies) and a log of the requests it got: (time.monotonic(), method, path, mode)."""

    kind = "engine"

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self._mode = "healthy"
        self._changed = threading.Condition()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.requests: list[tuple[float, str, str, str]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "FakeEngine":
        fake = self

        class Handler(_Handler):
            engine = fake

        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-{self.kind}", daemon=True)
        self._thread.start()
        return self

    def kill(self) -> None:
        """Ends the server as a crash would: the listening socket and every connection are closed at once."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            conns, self._connections = self._connections, set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._changed:
            self._changed.notify_all()

    def restart(self) -> None:
        """Starts again on the same port (after `kill`)."""
        self.kill()
        self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self._mode = "healthy"
        self.kill()

    # -- the fault mode

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        assert mode in MODES, f"unknown fault mode {mode!r}; one of {MODES}"
        was = self._mode
        with self._changed:
            self._mode = mode
            self._changed.notify_all()  # hung requests go on
        if mode == "dead" and was != "dead":
            self.kill()
        elif was == "dead" and mode != "dead":
            self.start()

    def wait_while_hung(self) -> None:
        with self._changed:
            while self._mode == "hang" and self._server is not None:
                self._changed.wait(0.5)

    def count(self, path: str | None = None, since: float = 0.0) -> int:
        return sum(1 for t, _, p, _ in list(self.requests) if t >= since and (path is None or p == path))

    # -- what subclasses answer when healthy: (status, content type, body) or raise ValueError for a 400

    def get(self, path: str):
        raise NotImplementedError

    def post(self, path: str, headers, body: bytes):
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> bytes:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real engines do (and as the client pools connections)
    engine: FakeEngine

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        with self.engine._lock:
            self.engine._connections.add(self.connection)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        with self.engine._lock:
            self.engine._connections.discard(self.connection)

    def send_body(self, status: int, content_type: str, body: bytes, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        self.engine.requests.append((time.monotonic(), "GET", self.path, self.engine.mode))
        status, ctype, body = self.engine.get(self.path.split("?", 1)[0].rstrip("/"))
        self.send_body(status, ctype, body)

    def do_POST(self):
        engine = self.engine
        mode = engine.mode
        path = self.path.split("?", 1)[0].rstrip("/")
        engine.requests.append((time.monotonic(), "POST", path, mode))
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.send_body(411, "application/json", engine.error_body(411, "Content-Length is required"))
            return
        body = self.rfile.read(length)
        if mode == "hang":
            engine.wait_while_hung()
            if engine._server is None:
                return  # killed while it hung: the connection is closed
            mode = engine.mode
        try:
            status, ctype, answer = engine.post(path, self.headers, body)
        except ValueError as e:
            self.send_body(400, "application/json", engine.error_body(400, str(e)))
            return
        if status != 200 or mode in ("healthy", "hang", "dead"):
            self.send_body(status, ctype, answer)
        elif mode == "error500":
            self.send_body(500, "application/json",
                           engine.error_body(500, "The server had an error while processing your request. Sorry "
                                                  "about that!"))
        elif mode == "garbage":
            self.send_body(200, "text/html; charset=utf-8",
                           b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n")
        elif mode == "truncated":
            self.send_body(200, ctype, answer[: len(answer) // 2])
        elif mode == "cut":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer[: len(answer) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


class FakeOpenAIAudio(FakeEngine):
    """OpenAI's audio API, answering `text` in `language` (a code: ru, kk, en) for every file with audio in it."""

    kind = "openai-audio"
    models = ("whisper-1", "base")

    def __init__(self, port: int = 0, text: str = RUSSIAN, language: str = "ru", translation: str = ENGLISH):
        super().__init__(port)
        self.text, self.language, self.translation = text, language, translation

    def error_body(self, status: int, message: str) -> bytes:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return json.dumps({"error": {"message": message, "type": kind, "param": None, "code": None}}).encode()

    def get(self, path: str):
        if path == "/health":
            return 200, "application/json", json.dumps(
                {"status": "ok", "models": list(self.models), "default": "base", "busy": 0, "queued": 0}).encode()
        if path == "/v1/models":
            return 200, "application/json", json.dumps(
                {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "dragoman"}
                                            for m in self.models]}).encode()
        return 404, "application/json", self.error_body(404, f"no route GET {path}")

    def post(self, path: str, headers, body: bytes):
        tasks = {"/v1/audio/transcriptions": "transcribe", "/v1/audio/translations": "translate"}
        if path not in tasks:
            return 404, "application/json", self.error_body(404, f"no route POST {path}")
        fields = parse_multipart(body, headers.get("Content-Type"))
        if "file" not in fields or not fields["file"][1]:
            raise ValueError("you must provide a file")
        text = {k: v[1].decode("utf-8", "replace").strip() for k, v in fields.items() if k != "file"}
        model = text.get("model") or "whisper-1"
        if model not in self.models:
            return 404, "application/json", self.error_body(404, f"The model '{model}' does not exist")
        response_format = text.get("response_format") or "json"
        if response_format not in ("json", "text", "verbose_json"):
            raise ValueError(f"response_format must be json, text or verbose_json; got {response_format!r}")
        duration = round(wav_seconds(fields["file"][1]), 3)
        if duration == 0:
            raise ValueError("could not decode the audio file: not a PCM WAV file with samples")
        task = tasks[path]
        language = "en" if task == "translate" else (text.get("language") or self.language)
        said = self.translation if task == "translate" else self.text
        if response_format == "text":
            return 200, "text/plain; charset=utf-8", (said + "\n").encode()
        if response_format == "json":
            return 200, "application/json", json.dumps({"text": said}, ensure_ascii=False).encode()
        result = {"task": task, "language": WHISPER_NAMES.get(language, language), "duration": duration,
                  "text": said,
                  "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": duration, "text": " " + said, "tokens": [],
                                "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 1.2,
                                "no_speech_prob": 0.01}]}
        if task == "translate":
            result["source_language"] = WHISPER_NAMES.get(self.language, self.language)
        elif not text.get("language"):
            others = {c: 0.02 for c in WHISPER_NAMES if c != self.language}
            result["language_probabilities"] = {self.language: 0.96, **others}
        return 200, "application/json", json.dumps(result, ensure_ascii=False).encode()


class FakeLibreTranslate(FakeEngine):
    """LibreTranslate, answering `translations[target]` (or the text itself, marked with the target) for any text."""

    kind = "libretranslate"
    languages = ("ru", "kk", "en")

    def __init__(self, port: int = 0, translations: dict[str, str] | None = None):
        super().__init__(port)
        self.translations = translations or {"kk": KAZAKH, "en": ENGLISH, "ru": RUSSIAN}

    def error_body(self, status: int, message: str) -> bytes:
        return json.dumps({"error": message}).encode()

    def get(self, path: str):
        if path == "/languages":
            return 200, "application/json", json.dumps(
                [{"code": c, "name": WHISPER_NAMES[c].title(), "targets": list(self.languages)}
                 for c in self.languages]).encode()
        return 404, "application/json", self.error_body(404, "Not Found")

    def post(self, path: str, headers, body: bytes):
        if path != "/translate":
            return 404, "application/json", self.error_body(404, "Not Found")
        try:
            request = json.loads(body or b"{}")
        except json.JSONDecodeError:
            raise ValueError("Invalid request: the body is not JSON") from None
        for field in ("q", "source", "target"):
            if not request.get(field):
                raise ValueError(f"Invalid request: missing {field} parameter")
        if request["target"] not in self.languages:
            raise ValueError(f"{request['target']} is not supported")
        out = self.translations.get(request["target"], f"[{request['target']}] {request['q']}")
        return 200, "application/json", json.dumps({"translatedText": out}, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description="A healthy fake engine on a port, until killed.")
    parser.add_argument("kind", choices=("openai", "libretranslate"))
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    fake = (FakeOpenAIAudio if args.kind == "openai" else FakeLibreTranslate)(args.port).start()
    print(f"listening on {fake.url}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
