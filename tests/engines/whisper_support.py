"""Helpers for the Whisper worker's tests and benchmark: test speech, the worker as a child process, WER."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKER = REPO / "workers" / "whisper" / "worker.py"
SENTENCES = REPO / "testdata" / "speech" / "whisper-sentences.tsv"


def sentences():
    """(language, voice, text, English reference) of each test sentence."""
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rows.append(tuple(line.split("\t")))
    return rows


def speak(voice: str, text: str, out: Path) -> Path:
    """Synthesizes `text` into the WAV file `out` with `festival:<voice fn>` or `espeak-ng:<voice>`."""
    engine, _, name = voice.partition(":")
    if engine == "festival":
        src = out.with_suffix(".txt")
        src.write_text(text, encoding="utf-8")  # Festival's Russian voice needs UTF-8 input
        subprocess.run(["text2wave", "-eval", f"({name})", str(src), "-o", str(out)], check=True, capture_output=True)
    else:
        subprocess.run(["espeak-ng", "-v", name, "-w", str(out), text], check=True, capture_output=True)
    return out


def words(text: str) -> list[str]:
    text = text.lower().replace("ё", "е")
    return re.sub(r"[^\w']+", " ", text).split()


def wer(hypothesis: str, reference: str) -> float:
    """Word error rate: word edit distance / reference words (case, punctuation and ё/е ignored)."""
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref):
        cur = [i + 1] + [0] * len(hyp)
        for j, h in enumerate(hyp):
            cur[j + 1] = min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (r != h))
        prev = cur
    return prev[len(hyp)] / len(ref)


class Worker:
    """workers/whisper/worker.py on a free port, started and waited for."""

    def __init__(self, *args: str, timeout: float = 300):
        self.dir = Path(tempfile.mkdtemp(prefix="whisper-worker-"))
        port_file = self.dir / "port"
        self.log = open(self.dir / "worker.log", "wb")
        self.proc = subprocess.Popen([sys.executable, str(WORKER), "--port", "0", "--port-file", str(port_file), *args],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the worker exited ({self.proc.returncode}); run scripts/setup:\n{self.output()}")
            if port_file.exists():
                self.url = f"http://127.0.0.1:{int(port_file.read_text())}"
                try:
                    if self.get("/health")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the worker did not answer /health within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return (self.dir / "worker.log").read_text(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return r.status, json.loads(r.read())

    def post(self, path, fields: dict, file: bytes | None = None, filename="speech.wav", timeout=300, raw=None,
             content_type=None):
        """POSTs multipart/form-data; returns (status, headers, body bytes)."""
        boundary = uuid.uuid4().hex
        body = b""
        for key, value in fields.items():
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        if file is not None:
            body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: audio/wav\r\n\r\n").encode() + file + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        if raw is not None:
            body = raw
        request = urllib.request.Request(self.url + path, data=body, method="POST", headers={
            "Content-Type": content_type or f"multipart/form-data; boundary={boundary}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
