#!/usr/bin/env python3
"""Dragoman's local Whisper worker: OpenAI's audio API over faster-whisper, on CPU, offline.

    python3 workers/whisper/worker.py --port 8971 --model base            # multilingual base
    python3 workers/whisper/worker.py --port 8971 --model base --model tiny.en

Serves, as OpenAI's API documents them:
    POST /v1/audio/transcriptions   multipart/form-data: file, model, language, prompt, response_format
                                    (json | text | verbose_json | srt | vtt), temperature
    POST /v1/audio/translations     the same without language; speech in any language -> English text
    GET  /v1/models, /v1/models/{id}
    GET  /health                    {"status": "ok", "models": [...], "busy": n, "queued": n}

Models are folders in CTranslate2 format found on disk (never downloaded): --models-dir, then
$DRAGOMAN_WHISPER_MODELS, then <repo>/vendor/whisper/<name> (scripts/setup puts them there).

Bounded: the request body (--max-body-mb), inferences at a time (--slots), requests waiting for a slot
(--queue; beyond it 503 with Retry-After), the wait itself (--queue-timeout-s), and the work of one request: one
decode at the temperature asked (OpenAI's ladder of retries at higher temperatures only with
--temperature-fallback) of at most --max-tokens-per-second tokens per second of audio. Errors are OpenAI's shape:
{"error": {"message", "type", "param", "code"}}.

Whisper makes text up on silence. Input quieter than --silence-dbfs is answered with no text without
running the model; segments with no_speech_prob > --no-speech-threshold and avg_logprob <
--logprob-threshold, or compression_ratio > --compression-ratio-threshold, are dropped from `text` and
`segments` (verbose_json's `dropped_segments` lists them with their reason), unless --keep-hallucinations; a
loop at the end of a segment's text (the same one to four words three times or more) is cut back to one round,
and the segment says `"trimmed": true`.
verbose_json also carries `language_probabilities` (code -> probability, top 10) when the language was
detected: an extension that OpenAI clients ignore. A transcription request may name the languages that may
be spoken in `candidate_languages` (another extension: comma-separated ISO 639-1 codes); when the language is
detected, `language_probabilities` then holds each of them too, even outside the top 10, so that a caller
can identify among them. It changes nothing else.

--request-log FILE appends one JSON line per audio request: when it arrived and was answered (Unix seconds),
the task, the forced language if any, the audio's duration, the inference time, the status, the language
heard, the text and the probabilities of the candidate languages; what benchmarks split a pipeline's latency with.
"""

import argparse
import io
import json
import math
import os
import signal
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from languages import NAMES, code_of  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MODEL_FILES = ("config.json", "model.bin", "tokenizer.json")
ALIASES = {"whisper-1": None}  # OpenAI's model name: the worker's default model


