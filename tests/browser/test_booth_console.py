"""The interpreter console (booth.html) in headless Chromium, against a live floor.

Two interpreters of the Russian booth open their consoles side by side: two browsers at a desktop size, each with its
own fake microphone (Russian sentences of the summit audio, one voice lowered and one raised, so that the listener's
recording tells them apart and neither matches the floor). The floor speaks Kazakh, so the Russian channel carries the
booth whenever someone is live. A `dragoman listen` on the Russian channel must hear: the floor, then interpreter 1,
silence while she holds the cough key, interpreter 1 again, and interpreter 2 after the handover (request → accept →
switch now), with no gap in the sound.

Needs Debian's `chromium` and `chromium-driver` (scripts/setup installs them). All traffic stays on loopback: the
browser resolves every name but 127.0.0.1 and localhost to "not found", and its background services are off."""

import json
import time
import wave
from pathlib import Path

import numpy as np

import dragoman_testing as dt
from chromium import screenshot, selenium
from dragoman_testing import create_event

WIDTH, HEIGHT = 1280, 800
RATE = dt.SAMPLE_RATE
HEADER_BYTES = 44  # the listener's WAV header (Sources/DragomanAudio/Formats/WAVFile.swift)
EDGE_S = 0.4  # trimmed off both ends of every window: the server, the network and the browser take a moment
VOICE_NCC = 0.7  # correlation with a console's microphone above this: that voice is on the channel
OTHER_NCC = 0.45  # ... below this: it is not
SILENCE_RMS = 10 ** (-50 / 20)
AUDIBLE_RMS = 10 ** (-40 / 20)


# ---------------------------------------------------------------------------------------------------- the voices


def make_voice(path: Path, sentences: list[Path], stretch: float) -> np.ndarray:
    """A 48 kHz 16-bit mono WAV for Chromium's fake microphone: the sentences with 0.3 s between them, played
    `stretch` times slower (a lower voice above 1, a higher one below), peaks at −3 dBFS. Returns the samples."""
    parts = []
    for sentence in sentences:
        x, rate = dt.read_wav(sentence)
        assert rate == RATE, f"{sentence}: {rate} Hz, expected {RATE}"
        parts += [x, np.zeros(int(0.3 * RATE))]
    x = np.concatenate(parts)
    n = int(len(x) * stretch)
    y = np.interp(np.linspace(0, len(x) - 1, n), np.arange(len(x)), x)
    y *= 0.7 / max(1e-9, float(np.max(np.abs(y))))
    pcm = np.round(y * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return pcm.astype(np.float64) / 32768.0


# ---------------------------------------------------------------------------------------------------- the browsers


def page(d) -> dict:
    return d.execute_script(
        "const b = window.dragomanBooth; if (!b) return null;"
        "return {state: b.state(), console: b.console(), incoming: b.incomingLevel(), mic: b.micLevel(),"
        " sent: b.sentBytes()};")


def wait_for(d, what, cond, timeout=30):
    """Polls the console every 100 ms until cond(state, console, page) is true (state: the last booth-state,
    console: the page's own view, page: both with the levels); fails with what the page last said."""
    deadline = time.monotonic() + timeout
    p = None
    while time.monotonic() < deadline:
        p = page(d)
        if p and p["state"] is not None and cond(p["state"], p["console"], p):
            return p
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s. "
                         f"Last window.dragomanBooth = {json.dumps(p, ensure_ascii=False)}")


def press(d, key):
    _, _, ActionChains, _ = selenium()
    ActionChains(d).send_keys(key).perform()


def hold(d, key, down: bool):
    _, _, ActionChains, _ = selenium()
    chain = ActionChains(d)
    (chain.key_down(key) if down else chain.key_up(key)).perform()


def online(state) -> int:
    return sum(1 for i in state["interpreters"] if i["online"])


def on_air(interpreter_id):
    """A wait_for condition: this interpreter is live, not coughing, and the channel carries the booth."""
    return lambda s, c, *_: (s.get("live") == interpreter_id and s["onAir"]
                             and s["carrying"]["source"]["kind"] == "interpreter")


def handover(state, by):
    return lambda s, c, *_: s["handover"]["state"] == state and s["handover"].get("by") == by


