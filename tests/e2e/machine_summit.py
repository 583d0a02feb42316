"""The summit through the machine booths, end to end, over real processes and sockets: `dragoman serve` with the real
Whisper worker (workers/whisper/worker.py, Whisper base) and a LibreTranslate stand-in faithful to its API
(tests/engines/fake_libretranslate.py); an event ru, kk, en with machine booths ru and en; the floor language left to
the ear (`--floor-language auto`); the summit floor ingested at real time by `dragoman ingest`.

Who listens: `dragoman listen --control-log` on floor, ru and en (the captions, carrying and alerts, with their arrival
times), and a raw WebSocket listener per channel here (`codec=pcm`) that timestamps every packet and notes what the
channel carries, so that the machine's voice can be timed.

Shared by tests/e2e/test_machine_summit_e2e.py (which asserts) and scripts/bench-machine (which prints the figures)."""

from __future__ import annotations

import base64
import bisect
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engines"))

import dragoman_testing as dt  # noqa: E402
from fake_libretranslate import FakeLibreTranslate  # noqa: E402
from whisper_support import Worker  # noqa: E402

CHANNELS = ("floor", "ru", "en")
VOICE_PEAK = 0.02  # a PCM packet louder than this (peak, full scale 1) is sound, not the machine's silence
# The silero VAD's minimum silence: a segment closes this long after its speech ends (its default setting).
VAD_SILENCE_S = 0.25
# After the floor's last sentence, how long the machine may take to catch up before the run stops waiting.
CATCH_UP_S = 60


def whisper_model_missing() -> str | None:
    """Why the Whisper base model cannot be loaded here, or None when it can (scripts/setup installs it)."""
    sys.path.insert(0, str(dt.REPO / "workers" / "whisper"))
    import worker as ww  # noqa: E402  (the worker's own lookup, without loading faster-whisper)

    dirs = [os.environ.get("DRAGOMAN_WHISPER_MODELS"), str(dt.REPO / "vendor" / "whisper")]
    try:
        ww.find_model("base", dirs)
    except ValueError as error:
        return str(error)
    try:
        import faster_whisper  # noqa: F401
    except ImportError as error:
        return f"faster-whisper is not installed ({error}); run scripts/setup"
    return None


class MachineServer(dt.Server):
    """`dragoman serve` with machine booths: the Whisper worker's URL and a LibreTranslate translator."""

    def __init__(self, binary: Path, workdir: Path, whisper_url: str, translator_url: str, extra=()):
        super().__init__(binary, workdir)
        self.machine_args = ["--whisper-url", whisper_url, "--translator", f"libretranslate={translator_url}",
                             "--floor-language", "auto", *extra]

    @property
    def command(self) -> list[str]:
        return super().command + self.machine_args


class PCMListener(threading.Thread):
    """A listener on one channel over a raw WebSocket (`codec=pcm`): every packet with its arrival time, ingest time
    and peak, tagged with what the channel carried then; every control message with its arrival time."""

    def __init__(self, server_url: str, code: str, channel: str):
        super().__init__(daemon=True, name=f"pcm-{channel}")
        self.host, self.port = re.match(r"http://([^:/]+):(\d+)", server_url).groups()
        self.path = f"/ws/listen/{code}?channel={channel}&codec=pcm"
        self.channel = channel
        # (arrival µs, ingest µs, peak, carrying kind, sequence number)
        self.packets: list[tuple[int, int, float, str | None, int]] = []
        self.control: list[tuple[int, dict]] = []
        self.carrying: str | None = None
        self.stopping = threading.Event()
        self.error: str | None = None
        self.connected = threading.Event()

    def run(self):
        try:
            self._run()
        except Exception as error:  # noqa: BLE001  (reported by the test)
            if not self.stopping.is_set():
                self.error = repr(error)

    def _run(self):
        s = socket.create_connection((self.host, int(self.port)), timeout=5)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            head += chunk
        head, rest = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(f"handshake refused: {head[:200]!r}")
        self.connected.set()
        s.settimeout(0.5)
        buf = bytearray(rest)
        message, opcode = bytearray(), 0
        while not self.stopping.is_set():
            frame = self._frame(buf)
            if frame is None:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                buf += chunk
                continue
            fin, op, payload = frame
            if op == 9:  # ping: answer with a masked pong
                mask = os.urandom(4)
                s.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
                continue
            if op == 8:
                return
            if op != 0:
                message, opcode = bytearray(), op
            message += payload
            if fin:
                self._message(opcode, bytes(message))
                message = bytearray()

    @staticmethod
    def _frame(buf: bytearray):
        if len(buf) < 2:
            return None
        fin, op, length, at = buf[0] & 0x80, buf[0] & 0x0F, buf[1] & 0x7F, 2
        if length == 126:
            if len(buf) < 4:
                return None
            length, at = struct.unpack(">H", buf[2:4])[0], 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length, at = struct.unpack(">Q", buf[2:10])[0], 10
        if len(buf) < at + length:
            return None
        payload = bytes(buf[at:at + length])
        del buf[:at + length]
        return fin, op, payload

    def _message(self, opcode: int, data: bytes):
        now = time.time_ns() // 1000
        if opcode == 1:
            message = json.loads(data)
            self.control.append((now, message))
            if message.get("type") == "carrying":
                self.carrying = message.get("source", {}).get("kind")
        elif opcode == 2 and len(data) >= 24 and data[1] == 2:
            sequence, ingest = struct.unpack(">IQ", data[4:16])
            samples = np.frombuffer(data[24:], dtype="<i2")
            peak = float(np.abs(samples).max()) / 32768 if len(samples) else 0.0
            self.packets.append((now, ingest, peak, self.carrying, sequence))

    def stop(self):
        self.stopping.set()
        self.join(5)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # the last line may be half written while the listener runs
    return out


