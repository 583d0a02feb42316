#!/usr/bin/env python3
"""A LibreTranslate server for tests, faithful to its HTTP API (Python standard library only).

    python3 tests/engines/fake_libretranslate.py --port 0 --port-file PORT [--log requests.jsonl] [--api-key K]

Serves, as LibreTranslate (1.6) does:
    POST /translate   JSON, application/x-www-form-urlencoded or multipart/form-data: q (a string or a list of
                      strings), source (a code or "auto"), target, format ("text" or "html"), api_key.
                      Answers {"translatedText": "..."} (a list for a list of q; with source "auto" also
                      "detectedLanguage": {"language", "confidence"}), or {"error": "..."}: 400 for a missing or
                      unsupported parameter, 403 for a missing or wrong key when a key is required, 404 for
                      unknown routes, 405 for a wrong method, 500 for a body it cannot read.
    GET  /languages   [{"code", "name", "targets"}, ...]

What it translates: a text close to a sentence of testdata/summit.tsv (in the source language) comes back as the
reference translation into the target, when the file has one; anything else as a deterministic rendering marked
with the target, "[ru] <text>". Every request is recorded with its arrival and answer times (`requests`, and one
JSON line each in --log).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUMMIT = REPO / "testdata" / "summit.tsv"
LANGUAGES = {"en": "English", "ru": "Russian", "kk": "Kazakh", "de": "German", "fr": "French", "tr": "Turkish",
             "es": "Spanish", "it": "Italian", "pl": "Polish", "uk": "Ukrainian", "zh": "Chinese", "ar": "Arabic"}
MIN_SIMILARITY = 0.6  # a text at least this similar (difflib ratio over normalized words) is the summit's sentence


def normalized(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("ё", "е")).split())


def summit_references(path: Path = SUMMIT) -> list[dict]:
    """Each sentence of the summit: {"lang", "text", "ref": {lang: translation}}."""
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if not line.strip():
            continue
        cols = dict(zip(header, line.split("\t")))
        refs = {k[4:]: v for k, v in cols.items() if k.startswith("ref_") and v}
        rows.append({"id": cols["id"], "lang": cols["lang"], "text": cols["text"], "ref": refs})
    return rows


class Translator:
    """What the fake answers: references for summit sentences, marked renderings for the rest."""

    def __init__(self, references: list[dict]):
        self.references = references

    def closest(self, text: str, source: str) -> tuple[dict | None, float]:
        best, score = None, 0.0
        wanted = normalized(text)
        for row in self.references:
            if source not in ("auto", row["lang"]):
                continue
            ratio = difflib.SequenceMatcher(None, wanted, normalized(row["text"])).ratio()
            if ratio > score:
                best, score = row, ratio
        return best, score

    def translate(self, text: str, source: str, target: str) -> str:
        row, score = self.closest(text, source)
        if row is not None and score >= MIN_SIMILARITY and target in row["ref"]:
            return row["ref"][target]
        return f"[{target}] {text}"

    def detect(self, text: str) -> str:
        row, score = self.closest(text, "auto")
        if row is not None and score >= MIN_SIMILARITY:
            return row["lang"]
        if any(c in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" for c in text):
            return "kk"
        return "ru" if re.search(r"[а-яА-Я]", text) else "en"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def form_fields(content_type: str, body: bytes) -> dict:
    """The request's fields, as LibreTranslate reads them (JSON body or form values); q may be a list."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            value = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise BadRequest(400, "Invalid request: the body is not JSON")
        if not isinstance(value, dict):
            raise BadRequest(400, "Invalid request: the JSON body must be an object")
        return value
    if kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        fields: dict = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                value = part.get_payload(decode=True).decode("utf-8", "replace")
                fields.setdefault(name, []).append(value)
        return {k: v if k == "q" and len(v) > 1 else v[0] for k, v in fields.items()}
    # application/x-www-form-urlencoded, or no type at all (Flask's request.values)
    try:
        pairs = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise BadRequest(400, "Invalid request: the form is not UTF-8")
    return {k: v if k == "q" and len(v) > 1 else v[0] for k, v in pairs.items()}