# ---------------------------------------------------------------------------------------------------- the listener


class Tape:
    """Where the listener's recording stands: mark() notes how many samples the WAV held at that moment, so that
    each step of the scenario maps to a stretch of what the listener heard."""

    def __init__(self, path: Path):
        self.path = path
        self.marks: dict[str, tuple[float, int]] = {}

    def now(self) -> int:
        try:
            return max(0, (self.path.stat().st_size - HEADER_BYTES) // 2)
        except FileNotFoundError:
            return 0

    def mark(self, name: str) -> None:
        self.marks[name] = (time.monotonic(), self.now())

    def hold(self, seconds: float, limit_s: float = 30.0) -> None:
        """Lets a step last `seconds`, and as long again as the listener needs to record that much: on a busy
        machine the listener's recording lags, and a step's window must still hold the sound of that step."""
        t0, n0 = time.monotonic(), self.now()
        while time.monotonic() - t0 < limit_s and (time.monotonic() - t0 < seconds or self.now() - n0 < seconds * RATE):
            time.sleep(0.05)

    def window(self, start: str | None, end: str, x: np.ndarray, least_s: float = 1.0) -> np.ndarray:
        """What the listener heard from mark `start` (None: the beginning) to mark `end`, less EDGE_S at each end."""
        a = self.marks[start][1] + int(EDGE_S * RATE) if start else 0
        b = self.marks[end][1] - int(EDGE_S * RATE)
        assert b - a >= least_s * RATE, \
            f"the window {start} → {end} holds {(b - a) / RATE:.2f} s of sound, under {least_s} s: {self.marks}"
        assert b <= len(x), f"the recording ends before {end}: {len(x)} samples, window to {b}"
        return x[a:b]


def best_ncc(reference: np.ndarray, segment: np.ndarray) -> float:
    """The highest normalized correlation of `segment` with any stretch of `reference` of its length (the segment
    lies wholly inside the reference: no partial overlaps, which dt.aligned_ncc would also consider)."""
    n = 1 << int(np.ceil(np.log2(len(reference) + len(segment))))
    valid = len(reference) - len(segment) + 1
    xc = np.fft.irfft(np.fft.rfft(reference, n) * np.conj(np.fft.rfft(segment, n)), n)[:valid]
    energy = np.concatenate([[0.0], np.cumsum(reference * reference)])
    local = energy[len(segment):] - energy[:valid]
    ncc = xc / np.sqrt(np.maximum(local, 1e-12) * max(float(np.dot(segment, segment)), 1e-12))
    return float(np.max(ncc))


def voice_scores(segment: np.ndarray, voices: dict) -> dict:
    """For each console's looping microphone: the median over 1 s pieces (every 0.5 s) of the segment of their
    best correlation with it. Pieces, because a fake microphone under load may skip a few milliseconds now and
    then, which would spoil one alignment for the whole segment."""
    pieces = [segment[k:k + RATE] for k in range(0, max(1, len(segment) - RATE + 1), RATE // 2)]
    return {name: round(float(np.median([best_ncc(np.concatenate([v, v]), piece) for piece in pieces])), 3)
            for name, v in voices.items()}


# ---------------------------------------------------------------------------------------------------- the test


def test_two_interpreters_go_live_cough_and_hand_over_while_a_listener_hears_them(server, cli, browser,
                                                                                   artifacts, summit_audio, tmp_path):
    t_start = time.monotonic()
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    code = ev["code"]
    keys = {}
    for name in ("Aigerim", "Pavel"):
        r = server.api("POST", f"/api/events/{code}/interpreters", {"name": name, "booth": "ru"})
        assert r.status == 201, f"POST /api/events/{code}/interpreters answered {r.status}: {r.body[:300]!r}"
        keys[name] = r.json()
        assert keys[name]["consoleURL"].endswith(f"/booth/{code}?key={keys[name]['key']}"), keys[name]
    r = server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"})
    assert r.status == 200, f"floor-language answered {r.status}: {r.body[:300]!r}"

    voices = {
        "Aigerim": make_voice(tmp_path / "mic-aigerim.wav", [summit_audio / f"ru-0{i}.wav" for i in (1, 2)], 1.12),
        "Pavel": make_voice(tmp_path / "mic-pavel.wav", [summit_audio / "ru-03.wav", summit_audio / "en-01.wav"], 0.9),
    }
    ingest = cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"],
                       "--loop", summit_audio / "summit-floor.wav")

    # The two consoles, each from its organizer's link.
    d1 = browser(phone=False, window=(WIDTH, HEIGHT), exact_viewport=True, microphone=tmp_path / "mic-aigerim.wav")
    d2 = browser(phone=False, window=(WIDTH, HEIGHT), exact_viewport=True, microphone=tmp_path / "mic-pavel.wav")
    for d, name in ((d1, "Aigerim"), (d2, "Pavel")):
        d.get(f"{server.url}/booth/{code}?key={keys[name]['key']}")
        assert d.execute_script("return window.isSecureContext") is True, "127.0.0.1 should be a secure context"
    _, _, _, By = selenium()
    for d, name in ((d1, "Aigerim"), (d2, "Pavel")):
        wait_for(d, f"{name}'s console connected", lambda s, c, *_: c["connection"] == "open", 30)
        assert "key=" not in d.current_url, f"the key should leave the address bar: {d.current_url}"
        d.find_element(By.ID, "start").click()
    id1, id2 = keys["Aigerim"]["id"], keys["Pavel"]["id"]
    for d, name in ((d1, "Aigerim"), (d2, "Pavel")):
        p = wait_for(d, f"{name}: sound and microphone started, both partners online",
                     lambda s, c, *_: c["audio"] == "on" and online(s) == 2, 30)
        s = p["state"]
        assert s["booth"] == "ru" and p["console"]["you"]["id"] == (id1 if d is d1 else id2), p
        assert s["hears"]["kind"] == "floor" and s["hears"]["depth"] == 0 and s["hears"]["language"] == "kk", s
        assert s["floorLanguage"] == "kk" and s["floorLive"] is True, s
        assert s.get("live") is None and p["console"]["micKey"] == "off", p
        assert set(s["relayOptions"]) == {"kk", "en"}, s
    for d, name in ((d1, "Aigerim"), (d2, "Pavel")):
        p = wait_for(d, f"{name} hears the floor, and the microphone is captured and sent",
                     lambda s, c, p: c["packets"] > 25 and p["incoming"] > 0.003 and p["mic"] > 0 and p["sent"] > 0,
                     30)

    # Relay: Pavel (not live) cycles to a relay and back to the floor with R and F.
    press(d2, "r")
    p = wait_for(d2, "R: relay from the next booth", lambda s, c, *_: s["source"]["kind"] == "relay")
    assert p["state"]["source"]["language"] in ("kk", "en") and p["state"]["hears"]["depth"] == 0, \
        f"a relay from a booth nobody is live in hears the floor: {p['state']}"
    press(d2, "f")
    wait_for(d2, "F: back to the floor", lambda s, c, *_: s["source"]["kind"] == "floor")

    # The listener on the Russian channel.
    wav = tmp_path / "listener-ru.wav"
    stats_path = tmp_path / "listener-ru.json"
    control_log = tmp_path / "listener-ru.jsonl"
    listener = cli.start("listen", "--server", server.url, "--event", code, "--channel", "ru", "--output", wav,
                         "--duration", 120, "--stats-json", stats_path,
                         "--control-log", control_log)
    for path in (wav, stats_path, control_log):
        artifacts.keep(path)
    tape = Tape(wav)
    dt.wait_listeners(server, code, "ru", 1)
    deadline = time.monotonic() + 5
    while tape.now() < RATE // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    tape.mark("floor")
    tape.hold(2.5)

    # 1. Aigerim goes on air (M).
    tape.mark("press-m")
    press(d1, "m")
    on_air_1 = on_air(id1)
    p1 = wait_for(d1, "M: Aigerim on air", on_air_1)
    tape.mark("live-1")
    assert p1["console"]["micKey"] == "on", f"the mic key should show ON AIR: {p1['console']}"
    p2 = wait_for(d2, "Pavel's console sees Aigerim on air", on_air_1)
    assert p2["console"]["micKey"] == "partner", p2["console"]
    # Pavel's M while she is live is refused, and the console says why.
    press(d2, "m")
    p2 = wait_for(d2, "Pavel's M refused with mic-busy",
                  lambda s, c, *_: c["refusal"] is not None and c["refusal"]["code"] == "mic-busy")
    assert "Aigerim" in p2["console"]["refusal"]["text"], p2["console"]["refusal"]
    assert p2["state"].get("live") == id1, p2["state"]
    # A word to the partner: B, type, Enter. The field lets go after sending, so the next key is a key again.
    press(d1, "b")
    press(d1, "Numbers coming, slide 4\n")
    wait_for(d2, "Pavel reads the booth chat", lambda s, c, *_: c["chats"]["booth"] == 1)
    p1 = wait_for(d1, "Aigerim's own line, once", lambda s, c, *_: c["chats"]["booth"] == 1)
    assert d1.execute_script("return document.activeElement === document.body"), "the chat field should let go"
    assert "Numbers coming" in d2.find_element(By.ID, "chat-booth-log").text
    tape.hold(1.8)
    screenshot(d1, "booth-console-live.png")

    # 2. Cough: held for 2.5 s, then released.
    tape.mark("cough-down")
    hold(d1, "c", True)
    p1 = wait_for(d1, "C held: coughing", lambda s, c, *_: s["coughing"] and not s["onAir"])
    assert p1["console"]["micKey"] == "muted", p1["console"]
    wait_for(d2, "Pavel's console sees the cough", lambda s, c, *_: s["coughing"])
    tape.mark("coughing")
    tape.hold(2.5)
    tape.mark("cough-up")
    hold(d1, "c", False)
    wait_for(d1, "C released: on air again", lambda s, c, *_: not s["coughing"] and s["onAir"] and s.get("live") == id1)
    tape.mark("live-1b")
    tape.hold(2.2)

    # 3. Handover: Aigerim requests (H), Pavel accepts (A), Aigerim switches now (S).
    tape.mark("request")
    press(d1, "h")
    requested = handover("requested", id1)
    wait_for(d1, "H: handover requested", requested)
    p2 = wait_for(d2, "Pavel sees the request", requested)
    assert "Aigerim" in p2["console"]["handoverText"], p2["console"]
    press(d2, "a")
    accepted = handover("accepted", id2)
    wait_for(d2, "A: Pavel accepted", accepted)
    p1 = wait_for(d1, "Aigerim sees that Pavel is ready", accepted)
    assert "Pavel" in p1["console"]["handoverText"], p1["console"]
    assert d1.execute_script("return document.getElementById('hand-switch').classList.contains('next')"), \
        "Switch now should be the highlighted next step"
    screenshot(d1, "booth-console-handover.png")
    tape.mark("switch")
    press(d1, "s")
    on_air_2 = on_air(id2)
    p2 = wait_for(d2, "S: Pavel on air", on_air_2)
    tape.mark("live-2")
    assert p2["console"]["micKey"] == "on" and p2["state"]["handover"]["state"] == "none", p2
    p1 = wait_for(d1, "Aigerim's console: off air, Pavel live", on_air_2)
    assert p1["console"]["micKey"] == "partner" and not p1["console"]["live"], p1["console"]
    tape.hold(3.0)
    tape.mark("end")
    screenshot(d2, "booth-console-partner-live.png")

    # 4. Pavel goes off air: the channel falls back to the floor; then the floor stops and the listener ends.
    press(d2, "m")
    wait_for(d2, "M: Pavel off air, the channel carries the floor",
             lambda s, c, *_: s.get("live") is None and s["carrying"]["source"]["kind"] == "floor")
    ingest.kill()
    rc = listener.interrupt()
    assert rc == 0, f"listener exit {rc}:\n{listener.stderr}"

    # What the listener received.
    heard, rate = dt.read_wav(wav)
    assert rate == RATE
    stats = dt.read_stats(stats_path)
    report = {"marks_s": {k: round(v[1] / RATE, 2) for k, v in tape.marks.items()}, "stats": stats}
    scores = {}
    floor = tape.window(None, "press-m", heard, least_s=0.5)
    scores["floor"] = voice_scores(floor, voices)
    live1 = tape.window("live-1", "cough-down", heard)
    scores["live-1"] = voice_scores(live1, voices)
    cough = tape.window("coughing", "cough-up", heard)
    live1b = tape.window("live-1b", "request", heard)
    scores["live-1b"] = voice_scores(live1b, voices)
    live2 = tape.window("live-2", "end", heard)
    scores["live-2"] = voice_scores(live2, voices)
    report["scores"] = scores
    report["rms_dbfs"] = {k: round(20 * np.log10(max(dt.rms(x), 1e-9)), 1)
                          for k, x in (("floor", floor), ("live-1", live1), ("cough", cough), ("live-1b", live1b),
                                       ("live-2", live2))}
    artifacts.path("listener-report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report))

    assert dt.rms(floor) > AUDIBLE_RMS, f"the Russian channel should carry the (Kazakh) floor at first: {report}"
    assert max(scores["floor"].values()) < OTHER_NCC, f"no interpreter before anyone pressed M: {report}"
    assert scores["live-1"]["Aigerim"] > VOICE_NCC > OTHER_NCC > scores["live-1"]["Pavel"], \
        f"after Aigerim's M the channel should carry her microphone: {report}"
    assert dt.rms(cough) < SILENCE_RMS, f"the channel should be silent while she holds the cough key: {report}"
    assert scores["live-1b"]["Aigerim"] > VOICE_NCC, f"her voice should be back after the cough: {report}"
    assert scores["live-2"]["Pavel"] > VOICE_NCC > OTHER_NCC > scores["live-2"]["Aigerim"], \
        f"after the handover the channel should carry Pavel: {report}"

    # While an interpreter was live the listener heard sound throughout: as many samples as time went by (give or
    # take the bursts of a loaded machine), the cough's silence included, and no gap around the switch. (Before,
    # the floor comes from `dragoman ingest`, whose pace on a loaded 2-core machine is not this test's subject.)
    # Sound still on its way at a mark is no gap: the slack is the listener's largest delay (tens of ms on an idle
    # machine; seconds when other work starves the processes).
    in_flight = stats["delay_ms"]["max"] / 1000
    for a, b in (("live-1", "end"), ("request", "end")):
        (t0, n0), (t1, n1) = tape.marks[a], tape.marks[b]
        assert (n1 - n0) / RATE > (t1 - t0) - 0.6 - in_flight, \
            f"{a} → {b}: {(n1 - n0) / RATE:.2f} s of sound in {t1 - t0:.2f} s: a gap on the channel. {report}"
    assert stats["lost"] == 0 and stats["dropped_by_server"] == 0, f"the listener lost packets: {stats}"

    # What the listener was told: the floor, then the interpreter, then the floor again.
    kinds = []
    for line in control_log.read_text().splitlines():
        message = json.loads(line)["message"]
        if message.get("type") == "carrying":
            kind = message["source"]["kind"]
            if not kinds or kinds[-1] != kind:
                kinds.append(kind)
    assert kinds[:3] == ["floor", "interpreter", "floor"], f"carrying messages on ru: {kinds}"

    # 5. The server goes down hard while Pavel is live: his console says he is off air, reconnects by itself when
    # the server is back, and comes back with the microphone off, saying so.
    press(d2, "m")
    wait_for(d2, "M: Pavel on air again", lambda s, c, *_: s.get("live") == id2 and c["micKey"] == "on")
    server.restart()
    t_back = time.monotonic()
    for d, name in ((d2, "Pavel"), (d1, "Aigerim")):
        p = wait_for(d, f"{name}'s console back after the restart",
                     lambda s, c, *_: c["connection"] == "open" and online(s) == 2, 15)
        assert p["state"].get("live") is None and p["console"]["micKey"] == "off", \
            f"a console comes back with the microphone off: {p}"
    banner = page(d2)["console"]["banner"] or ""
    assert "OFF" in banner, f"Pavel's console should say that his microphone is off after the drop: {banner!r}"
    print(f"consoles back {time.monotonic() - t_back:.1f} s after the server restart; Pavel's console says: {banner}")
    screenshot(d2, "booth-console-reconnected.png")
    print(f"test wall time {time.monotonic() - t_start:.1f} s")