@dataclass
class SummitRun:
    """Everything one run left behind, on the Unix clock in µs. `frames` maps the floor file to that clock: the
    ingest time of each of its 20 ms frames, as the floor's listener got them (the server dates speech, captions
    included, by the ingest time of its frames, and an ingest slowed by load stretches the file on that clock)."""

    timeline: list[dict]
    code: str = ""
    origin: int = 0
    frames: list[int] = field(default_factory=list)
    ingest_ended: int = 0
    control: dict[str, list[dict]] = field(default_factory=dict)  # channel -> [{"receivedAt", "message"}]
    pcm: dict[str, PCMListener] = field(default_factory=dict)
    changes: list[dict] = field(default_factory=list)  # the server's floor-language changes
    worker_requests: list[dict] = field(default_factory=list)
    translator_requests: list[dict] = field(default_factory=list)
    server_log: str = ""
    caught_up: bool = False
    ingest_error: str | None = None
    wall_s: float = 0
    server_cpu_s: float = 0  # the server's CPU time (user + system) over the whole run

    def at(self, seconds: float) -> int:
        """A time of the floor file, on the Unix clock (µs)."""
        if not self.frames:
            return self.origin + int(seconds * 1e6)
        n = min(max(int(seconds / 0.02), 0), len(self.frames) - 1)
        return self.frames[n] - 20_000 + int((seconds - n * 0.02) * 1e6)

    def seconds(self, micros: int) -> float:
        """A time on the Unix clock (µs) as a time of the floor file: where the floor's ingest was then."""
        if not self.frames:
            return (micros - self.origin) / 1e6
        n = bisect.bisect_right(self.frames, micros)  # frames complete by then
        if n == 0:
            return (micros - self.frames[0]) / 1e6 + 0.02
        if n == len(self.frames):
            return n * 0.02 + (micros - self.frames[-1]) / 1e6
        return n * 0.02 + min((micros - self.frames[n - 1]) / 1e6, 0.02)

    def captions(self, channel: str) -> list[dict]:
        """The caption messages a channel's listener got, in order, each with its receivedAt."""
        return [{**e["message"], "receivedAt": e["receivedAt"]} for e in self.control.get(channel, [])
                if e["message"].get("type") == "caption"]

    def finals(self, channel: str) -> list[dict]:
        """The final lines a channel's listener got (an empty final line withdraws a partial one: left out)."""
        return [c for c in self.captions(channel) if c.get("final") and c["text"].strip()]

    def partials(self, channel: str) -> list[dict]:
        return [c for c in self.captions(channel) if not c.get("final")]

    def sentence_of(self, caption: dict) -> dict | None:
        """The summit sentence whose speech the caption renders (most overlap), or None when it lies in a silence."""
        start, end = self.seconds(caption["start"]), self.seconds(caption["end"])
        best, overlap = None, 0.0
        for s in self.timeline:
            o = min(end, s["end"]) - max(start, s["start"])
            if o > overlap:
                best, overlap = s, o
        return best

    def dropped_segments(self) -> list[tuple[float, float]]:
        """The segments the machine skipped as stale, as (start, end) in seconds of the floor file."""
        return [(self.seconds(int(a)), self.seconds(int(b))) for a, b in
                re.findall(r"fell \d+ ms behind and skipped a segment \((\d+)–(\d+) µs\)", self.server_log)]

    def skipped_sentences(self) -> set[str]:
        """The sentences some of whose speech the machine skipped as stale."""
        return {s["id"] for a, b in self.dropped_segments() for s in self.timeline if a < s["end"] and b > s["start"]}

    def whisper_rtf(self) -> float:
        """The worker's inference time over the audio it was given, this run (about 0.3 on two idle cores)."""
        done = [r for r in self.worker_requests if r.get("status") == 200]
        return sum(r["processing"] for r in done) / max(sum(r["duration"] for r in done), 1e-9)


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process, from /proc (0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_summit(binary: Path, cli: dt.Cli, summit_audio: Path, workdir: Path, *, keep=lambda path: None,
               worker_args=(), repeat: int = 1, booths=("ru", "en"), server_args=()) -> SummitRun:
    """Runs the summit through the machine booths (`repeat` times over, back to back, for a long run: the
    sentences of the k-th time are named `ru-01@k`), with machine booths for `booths` (the event's languages are
    ru, kk, en and those); returns what every party recorded. Raises AssertionError when
    a part could not be started or did not finish."""
    started = time.monotonic()
    timeline = json.loads((summit_audio / "summit-floor.json").read_text(encoding="utf-8"))
    floor_wav = summit_audio / "summit-floor.wav"
    floor, rate = dt.read_wav(floor_wav)
    seconds = len(floor) / rate
    workdir.mkdir(parents=True, exist_ok=True)
    if repeat > 1:
        long_wav = workdir / f"summit-floor-x{repeat}.wav"
        subprocess.run(["sox", *[str(floor_wav)] * repeat, str(long_wav)], check=True)
        timeline = [{**s, "id": f"{s['id']}@{k + 1}", "start": round(s["start"] + k * seconds, 3),
                     "end": round(s["end"] + k * seconds, 3)} for k in range(repeat) for s in timeline]
        floor_wav, floor, seconds = long_wav, np.tile(floor, repeat), seconds * repeat
    run = SummitRun(timeline=timeline)
    worker_log = workdir / "whisper-requests.jsonl"
    worker = Worker("--model", "base", "--request-log", str(worker_log), *worker_args)
    keep(worker.dir / "worker.log")
    translator = FakeLibreTranslate(log=workdir / "translator-requests.jsonl")
    translator.start()
    server = MachineServer(binary, workdir / "server", worker.url, translator.url, server_args)
    keep(server.log_path)
    listeners: list[dt.Background] = []
    pcm: dict[str, PCMListener] = {}
    try:
        server.start()
        languages = ["ru", "kk", "en"] + [b for b in booths if b not in ("ru", "kk", "en")]
        r = server.api("POST", "/api/events", {"name": "State visit, Astana", "languages": languages,
                                               "machine": list(booths)})
        assert r.status == 201, f"POST /api/events answered {r.status}: {r.body[:500]!r}"
        event = r.json()
        run.code = code = event["code"]
        for channel in CHANNELS:
            log = workdir / f"listen-{channel}.jsonl"
            keep(log)
            listeners.append(cli.start("listen", "--server", server.url, "--event", code, "--channel", channel,
                                       "--control-log", log, "--duration", round(seconds + CATCH_UP_S + 60)))
            pcm[channel] = PCMListener(server.url, code, channel)
            pcm[channel].start()
        for channel in CHANNELS:
            dt.wait_listeners(server, code, channel, 2, timeout=30)
            assert pcm[channel].connected.wait(10), f"the WebSocket listener on {channel} did not connect"

        ingest = cli.run("ingest", "--server", server.url, "--event", code, "--token", event["floorToken"], floor_wav,
                         timeout=seconds + 60)
        run.ingest_ended = time.time_ns() // 1000
        floor_packets = pcm["floor"].packets
        assert floor_packets, f"the floor listener got no audio; dragoman ingest: exit {ingest.returncode}\n{ingest.stderr}"
        if ingest.returncode != 0:
            # Under heavy load the ingest has been seen to end with "End of file" or "the server closed the
            # connection" once the whole file was sent (a fault of the ingest's ending, not of the machine booth).
            # The run stands when the floor's listener got the whole file; the error is kept for the report.
            frames = len(floor) // (rate // 50)
            assert len(floor_packets) >= 0.99 * frames, \
                f"dragoman ingest failed ({ingest.returncode}) after {len(floor_packets)} of {frames} frames:\n" \
                f"{ingest.stderr}"
            run.ingest_error = ingest.stderr.strip()
        # Frame n (by sequence number) is complete 20 ms × (n + 1) into the file.
        first = floor_packets[0][4]
        frames: dict[int, int] = {p[4] - first: p[1] for p in floor_packets}
        run.frames = list(np.maximum.accumulate([frames.get(n, 0) for n in range(max(frames) + 1)]))
        run.frames = [int(f) for f in run.frames]
        run.origin = run.frames[0] - 20_000

        # The machine catches up: its last sentence (en-01) is captioned on the floor and translated into Russian, or
        # the machine has said it skipped segments and gone quiet. Waits for that, never longer than CATCH_UP_S.
        last = timeline[-1]
        deadline = time.monotonic() + CATCH_UP_S
        while time.monotonic() < deadline:
            floor_log = read_jsonl(workdir / "listen-floor.jsonl")
            ru_log = read_jsonl(workdir / "listen-ru.jsonl")
            ends = [run.seconds(m["message"]["end"]) for m in floor_log + ru_log
                    if m["message"].get("type") == "caption"]
            if sum(1 for e in ends if e > last["start"]) >= 2:
                run.caught_up = True
                break
            health = worker.get("/health")[1]
            quiet = not translator.requests or time.time() - translator.requests[-1]["answered"] > 5
            if health["busy"] == 0 and health["queued"] == 0 and quiet and \
                    time.time_ns() // 1000 - run.ingest_ended > 15_000_000:
                break  # nothing more is coming: the machine skipped what was left
            time.sleep(0.2)
        # Let a voice that follows its caption reach the listeners (the voice is queued right after the caption).
        time.sleep(3)
        r = server.api("GET", f"/api/events/{code}/floor-language")
        assert r.status == 200, f"GET floor-language answered {r.status}"
        run.changes = r.json()["changes"]
        run.server_cpu_s = process_cpu_seconds(server.proc.pid)
    finally:
        for listener in pcm.values():
            listener.stop()
        for listener in listeners:
            listener.kill()
        server.stop()
        worker.stop()
        translator.stop()
    run.pcm = pcm
    run.control = {c: read_jsonl(workdir / f"listen-{c}.jsonl") for c in CHANNELS}
    run.worker_requests = read_jsonl(worker_log)
    run.translator_requests = list(translator.requests)
    run.server_log = server.log()
    run.wall_s = time.monotonic() - started
    return run


# ------------------------------------------------------------------------------------------------------ figures


def percentile(values, q):
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if len(values) else float("nan")


def engine_busy(run: SummitRun, start: int, end: int) -> int:
    """µs within [start, end] spent inside the engines (the worker's and the translator's requests, merged)."""
    spans = [(int(r["received"] * 1e6), int(r["answered"] * 1e6)) for r in run.worker_requests + run.translator_requests
             if "answered" in r]
    spans = sorted((max(a, start), min(b, end)) for a, b in spans if b > start and a < end)
    total, cursor = 0, start
    for a, b in spans:
        a = max(a, cursor)
        if b > a:
            total += b - a
            cursor = b
    return total


def sentence_finals(run: SummitRun, channel: str) -> list[tuple[dict, dict]]:
    """(sentence, its final caption on `channel`): the caption of the sentence's last segment."""
    out = {}
    for c in run.finals(channel):
        s = run.sentence_of(c)
        if s is not None and (s["id"] not in out or c["end"] > out[s["id"]]["end"]):
            out[s["id"]] = c
    return [(s, out[s["id"]]) for s in run.timeline if s["id"] in out]


def first_lines(run: SummitRun, channel: str) -> list[tuple[dict, dict]]:
    """(sentence, the first line a listener of `channel` saw of it, partial or final): the first caption with text
    whose speech overlaps the sentence most."""
    out = {}
    for c in run.captions(channel):
        s = run.sentence_of(c)
        if s is not None and c["text"].strip() and s["id"] not in out:
            out[s["id"]] = c
    return [(s, out[s["id"]]) for s in run.timeline if s["id"] in out]


def voice_delays(run: SummitRun, channel: str) -> list[tuple[str, float]]:
    """(sentence, s from its end to the machine's voice on `channel`): for each final caption on the channel that
    arrives while the machine carries it in silence, the first sound after the caption."""
    packets = run.pcm[channel].packets
    out = []
    for sentence, caption in sentence_finals(run, channel):
        t = caption["receivedAt"]
        after = [p for p in packets if p[0] >= t]
        if not after or after[0][3] != "machine" or after[0][2] > VOICE_PEAK:
            continue  # the channel carries the floor, or is still speaking an earlier line
        sound = next((p for p in after if p[2] > VOICE_PEAK and p[3] == "machine"), None)
        if sound is not None and sound[0] - t < 10_000_000:
            out.append((sentence["id"], (sound[0] - run.at(sentence["end"])) / 1e6))
    return out


def figures(run: SummitRun) -> dict:
    caption_s, engine_s, overhead_s, own_s, after_engine_s, by_channel = [], [], [], [], [], {}
    for channel in CHANNELS:
        for sentence, caption in sentence_finals(run, channel):
            end = run.at(sentence["end"])
            total = caption["receivedAt"] - end
            busy = engine_busy(run, end, caption["receivedAt"])
            caption_s.append(total / 1e6)
            by_channel.setdefault(channel, []).append(round(total / 1e6, 2))
            engine_s.append(busy / 1e6)
            overhead_s.append((total - busy) / 1e6)
            # Dragoman's own, on the server's clock alone (from the end of the segment the line renders, so the
            # file's origin plays no part): what is left once the engines and the VAD's end-of-speech wait are out.
            segment = caption["receivedAt"] - caption["end"]
            own_s.append((segment - engine_busy(run, caption["end"], caption["receivedAt"])) / 1e6 - VAD_SILENCE_S)
            # And the plainest part of it: from the engine's last answer to the line on the listener.
            answers = [int(r["answered"] * 1e6) for r in run.worker_requests + run.translator_requests
                       if "answered" in r and int(r["answered"] * 1e6) <= caption["receivedAt"]]
            if answers:
                after_engine_s.append((caption["receivedAt"] - max(answers)) / 1e6)
    # The first line of a sentence, partial or final: from the start of its speech, and how far ahead of the
    # sentence's final line it came (0 where the first line was the final one).
    first_line_s, partial_lead_s, final_line_s = [], [], []
    for channel in CHANNELS:
        finals = dict((s["id"], c) for s, c in sentence_finals(run, channel))
        for sentence, line in first_lines(run, channel):
            first_line_s.append((line["receivedAt"] - run.at(sentence["start"])) / 1e6)
            if sentence["id"] in finals:
                final_line_s.append((finals[sentence["id"]]["receivedAt"] - run.at(sentence["start"])) / 1e6)
                partial_lead_s.append((finals[sentence["id"]]["receivedAt"] - line["receivedAt"]) / 1e6)
    voices = voice_delays(run, "ru") + voice_delays(run, "en")
    switches = {}
    for change in run.changes:
        first = next((s for s in run.timeline if s["lang"] == change["language"]), None)
        if first is not None and change["language"] not in switches:
            switches[change["language"]] = (change["at"] - run.at(first["start"])) / 1e6
    worker = [r for r in run.worker_requests if r.get("status") == 200]
    return {
        "sentences_captioned": {c: len(sentence_finals(run, c)) for c in CHANNELS},
        "caption_s": (percentile(caption_s, 50), percentile(caption_s, 95), len(caption_s)),
        "engine_s": (percentile(engine_s, 50), percentile(engine_s, 95)),
        "overhead_s": (percentile(overhead_s, 50), percentile(overhead_s, 95)),
        "own_s": (percentile(own_s, 50), percentile(own_s, 95)),
        "answer_to_caption_s": (percentile(after_engine_s, 50), percentile(after_engine_s, 95)),
        "first_line_after_start_s": (percentile(first_line_s, 50), percentile(first_line_s, 95), len(first_line_s)),
        "final_line_after_start_s": (percentile(final_line_s, 50), percentile(final_line_s, 95)),
        "partial_lead_s": (percentile(partial_lead_s, 50), percentile(partial_lead_s, 95)),
        "partial_lines": {c: len(run.partials(c)) for c in CHANNELS},
        "withdrawn_lines": {c: sum(1 for x in run.captions(c) if x.get("final") and not x["text"].strip())
                            for c in CHANNELS},
        "caption_s_by_channel": by_channel,
        "voice_s": (percentile([v for _, v in voices], 50), percentile([v for _, v in voices], 95), len(voices)),
        "switch_s": switches,
        "dropped_segments": len(run.dropped_segments()),
        "skipped_sentences": sorted(run.skipped_sentences()),
        "whisper_requests": len(worker),
        "whisper_rtf": run.whisper_rtf(),
        "forced_passes": sum(1 for r in worker if r.get("language")),
        "translations": len([r for r in run.translator_requests if r["path"] == "/translate"]),
    }


def summit_references() -> dict[str, dict[str, str]]:
    """Each summit sentence's reference translations from testdata/summit.tsv: id -> {language: text}; a
    sentence's own language holds its own text."""
    rows = {}
    lines = (dt.REPO / "testdata" / "summit.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        rows[row["id"]] = {**{k[len("ref_"):]: v for k, v in row.items() if k.startswith("ref_") and v},
                           row["lang"]: row["text"]}
    return rows


def simultaneous_log(run: SummitRun, channel: str, wav: str = "summit-floor.wav") -> dict:
    """The machine booth's output on `channel` as the field scores a long-form simultaneous translation
    (OmniSTEval `longform`, with LongYAAL; see scripts/bench-machine). Returns:
      segmentation: the summit's sentences in other languages than the channel's (the ones the booth interprets;
                    its own language the channel hears from the floor), as offset and duration in seconds of the
                    floor file;
      references:   their reference translations into the channel's language, one per sentence;
      hypothesis:   one SimulEval instance: every word of the channel's final captions, each emitted
                    computation-aware ("elapsed") when its line reached the listener, and computation-unaware
                    ("delays") when the speech it renders ended, in ms of the floor file (the machine hears a
                    whole segment before it starts on it, so that is its policy's own lag, and the rest is compute)."""
    references = summit_references()
    def reference(sentence):  # a long run's k-th time of a sentence is named id@k
        return references.get(sentence["id"].split("@")[0], {}).get(channel)

    sentences = [s for s in run.timeline if s["lang"] != channel and reference(s)]
    words, elapsed, delays = [], [], []
    for caption in run.finals(channel):
        line = caption["text"].split()
        words += line
        elapsed += [round(run.seconds(caption["receivedAt"]) * 1000, 1)] * len(line)
        delays += [round(run.seconds(caption["end"]) * 1000, 1)] * len(line)
    length = max((s["end"] for s in run.timeline), default=0) * 1000
    return {
        "segmentation": [{"wav": wav, "offset": s["start"], "duration": round(s["end"] - s["start"], 3)}
                         for s in sentences],
        "references": [reference(s) for s in sentences],
        "hypothesis": {"source": [wav], "prediction": " ".join(words), "delays": delays, "elapsed": elapsed,
                       "source_length": round(length, 1)},
    }


def caption_delays_by_minute(run: SummitRun) -> list[dict]:
    """For a long run: per minute of the floor (by sentence end), the delays from a sentence's end to its final
    caption on every channel (p50, p95, how many), and how many of the minute's sentences the machine skipped in
    part as stale: whether the machine's delay grows over the meeting, or holds."""
    delays: dict[int, list[float]] = {}
    for channel in CHANNELS:
        for sentence, caption in sentence_finals(run, channel):
            delays.setdefault(int(sentence["end"] // 60), []).append((caption["receivedAt"] - run.at(sentence["end"])) / 1e6)
    skipped = run.skipped_sentences()
    minutes = sorted({int(s["end"] // 60) for s in run.timeline})
    return [{"minute": m, "caption_s": (percentile(delays.get(m, []), 50), percentile(delays.get(m, []), 95)),
             "captions": len(delays.get(m, [])),
             "sentences": sum(1 for s in run.timeline if int(s["end"] // 60) == m),
             "skipped": sum(1 for s in run.timeline if int(s["end"] // 60) == m and s["id"] in skipped)}
            for m in minutes]