class APIError(Exception):
    """An error answered in OpenAI's shape."""

    def __init__(self, status, message, type_="invalid_request_error", code=None, param=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type_
        self.code = code
        self.param = param
        self.headers = headers or {}

    def body(self):
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


# ---------------------------------------------------------------------------------------------------------
# Pure helpers (tested in tests/engines/test_whisper_worker.py)


def parse_multipart(body, content_type):
    """Parses a multipart/form-data body: {name: (filename or None, bytes)}."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        raise APIError(400, f"Content-Type must be multipart/form-data, got {content_type!r}")
    boundary = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip().strip('"')
    if not boundary:
        raise APIError(400, "multipart/form-data without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    fields = {}
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise APIError(400, "malformed multipart body: no parts between the boundaries")
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise APIError(400, "malformed multipart body: a part without headers")
        if content.endswith(b"\r\n"):
            content = content[:-2]
        name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() != "content-disposition":
                continue
            for param in value.split(";")[1:]:
                pkey, _, pvalue = param.strip().partition("=")
                pvalue = pvalue.strip().strip('"')
                if pkey.lower() == "name":
                    name = pvalue
                elif pkey.lower() == "filename":
                    filename = pvalue
        if name is None:
            raise APIError(400, "malformed multipart body: a part without a name")
        fields[name] = (filename, content)
    return fields


def dbfs(samples):
    """RMS level of float samples in dBFS (-inf for digital silence)."""
    if len(samples) == 0:
        return -math.inf
    rms = float((samples.astype("float64") ** 2).mean()) ** 0.5
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def hallucination(segment, no_speech_threshold, logprob_threshold, compression_threshold):
    """Why a segment looks made up (None when it looks like speech)."""
    if segment["no_speech_prob"] > no_speech_threshold and segment["avg_logprob"] < logprob_threshold:
        return "no-speech"
    if segment["compression_ratio"] > compression_threshold:
        return "repetition"
    return None


# Whisper's context is 448 tokens, of which a prompt (the hints) takes at most 223 and the task's own tokens a few.
MAX_NEW_TOKENS = 220


def token_budget(duration, per_second):
    """The most tokens one request may decode (None: Whisper's own limit). Speech, even Kazakh (which Whisper's
    tokenizer writes with the most tokens of the event's languages), comes to at most about 10 tokens a second;
    a decode caught in a repetition loop runs on to Whisper's limit. A budget of twice the densest speech stops
    such a loop early without cutting speech."""
    if per_second <= 0:
        return None
    budget = int(8 + per_second * duration)
    return budget if budget <= MAX_NEW_TOKENS else None


def without_repeated_tail(text, rounds=3, longest=4):
    """`text` with a loop at its end (the same one to `longest` words, `rounds` times or more) cut back to one
    round: "мен тас Қы Қы Қы Қы" -> "мен тас Қы". Whisper ends a segment it cannot make out in such loops; a
    caption is better without them (and a speaker's "very, very, very" loses little as "very")."""
    words = text.split()
    for size in range(1, longest + 1):
        unit = words[len(words) - size:]
        repeats = 1
        while len(words) >= (repeats + 1) * size and \
                words[len(words) - (repeats + 1) * size:len(words) - repeats * size] == unit:
            repeats += 1
        if repeats >= rounds:
            kept = words[:len(words) - (repeats - 1) * size]
            return (" " if text.startswith(" ") else "") + " ".join(kept)
    return text


def candidate_codes(field):
    """The Whisper codes named in a `candidate_languages` field ("kk,ru,en"); unknown names are left out."""
    return {c for c in (code_of(part.strip()) for part in field.split(",") if part.strip()) if c}


def timestamp(seconds, separator):
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def render(result, response_format):
    """(content type, body bytes) of a result in one of OpenAI's response formats."""
    if response_format == "json":
        return "application/json", json.dumps({"text": result["text"]}, ensure_ascii=False).encode()
    if response_format == "verbose_json":
        return "application/json", json.dumps(result, ensure_ascii=False).encode()
    if response_format == "text":
        return "text/plain; charset=utf-8", (result["text"] + "\n").encode()
    if response_format in ("srt", "vtt"):
        sep = "," if response_format == "srt" else "."
        lines = [] if response_format == "srt" else ["WEBVTT", ""]
        for i, seg in enumerate(result["segments"], 1):
            if response_format == "srt":
                lines.append(str(i))
            lines.append(f"{timestamp(seg['start'], sep)} --> {timestamp(seg['end'], sep)}")
            lines += [seg["text"].strip(), ""]
        return "text/plain; charset=utf-8", "\n".join(lines).encode()
    raise APIError(400, f"response_format must be json, text, verbose_json, srt or vtt; got {response_format!r}",
                   param="response_format")


def find_model(name, dirs):
    """The folder of model `name` among `dirs`, or APIError-free ValueError naming where it looked."""
    looked = []
    for d in dirs:
        if not d:
            continue
        folder = Path(d) / name
        looked.append(str(folder))
        if all((folder / f).is_file() for f in MODEL_FILES):
            return folder
    raise ValueError(f"model {name!r} not found: looked in {', '.join(looked) or '(nowhere)'}, each needing "
                     f"{', '.join(MODEL_FILES)}; run scripts/setup")


# ---------------------------------------------------------------------------------------------------------
# The engine


class Engine:
    """Loaded models, the inference slots and the waiting line."""

    def __init__(self, args):
        from faster_whisper import WhisperModel  # imported here so the helpers above need no faster-whisper

        self.args = args
        dirs = [args.models_dir, os.environ.get("DRAGOMAN_WHISPER_MODELS"), str(REPO / "vendor" / "whisper")]
        self.models = {}
        for name in args.model:
            folder = find_model(name, dirs)
            started = time.monotonic()
            self.models[name] = WhisperModel(str(folder), device="cpu", compute_type=args.compute_type,
                                             cpu_threads=args.threads, num_workers=args.slots,
                                             local_files_only=True)
            log(f"loaded {name} from {folder} in {time.monotonic() - started:.1f} s")
        self.default = args.model[0]
        self.slots = threading.BoundedSemaphore(args.slots)
        self.lock = threading.Lock()
        self.busy = 0
        self.waiting = 0
        self.request_log = open(args.request_log, "a", encoding="utf-8") if args.request_log else None

    def model_named(self, name):
        if not name or name in ALIASES:
            return self.default, self.models[self.default]
        if name not in self.models:
            raise APIError(404, f"The model '{name}' does not exist; this worker serves "
                                f"{', '.join(sorted(self.models))} (and whisper-1 for {self.default})",
                           code="model_not_found", param="model")
        return name, self.models[name]

    def run(self, task, fields):
        """Transcribes or translates one request's audio; returns the verbose_json result."""
        from faster_whisper import decode_audio

        if "file" not in fields or fields["file"][0] is None and not fields["file"][1]:
            raise APIError(400, "you must provide a file", param="file")
        text_field = {k: v[1].decode("utf-8", "replace").strip() for k, v in fields.items() if k != "file"}
        name, model = self.model_named(text_field.get("model"))
        language = None
        if task == "transcribe" and text_field.get("language"):
            language = code_of(text_field["language"])
            if language is None:
                raise APIError(400, f"language {text_field['language']!r} is not one Whisper knows (ISO 639-1, "
                                    "e.g. ru, kk, en)", param="language")
        if not model.model.is_multilingual:
            if task == "translate":
                raise APIError(400, f"model {name} is English-only and cannot translate; use a multilingual "
                                    "model", param="model")
            if language not in (None, "en"):
                raise APIError(400, f"model {name} is English-only; language {language!r} is not available",
                               param="language")
            language = "en"
        try:
            temperature = float(text_field.get("temperature") or 0)
        except ValueError:
            raise APIError(400, "temperature must be a number between 0 and 1", param="temperature")
        if not 0 <= temperature <= 1:
            raise APIError(400, "temperature must be between 0 and 1", param="temperature")
        # OpenAI: at 0 "the model will use log probability to automatically increase the temperature". That
        # ladder decodes a segment Whisper hears badly up to six times (on the summit's Kazakh, up to 6.4 times the
        # time of one decode), so a live caller gets it only with --temperature-fallback.
        fallback = temperature == 0 and self.args.temperature_fallback
        temperatures = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] if fallback else [temperature]
        try:
            audio = decode_audio(io.BytesIO(fields["file"][1]), sampling_rate=16000)
        except Exception as error:  # PyAV raises many kinds
            raise APIError(400, f"could not decode the audio file: {error}", param="file")
        duration = len(audio) / 16000
        if duration == 0:
            raise APIError(400, "the audio file holds no samples", param="file")

        result = {"task": task, "language": NAMES.get(language or "en", language), "duration": round(duration, 3),
                  "text": "", "segments": []}
        if dbfs(audio) < self.args.silence_dbfs:
            result["dropped_segments"] = [{"start": 0.0, "end": duration, "reason": "silence"}]
            return name, result, 0.0

        budget = token_budget(duration, self.args.max_tokens_per_second)
        self.acquire()
        started = time.monotonic()
        try:
            segments, info = model.transcribe(
                audio, task=task, language=language, initial_prompt=text_field.get("prompt") or None,
                temperature=temperatures, beam_size=self.args.beam_size,
                no_speech_threshold=self.args.no_speech_threshold,
                log_prob_threshold=self.args.logprob_threshold,
                compression_ratio_threshold=self.args.compression_ratio_threshold,
                condition_on_previous_text=False, vad_filter=False,
                max_new_tokens=budget)
            segments = list(segments)
        except Exception as error:
            raise APIError(500, f"inference failed: {error}", type_="server_error", code="inference_failed")
        finally:
            elapsed = time.monotonic() - started
            self.release()

        kept, dropped = [], []
        for seg in segments:
            entry = {"id": seg.id, "seek": seg.seek, "start": round(seg.start, 3), "end": round(seg.end, 3),
                     "text": seg.text, "tokens": list(seg.tokens), "temperature": seg.temperature,
                     "avg_logprob": seg.avg_logprob, "compression_ratio": seg.compression_ratio,
                     "no_speech_prob": seg.no_speech_prob}
            # A loop at the end of a text too short for the repetition rule to see (one a budget cut short, or
            # a stutter) is cut back to its first round.
            trimmed = without_repeated_tail(seg.text)
            if trimmed != seg.text:
                entry["text"], entry["trimmed"] = trimmed, True
            reason = hallucination(entry, self.args.no_speech_threshold, self.args.logprob_threshold,
                                   self.args.compression_ratio_threshold)
            if reason and not self.args.keep_hallucinations:
                dropped.append({**entry, "reason": reason})
            else:
                kept.append(entry)
        for i, entry in enumerate(kept):
            entry["id"] = i
        result["language"] = NAMES.get(info.language, info.language) if task == "transcribe" else "english"
        if task == "translate":
            result["source_language"] = NAMES.get(info.language, info.language)
        result["text"] = "".join(s["text"] for s in kept).strip()
        result["segments"] = kept
        if dropped:
            result["dropped_segments"] = dropped
        if info.all_language_probs and language is None:
            wanted = candidate_codes(text_field.get("candidate_languages", ""))
            result["language_probabilities"] = {code: round(p, 4) for i, (code, p) in enumerate(info.all_language_probs)
                                                if i < 10 or code in wanted}
        return name, result, elapsed

    def acquire(self):
        with self.lock:
            if self.waiting >= self.args.queue and self.busy >= self.args.slots:
                raise APIError(503, f"the worker is busy: {self.busy} running and {self.waiting} waiting "
                                    f"(queue limit {self.args.queue}); retry shortly",
                               type_="server_error", code="overloaded", headers={"Retry-After": "1"})
            self.waiting += 1
        got = self.slots.acquire(timeout=self.args.queue_timeout_s)
        with self.lock:
            self.waiting -= 1
            if got:
                self.busy += 1
        if not got:
            raise APIError(503, f"waited {self.args.queue_timeout_s:g} s for a free slot; the worker is busy",
                           type_="server_error", code="overloaded", headers={"Retry-After": "1"})

    def release(self):
        with self.lock:
            self.busy -= 1
        self.slots.release()


def log(message):
    print(f"whisper-worker: {message}", file=sys.stderr, flush=True)


class Handler(BaseHTTPRequestHandler):
    server_version = "dragoman-whisper-worker/1.0"
    protocol_version = "HTTP/1.1"
    engine = None  # set in main

    def log_message(self, fmt, *args):  # requests are logged by the handlers themselves
        pass

    def answer(self, status, content_type, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def answer_json(self, status, value, headers=None):
        self.answer(status, "application/json", json.dumps(value, ensure_ascii=False).encode(), headers)

    def answer_error(self, error):
        if error.status >= 500 or error.status == 413:
            log(f"{self.command} {self.path}: {error.status} {error.message}")
        self.answer_json(error.status, error.body(), error.headers)

    def do_GET(self):
        path = self.path.split("?", 1)[0].rstrip("/")
        engine = self.engine
        if path == "/health":
            self.answer_json(200, {"status": "ok", "models": sorted(engine.models), "default": engine.default,
                                   "busy": engine.busy, "queued": engine.waiting})
        elif path == "/v1/models":
            self.answer_json(200, {"object": "list", "data": [self.model_object(n) for n in sorted(engine.models)]})
        elif path.startswith("/v1/models/") and path[len("/v1/models/"):] in engine.models:
            self.answer_json(200, self.model_object(path[len("/v1/models/"):]))
        elif path.startswith("/v1/models/"):
            self.answer_error(APIError(404, f"The model '{path[len('/v1/models/'):]}' does not exist",
                                       code="model_not_found"))
        else:
            self.answer_error(APIError(404, f"no route GET {path}", code="not_found"))

    @staticmethod
    def model_object(name):
        return {"id": name, "object": "model", "created": 0, "owned_by": "dragoman"}

    def do_POST(self):
        received = time.time()
        entry = {"received": received, "path": self.path}
        try:
            self.post(entry)
        finally:
            if self.engine.request_log:
                entry["answered"] = time.time()
                with self.engine.lock:
                    self.engine.request_log.write(json.dumps(entry, ensure_ascii=False) + "\n")
                    self.engine.request_log.flush()

    def post(self, entry):
        path = self.path.split("?", 1)[0].rstrip("/")
        tasks = {"/v1/audio/transcriptions": "transcribe", "/v1/audio/translations": "translate"}
        try:
            if path not in tasks:
                raise APIError(404, f"no route POST {path}", code="not_found")
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                raise APIError(411, "chunked request bodies are not accepted; send Content-Length")
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                raise APIError(411, "Content-Length is required")
            limit = int(self.engine.args.max_body_mb * 1024 * 1024)
            if length > limit:
                self.close_connection = True
                # The body is not kept: it is read and dropped in small pieces (up to 16 MiB, beyond that the
                # connection is cut), so that the client, still sending, reads this answer instead of a reset.
                remaining = min(length, 16 * 1024 * 1024)
                while remaining > 0:
                    piece = self.rfile.read(min(65536, remaining))
                    if not piece:
                        break
                    remaining -= len(piece)
                raise APIError(413, f"request body of {length} bytes exceeds the limit of {limit} bytes",
                               code="request_too_large")
            body = self.rfile.read(length)
            fields = parse_multipart(body, self.headers.get("Content-Type"))
            response_format = fields.get("response_format", (None, b"json"))[1].decode().strip() or "json"
            render({"text": "", "segments": []}, response_format)  # reject a bad format before the work
            name, result, elapsed = self.engine.run(tasks[path], fields)
            content_type, out = render(result, response_format)
            rtf = elapsed / result["duration"] if result["duration"] else 0
            log(f"{tasks[path]} {name}: {result['duration']:.2f} s of audio in {elapsed:.2f} s (RTF {rtf:.2f}), "
                f"{result['language']}: {result['text'][:60]!r}")
            entry.update(task=tasks[path], language=fields.get("language", (None, b""))[1].decode() or None,
                         duration=result["duration"], processing=round(elapsed, 4), heard=result["language"],
                         text=result["text"][:200])
            wanted = candidate_codes(fields.get("candidate_languages", (None, b""))[1].decode())
            if wanted and "language_probabilities" in result:
                entry["candidates"] = {c: result["language_probabilities"].get(c, 0.0) for c in sorted(wanted)}
            self.answer(200, content_type, out, {"X-Processing-Seconds": f"{elapsed:.3f}"})
            entry["status"] = 200
        except APIError as error:
            entry["status"] = error.status
            self.answer_error(error)
        except Exception as error:  # a bug: still answer in the API's shape
            self.answer_error(APIError(500, f"internal error: {error!r}", type_="server_error"))


def watch_parent(parent):
    """Exits once `parent` is gone (we are then re-parented), so a worker never outlives its server."""

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        log("the process that started this worker is gone: exiting")
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8971, help="0 picks a free port (see --port-file)")
    parser.add_argument("--port-file", help="write the port listened on to this file once ready")
    parser.add_argument("--model", action="append", help="base, tiny.en (repeatable; the first is the default)")
    parser.add_argument("--models-dir", help="folder holding one folder per model")
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads per inference (0: all cores)")
    parser.add_argument("--slots", type=int, default=1, help="inferences at a time")
    parser.add_argument("--queue", type=int, default=4, help="requests waiting for a slot before 503")
    parser.add_argument("--queue-timeout-s", type=float, default=30)
    parser.add_argument("--max-body-mb", type=float, default=25, help="OpenAI's own limit is 25 MB")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--temperature-fallback", action="store_true",
                        help="at temperature 0, decode again at 0.2 … 1.0 when the text looks made up (OpenAI's "
                             "behaviour; off: one decode per request, what a live caller needs in time)")
    parser.add_argument("--max-tokens-per-second", type=float, default=20,
                        help="tokens one request may decode per second of audio (0: Whisper's own limit)")
    parser.add_argument("--silence-dbfs", type=float, default=-60)
    parser.add_argument("--no-speech-threshold", type=float, default=0.6)
    parser.add_argument("--logprob-threshold", type=float, default=-1.0)
    parser.add_argument("--compression-ratio-threshold", type=float, default=2.4)
    parser.add_argument("--request-log", help="append one JSON line per audio request (times, task, durations)")
    parser.add_argument("--keep-hallucinations", action="store_true",
                        help="report suspect segments instead of dropping them")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started us goes (dragoman serve, even after kill -9)")
    args = parser.parse_args(argv)
    args.model = args.model or ["base"]
    # A parent may start us with signals blocked (Foundation's Process on Linux spawns from a thread that
    # blocks them): unblock and handle them, so that SIGTERM stops the worker.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: os._exit(0))
    if args.exit_with_parent:
        watch_parent(os.getppid())
    try:
        engine = Engine(args)
    except (ValueError, ImportError) as error:
        log(f"cannot start: {error}")
        return 2
    Handler.engine = engine
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        Path(tmp).write_text(str(port))
        os.replace(tmp, args.port_file)
    log(f"listening on http://{args.host}:{port} (models {', '.join(args.model)}, default {engine.default})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