class FakeLibreTranslate:
    """The server on a free loopback port, in a thread of the test; `requests` lists what it was asked."""

    def __init__(self, port: int = 0, api_key: str | None = None, log: Path | None = None,
                 references: list[dict] | None = None):
        self.translator = Translator(references if references is not None else summit_references())
        self.api_key = api_key
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.log = open(log, "a", encoding="utf-8") if log else None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "fake-libretranslate/1.0"
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                fake.handle(self, "GET")

            def do_POST(self):
                fake.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        if self.log:
            self.log.close()

    def translations(self) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == "/translate"]

    # -- the API

    def handle(self, handler: BaseHTTPRequestHandler, method: str):
        received = time.time()
        path = handler.path.split("?", 1)[0]
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        record = {"received": received, "method": method, "path": path}
        try:
            if path == "/languages":
                if method != "GET":
                    raise BadRequest(405, "The method is not allowed for the requested URL.")
                codes = sorted(LANGUAGES)
                status, answer = 200, [{"code": c, "name": LANGUAGES[c], "targets": codes} for c in codes]
            elif path == "/translate":
                if method != "POST":
                    raise BadRequest(405, "The method is not allowed for the requested URL.")
                status, answer = 200, self.translate(form_fields(handler.headers.get("Content-Type", ""), body),
                                                     record)
            else:
                raise BadRequest(404, "Not Found")
        except BadRequest as error:
            status, answer = error.status, {"error": error.message}
        out = json.dumps(answer, ensure_ascii=False).encode()
        # Recorded before the answer goes out, so that whoever got the answer finds the request recorded.
        record.update(status=status, answered=time.time(), answer=answer)
        with self.lock:
            self.requests.append(record)
            if self.log:
                self.log.write(json.dumps(record, ensure_ascii=False) + "\n")
                self.log.flush()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(out)))
        handler.end_headers()
        handler.wfile.write(out)

    def translate(self, fields: dict, record: dict) -> dict:
        q, source, target = fields.get("q"), fields.get("source"), fields.get("target")
        text_format = fields.get("format") or "text"
        record.update(q=q, source=source, target=target, format=text_format)
        if self.api_key is not None:
            key = fields.get("api_key")
            if not key:
                raise BadRequest(403, "Please contact the server operator to get an API key")
            if key != self.api_key:
                raise BadRequest(403, "Invalid API key")
        if q is None or q == "" or q == []:
            raise BadRequest(400, "Invalid request: missing q parameter")
        if not source:
            raise BadRequest(400, "Invalid request: missing source parameter")
        if not target:
            raise BadRequest(400, "Invalid request: missing target parameter")
        if not (isinstance(q, str) or (isinstance(q, list) and all(isinstance(x, str) for x in q))):
            raise BadRequest(400, "Invalid request: q must be a string or a list of strings")
        if source != "auto" and source not in LANGUAGES:
            raise BadRequest(400, f"{source} is not supported")
        if target not in LANGUAGES:
            raise BadRequest(400, f"{target} is not supported")
        if text_format not in ("text", "html"):
            raise BadRequest(400, f"{text_format} format is not supported")
        texts = q if isinstance(q, list) else [q]
        detected = [self.translator.detect(t) for t in texts] if source == "auto" else None
        out = [self.translator.translate(t, detected[i] if detected else source, target) for i, t in enumerate(texts)]
        answer: dict = {"translatedText": out if isinstance(q, list) else out[0]}
        if detected:
            langs = [{"language": d, "confidence": 90.0} for d in detected]
            answer["detectedLanguage"] = langs if isinstance(q, list) else langs[0]
        return answer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--port-file", help="write the port to this file once listening")
    parser.add_argument("--log", type=Path, help="append one JSON line per request")
    parser.add_argument("--api-key", help="require this api_key")
    args = parser.parse_args(argv)
    fake = FakeLibreTranslate(args.port, api_key=args.api_key, log=args.log)
    if args.port_file:
        Path(args.port_file + ".tmp").write_text(str(fake.port))
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"fake-libretranslate: listening on {fake.url}", file=sys.stderr, flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
