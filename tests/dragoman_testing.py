"""Helpers shared by the end-to-end and browser tests: the server under test, the HTTP API, the CLI, WAV files and
signal comparison. The fixtures that use them live in conftest.py."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("DRAGOMAN_ARTIFACTS", REPO / "artifacts"))
BIN = Path(os.environ.get("DRAGOMAN_BIN", REPO / ".build" / "debug" / "dragoman"))
SUMMIT_CACHE = REPO / ".build" / "summit-audio"
SAMPLE_RATE = 48_000
FRAME_S = 0.020


def node_failed(node) -> bool:
    """Whether a test's setup or call failed (conftest's pytest_runtest_makereport hook records the reports)."""
    return any(getattr(getattr(node, f"rep_{w}", None), "failed", False) for w in ("setup", "call"))


# ---------------------------------------------------------------------------------------------------------- network


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (port 9, discard, unless something does; then another free one)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        if s.connect_ex(("127.0.0.1", 9)) != 0:
            return 9
    return free_port()


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise AssertionError(f"HTTP {self.status}: body is not JSON ({e}): {self.body[:500]!r}") from None


def http(method: str, url: str, *, body=None, token: str | None = None, headers: dict | None = None,
         timeout: float = 10) -> Response:
    """One HTTP request; HTTP errors are answers (never exceptions). `body`: bytes/str are sent as they are,
    anything else as JSON."""
    h = dict(headers or {})
    data = None
    if body is not None:
        if isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
        h.setdefault("Content-Type", "application/json")
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), dict(r.headers))
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), dict(e.headers or {}))


# ------------------------------------------------------------------------------------------------------- the server


class Server:
    """A `dragoman serve` process on free loopback ports with its own data folder and organizer token."""

    def __init__(self, binary: Path, workdir: Path, *, local_engines: bool = False):
        self.binary = Path(binary)
        # Off unless a test is about them: a machine booth would otherwise start a Whisper worker (300 MB, both
        # cores while it loads) beside tests that measure audio.
        self.local_engines = local_engines
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "server.log"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.tls_port = free_port()
        while self.tls_port == self.port:
            self.tls_port = free_port()
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        # Runs in the child before exec, e.g. to lower its descriptor limit.
        self.preexec = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tls_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    @property
    def command(self) -> list[str]:
        # --public-host: the links the server hands out (joinURL, QR codes) point to loopback too.
        return [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--tls-port", str(self.tls_port), "--data-dir", str(self.data_dir),
                "--organizer-token", self.token, "--public-host", "127.0.0.1"] + ([] if self.local_engines else ["--no-local-engines"])

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no server log)"

    def start(self, timeout: float = 30) -> None:
        assert self.proc is None, "server already running"
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command)}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=self.preexec)
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                raise AssertionError(f"dragoman serve exited with status {rc} before answering /healthz.\n"
                                     f"command: {' '.join(self.command)}\n--- server log ---\n{self.log()}")
            try:
                r = http("GET", self.url + "/healthz", timeout=2)
                if r.status == 200:
                    return
                last = f"HTTP {r.status}: {r.body[:200]!r}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.1)
        self.stop(sig=signal.SIGKILL)
        raise AssertionError(f"dragoman serve did not answer GET /healthz with 200 within {timeout} s "
                             f"(last: {last}).\n--- server log ---\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int | None:
        """Stops the server (SIGTERM, then SIGKILL after `timeout`); returns its exit status."""
        p, self.proc = self.proc, None
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        return p.returncode

    def restart(self, sig: int = signal.SIGKILL) -> None:
        """Kills the server (SIGKILL by default: an abrupt end) and starts it again on the same ports and data."""
        self.stop(sig=sig)
        self.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- the API

    def api(self, method: str, path: str, body=None, *, token: str | None | bool = True, **kw) -> Response:
        """An API call; `token=True` sends the organizer token, None/False none, a string that one."""
        t = self.token if token is True else (token or None)
        return http(method, self.url + path, body=body, token=t, **kw)

    def healthz(self) -> int:
        return http("GET", self.url + "/healthz", timeout=5).status


def create_event(server: Server, name: str, languages, pin: str | None = None, packet_ms: int | None = None) -> dict:
    """POST /api/events as the organizer; returns the event JSON (with `code`, `floorToken`, `joinURL`)."""
    body = {"name": name, "languages": list(languages)}
    if pin is not None:
        body["pin"] = pin
    if packet_ms is not None:
        body["packetMs"] = packet_ms
    r = server.api("POST", "/api/events", body)
    assert r.status == 201, f"POST /api/events {body} answered {r.status}: {r.body[:500]!r}"
    ev = r.json()
    for key in ("code", "floorToken", "joinURL"):
        assert key in ev, f"POST /api/events answer lacks {key!r}: {ev}"
    return ev


def wait_listeners(server: Server, code: str, channel: str, count: int, timeout: float = 10,
                   pin: str | None = None) -> None:
    """Waits until GET /api/events/CODE reports at least `count` listeners on `channel`.
    If the answer has no listener counts, waits one second instead (the brief's fallback)."""
    headers = {"X-Dragoman-Pin": pin} if pin else None
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        r = server.api("GET", f"/api/events/{code}", token=None, headers=headers)
        if r.status == 200:
            chans = {c.get("id"): c for c in r.json().get("channels", [])}
            if channel not in chans or "listeners" not in chans[channel]:
                time.sleep(1.0)
                return
            seen = chans[channel]["listeners"]
            if seen >= count:
                return
        time.sleep(0.1)
    raise AssertionError(f"{count} listener(s) on {code}/{channel} expected within {timeout} s; "
                         f"GET /api/events/{code} said {seen}")


# ---------------------------------------------------------------------------------------------------------- the CLI


class Cli:
    """Runs `dragoman` subcommands and keeps a transcript of every run (copied to the artifacts on failure)."""

    def __init__(self, binary: Path, transcript: Path):
        self.binary = Path(binary)
        self.transcript = transcript

    def _note(self, text: str) -> None:
        with open(self.transcript, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    def run(self, *args, timeout: float = 30, input: bytes | None = None) -> subprocess.CompletedProcess:
        cmd = [str(self.binary), *map(str, args)]
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                               stdin=None if input is not None else subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:
            self._note(f"$ {' '.join(cmd)}\n  TIMED OUT after {timeout} s\n  stdout: {e.stdout!r}\n"
                       f"  stderr: {e.stderr!r}")
            raise AssertionError(f"`{' '.join(cmd)}` did not end within {timeout} s\n"
                                 f"stdout: {_text(e.stdout)}\nstderr: {_text(e.stderr)}") from None
        out = subprocess.CompletedProcess(cmd, p.returncode, _text(p.stdout), _text(p.stderr))
        self._note(f"$ {' '.join(cmd)}\n  exit {p.returncode} after {time.monotonic() - t0:.1f} s\n"
                   f"  stdout: {out.stdout.strip()}\n  stderr: {out.stderr.strip()}")
        return out

    def start(self, *args, stdin=subprocess.DEVNULL) -> "Background":
        cmd = [str(self.binary), *map(str, args)]
        self._note(f"$ {' '.join(cmd)} &")
        return Background(cmd, self, stdin=stdin)


def _text(b) -> str:
    if b is None:
        return ""
    return b.decode("utf-8", errors="replace") if isinstance(b, (bytes, bytearray)) else str(b)


class Background:
    """A CLI process running in the background, with its output collected in files."""

    _n = 0

    def __init__(self, cmd: list[str], cli: Cli, stdin=subprocess.DEVNULL):
        Background._n += 1
        base = cli.transcript.parent / f"bg{Background._n}"
        self.cmd, self.cli = cmd, cli
        self.out_path, self.err_path = base.with_suffix(".out"), base.with_suffix(".err")
        self._out, self._err = open(self.out_path, "wb"), open(self.err_path, "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err, stdin=stdin, start_new_session=True)
        self.returncode: int | None = None

    @property
    def stdout(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> int:
        """Waits for the end; a process still running after `timeout` is killed and the test fails."""
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self._finish("KILLED: still running after the timeout")
            raise AssertionError(f"`{' '.join(self.cmd)}` was still running after {timeout} s; killed.\n"
                                 f"stdout: {self.stdout}\nstderr: {self.stderr}") from None
        self._finish(f"exit {self.returncode}")
        return self.returncode

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C: the command finishes what it writes (a WAV file, statistics) and ends; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        for f in (self._out, self._err):
            if not f.closed:
                f.close()

    def _finish(self, how: str) -> None:
        self._close()
        self.cli._note(f"$ {' '.join(self.cmd)}  [background]\n  {how} after {time.monotonic() - self.t0:.1f} s\n"
                       f"  stdout: {self.stdout.strip()}\n  stderr: {self.stderr.strip()}")


def wav_seconds(path: Path, rate: int = 48000) -> float:
    """How much a 16-bit mono WAV being written holds so far, in seconds."""
    try:
        return max(0, path.stat().st_size - 44) / 2 / rate
    except FileNotFoundError:
        return 0.0


def stop_when_recorded(listener: Background, wav: Path, seconds: float, limit: float = 30) -> int:
    """Waits until `dragoman listen` has written `seconds` of sound to `wav` (or `limit` seconds passed), then stops
    it with Ctrl-C; returns its exit code. A busy machine delays the last packets; it never ends the listener early."""
    deadline = time.monotonic() + limit
    while wav_seconds(wav) < seconds - 0.05 and time.monotonic() < deadline and listener.running():
        time.sleep(0.1)
    return listener.interrupt()


def floor_roundtrip(server: Server, cli: Cli, ev: dict, reference: Path, *,
                    send: Path | str | None = None, stdin: bytes | None = None, ingest_args=(),
                    pin: str | None = None, channel: str = "floor",
                    name: str = "roundtrip") -> tuple[float, dict, Path]:
    """Starts `dragoman listen`, publishes the floor with `dragoman ingest` (the file `send`, default `reference`, or
    `stdin` bytes with `send="-"`), waits until the listener has recorded as long as `reference` (or 30 s), stops it
    with Ctrl-C and compares what it heard with `reference`. Asserts that both commands succeeded; returns (NCC after alignment, stats, received WAV)."""
    ref, rate = read_wav(reference)
    out = cli.transcript.parent / f"{name}.wav"
    stats = cli.transcript.parent / f"{name}.stats.json"
    args = ["listen", "--server", server.url, "--event", ev["code"], "--channel", channel, "--output", out,
            "--duration", 120, "--stats-json", stats]
    if pin is not None:
        args += ["--pin", pin]
    listener = cli.start(*args)
    wait_listeners(server, ev["code"], channel, 1, pin=pin)
    assert listener.running(), f"the listener ended early: exit {listener.proc.poll()}\n{listener.stderr}"
    src = reference if send is None else send
    ing = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
                  *ingest_args, src, timeout=len(ref) / rate + 20, input=stdin)
    assert ing.returncode == 0, f"ingest of {src} failed ({ing.returncode}):\n{ing.stderr}"
    rc = stop_when_recorded(listener, out, len(ref) / rate)
    assert rc == 0, f"listener exit {rc}:\n{listener.stderr}"
    got, _ = read_wav(out)
    ncc, _ = aligned_ncc(ref, got, max_lag=rate)
    return ncc, read_stats(stats), out


# ------------------------------------------------------------------------------------------------- the summit audio


SUMMIT_FILES = ("summit-floor.wav", "summit-floor.json", "summit-booth-ru.wav", "summit-booth-ru.json")


def summit_audio(cache: Path = SUMMIT_CACHE) -> Path:
    """Makes the summit audio with scripts/make-summit-audio into `cache`, unless it is there (every file of
    SUMMIT_FILES) and was made from the same script and the same testdata/summit.tsv."""
    script = REPO / "scripts" / "make-summit-audio"
    tsv = REPO / "testdata" / "summit.tsv"
    stamp = hashlib.sha256(script.read_bytes() + b"\0" + tsv.read_bytes()).hexdigest()
    stamp_file = cache / ".stamp"
    if (stamp_file.exists() and stamp_file.read_text().strip() == stamp
            and all((cache / name).exists() for name in SUMMIT_FILES)):
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.parent / f"{cache.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    p = subprocess.run([str(script), str(tmp)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env={**os.environ, "SUMMIT_TSV": str(tsv)}, timeout=120)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise AssertionError(f"scripts/make-summit-audio failed ({p.returncode}):\n{_text(p.stdout)}")
    (tmp / ".stamp").write_text(stamp + "\n")
    shutil.rmtree(cache, ignore_errors=True)
    tmp.rename(cache)
    return cache


# ----------------------------------------------------------------------------------------------- WAV and signals


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A WAV file as mono float64 samples in [-1, 1) and its sample rate (integer PCM; channels are averaged)."""
    path = Path(path)
    assert path.exists(), f"{path} does not exist"
    assert path.stat().st_size > 0, f"{path} is empty"
    try:
        with wave.open(str(path), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
    except (wave.Error, EOFError) as e:
        head = path.read_bytes()[:64]
        raise AssertionError(f"{path} is not a readable PCM WAV file ({e}); first bytes: {head!r}") from None
    if width == 2:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif width == 4:
        x = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    elif width == 1:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    else:
        raise AssertionError(f"{path}: {8 * width}-bit samples are not supported here")
    if ch > 1:
        x = x[: len(x) // ch * ch].reshape(-1, ch).mean(axis=1)
    return x, rate


def wav_info(path: Path) -> dict:
    with wave.open(str(path), "rb") as w:
        return {"channels": w.getnchannels(), "sampwidth": w.getsampwidth(), "rate": w.getframerate(),
                "frames": w.getnframes(), "seconds": w.getnframes() / w.getframerate()}


def aligned_ncc(reference: np.ndarray, received: np.ndarray, max_lag: int | None = None) -> tuple[float, int]:
    """Aligns `received` to `reference` by FFT cross-correlation and returns (peak NCC, lag in samples).

    A positive lag means `received` is late: received[n + lag] ≈ reference[n]. The NCC is computed over the part
    where the two overlap at that lag (1.0 = identical up to a gain). `max_lag` limits the search (samples)."""
    a = np.asarray(reference, dtype=np.float64)
    b = np.asarray(received, dtype=np.float64)
    if len(a) == 0 or len(b) == 0:
        return 0.0, 0
    n = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    xc = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
    lags = np.arange(n)
    lags[lags >= n // 2] -= n
    if max_lag is not None:
        xc = np.where(np.abs(lags) <= max_lag, xc, -np.inf)
    lag = int(lags[int(np.argmax(xc))])
    if lag >= 0:
        aa, bb = a, b[lag:]
    else:
        aa, bb = a[-lag:], b
    m = min(len(aa), len(bb))
    if m == 0:
        return 0.0, lag
    aa, bb = aa[:m], bb[:m]
    den = float(np.sqrt(np.dot(aa, aa) * np.dot(bb, bb)))
    return (float(np.dot(aa, bb) / den) if den > 0 else 0.0), lag


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def fast_fft_size(n: int) -> int:
    """The smallest 2^a·3^b·5^c ≥ n: sizes numpy's FFT handles fast (a power of two can be 50 % larger)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


class SnippetFinder:
    """Finds references (sentences) anywhere in a long recording by windowed normalized cross-correlation:
    NCC(k) = Σ ref[i]·x[k+i] / √(Σ ref² · Σ x[k..k+m)²), the reference entirely inside the recording; 1.0 = the
    same waveform up to a gain. For speed the search runs on both signals averaged over `decimation` samples (48 kHz →
    16 kHz by default, where speech lives), then the NCC is computed at full rate around the best offset. The
    references' spectra are computed once, for recordings up to `length` samples (longer ones cost a recomputation)."""

    def __init__(self, references: dict[str, np.ndarray], length: int, decimation: int = 3):
        self.references = {k: np.asarray(v, dtype=np.float64) for k, v in references.items()}
        self.decimation = decimation
        self._coarse = {k: self._decimate(r) for k, r in self.references.items()}
        self._plan(length)

    def _decimate(self, x: np.ndarray) -> np.ndarray:
        d = self.decimation
        return x[: len(x) // d * d].reshape(-1, d).mean(axis=1)

    def _plan(self, length: int) -> None:
        self.length = length
        self.n = fast_fft_size(length // self.decimation + max(len(r) for r in self._coarse.values()))
        self._spectra = {k: np.conj(np.fft.rfft(r, self.n)) for k, r in self._coarse.items()}

    def search(self, recording: np.ndarray) -> dict[str, tuple[float, int]]:
        """For each reference: (best NCC at full rate, offset in samples in `recording` where it starts)."""
        x = np.asarray(recording, dtype=np.float64)
        if len(x) > self.length:
            self._plan(len(x))
        xd = self._decimate(x)
        spectrum = np.fft.rfft(xd, self.n)
        cumulative = np.concatenate(([0.0], np.cumsum(xd * xd)))
        found = {}
        for name, ref in self.references.items():
            coarse = self._coarse[name]
            m, energy = len(coarse), float(np.dot(coarse, coarse))
            if len(xd) < m or energy == 0:
                found[name] = (0.0, 0)
                continue
            corr = np.fft.irfft(spectrum * self._spectra[name], self.n)[: len(xd) - m + 1]
            window = np.maximum(cumulative[m:] - cumulative[:-m], 1e-12 * energy)
            k = int(np.argmax(corr / np.sqrt(energy * window))) * self.decimation
            lags = range(max(0, k - self.decimation), min(len(x) - len(ref), k + self.decimation) + 1)
            found[name] = max(((self.ncc_at(ref, x, lag), lag) for lag in lags), default=(0.0, k))
        return found

    @staticmethod
    def ncc_at(ref: np.ndarray, x: np.ndarray, offset: int) -> float:
        """The NCC of `ref` with x[offset : offset + len(ref)]."""
        seg = x[offset: offset + len(ref)]
        den = float(np.sqrt(np.dot(ref, ref) * np.dot(seg, seg)))
        return float(np.dot(ref, seg) / den) if den > 0 and len(seg) == len(ref) else 0.0


def read_stats(path: Path) -> dict:
    path = Path(path)
    assert path.exists(), f"the listener wrote no stats file {path}"
    try:
        stats = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise AssertionError(f"{path} is not JSON ({e}): {path.read_text()[:500]!r}") from None
    for key in ("packets", "lost", "delay_ms"):
        assert key in stats, f"stats JSON lacks {key!r}: {stats}"
    return stats
