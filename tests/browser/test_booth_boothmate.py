"""The console's boothmate strip and the floor's transcript, against the real server with a machine booth.

`dragoman serve --whisper-url` points at whisper_stub.WhisperStub, which answers every segment with one Russian
sentence holding a name, a date and a number; the floor is a Russian sentence of the summit audio looped by
`dragoman ingest` (with a second of silence after it, so that the real silero VAD ends a segment each time). The
Kazakh booth's interpreter opens the console at 1280×800: the strip writes down the name, the date and the number;
the transcript shows the line once asked for (remembered after a reload); a click on the toggle leaves the
keyboard shortcuts working; the mic key, the ON AIR tally and the strip stay on screen; in kk, ru and en."""

import json
import time
import wave

import numpy as np

import dragoman_testing as dt
from chromium import screenshot, selenium
from whisper_stub import WhisperStub

WIDTH, HEIGHT = 1280, 800
SENTENCE = "Касым-Жомарт Токаев сообщил, что 15 марта 2026 года экспорт зерна вырос на 12 %."
NOTES = {"Касым-Жомарт Токаев", "15 марта 2026", "12 %"}
TITLES = {"kk": "Мінберден", "ru": "С трибуны", "en": "From the floor"}


class MachineServer(dt.Server):
    """`dragoman serve` with the recognizer at `whisper_url`, and the floor language left to the organizer."""

    def __init__(self, binary, workdir, whisper_url):
        super().__init__(binary, workdir)
        self.whisper_url = whisper_url

    @property
    def command(self):
        return super().command + ["--whisper-url", self.whisper_url, "--floor-language", "manual"]


def floor_wav(path, sentence):
    """The sentence, then a second of silence (the VAD ends the segment there), as a 48 kHz mono WAV."""
    x, rate = dt.read_wav(sentence)
    pcm = np.round(np.concatenate([x, np.zeros(rate)]) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def console(d):
    return d.execute_script("const b = window.dragomanBooth; return b ? {notes: b.notes(), console: b.console(),"
                            " state: b.state()} : null")


def wait_for(d, what, cond, timeout=20):
    deadline = time.monotonic() + timeout
    p = None
    while time.monotonic() < deadline:
        p = console(d)
        if p and cond(p):
            return p
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s. Last seen: {json.dumps(p, ensure_ascii=False)[:3000]}")


def boxes(d):
    """Where the mic key, the tally, the strip (and its list) and the transcript are, and the viewport."""
    return d.execute_script("""
        const box = (id) => { const e = document.getElementById(id); if (!e || e.hidden) return null;
          const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
        return {width: innerWidth, height: innerHeight, mic: box('mic'), tally: box('tally'),
                strip: box('floor-notes'), notes: box('notes'), transcript: box('transcript'),
                focus: document.activeElement !== document.getElementById('transcript-toggle')};""")


def on_screen(b, name):
    r = b[name]
    assert r is not None, f"{name} is not shown: {b}"
    assert r["top"] >= 0 and r["left"] >= 0 and r["bottom"] <= b["height"] and r["right"] <= b["width"], \
        f"{name} is not wholly on the {b['width']}×{b['height']} screen: {b}"


def test_boothmate_strip_and_transcript_from_the_floor(dragoman_bin, cli, browser, artifacts, summit_audio, tmp_path):
    with WhisperStub(SENTENCE) as stub:
        server = MachineServer(dragoman_bin, tmp_path / "server", stub.url)
        artifacts.keep(server.log_path)
        server.start()
        try:
            run(server, stub, cli, browser, summit_audio, tmp_path)
        finally:
            server.stop()


def run(server, stub, cli, browser, summit_audio, tmp_path):
    r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk", "en"], "machine": ["en"]})
    assert r.status == 201, f"POST /api/events answered {r.status}: {r.body[:300]!r}"
    ev = r.json()
    code = ev["code"]
    r = server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"})
    assert r.status == 200, f"floor-language answered {r.status}: {r.body[:300]!r}"
    r = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "kk"})
    assert r.status == 201, r.body[:300]
    key = r.json()["key"]

    wav = floor_wav(tmp_path / "floor.wav", summit_audio / "ru-01.wav")
    cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop", wav)

    d = browser(phone=False, window=(WIDTH, HEIGHT), exact_viewport=True, microphone=wav)
    d.get(f"{server.url}/booth/{code}?key={key}")
    d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify('kk'))")
    wait_for(d, "the console connected", lambda p: p["console"]["connection"] == "open" and p["state"], 10)
    _, _, ActionChains, By = selenium()
    d.find_element(By.ID, "start").click()
    wait_for(d, "sound and microphone on", lambda p: p["console"]["audio"] == "on", 10)

    # The strip: the name, the date and the number of the floor's line; the transcript waits to be asked for.
    p = wait_for(d, "the strip writes down the floor's name, date and number",
                 lambda p: NOTES <= {n["text"] for n in p["notes"]["notes"]}, 30)
    assert p["notes"]["shown"] and not p["notes"]["transcriptOn"] and not p["notes"]["transcriptShown"], p["notes"]
    assert NOTES <= set(p["notes"]["shownNotes"]), p["notes"]
    kinds = {n["text"]: n["kind"] for n in p["notes"]["notes"]}
    assert (kinds["Касым-Жомарт Токаев"], kinds["15 марта 2026"], kinds["12 %"]) == ("name", "date", "number"), kinds
    assert any(r["path"] == "/v1/audio/transcriptions" and r["response_format"] == "verbose_json"
               for r in stub.requests), stub.requests[:3]

    # The transcript, on request: the line; the focus stays where it was, and the shortcuts still work.
    d.find_element(By.ID, "transcript-toggle").click()
    p = wait_for(d, "the transcript shows the line",
                 lambda p: p["notes"]["transcriptShown"] and any(l["text"] == SENTENCE and l["final"]
                                                                 for l in p["notes"]["transcript"]))
    assert boxes(d)["focus"], "the toggle must leave the focus (and so the keys) to the console"
    assert d.execute_script("return localStorage.getItem('dragoman.booth-transcript')") == "true"
    ActionChains(d).send_keys("m").perform()
    wait_for(d, "M after the click: on air", lambda p: p["console"]["micKey"] == "on")

    # Remembered: after a reload the transcript is on again.
    d.refresh()
    wait_for(d, "the console back", lambda p: p["console"]["connection"] == "open" and p["state"], 10)
    p = wait_for(d, "the transcript on again after a reload",
                 lambda p: p["notes"]["transcriptShown"] and p["notes"]["transcript"], 30)
    d.find_element(By.ID, "start").click()
    wait_for(d, "sound and microphone on", lambda p: p["console"]["audio"] == "on", 10)
    ActionChains(d).send_keys("m").perform()
    p = wait_for(d, "on air again, the strip filled", lambda p: p["console"]["micKey"] == "on"
                 and NOTES <= set(p["notes"]["shownNotes"]), 30)

    # In each language, with the transcript off and on: the strip's words, and the console still fits the screen:
    # the mic key, the ON AIR tally, the strip's notes (and the transcript) are all on it.
    for lang in ("kk", "ru", "en"):
        d.execute_script("const s = document.getElementById('ui-lang'); s.value = arguments[0];"
                         "s.dispatchEvent(new Event('change'));", lang)
        wait_for(d, f"the console in {lang}", lambda p: d.execute_script(
            "return document.documentElement.lang === arguments[0]"
            " && document.getElementById('notes-title').textContent === arguments[1]", lang, TITLES[lang]), 10)
        for transcript in (False, True):
            if transcript != d.execute_script("return window.dragomanBooth.notes().transcriptOn"):
                d.find_element(By.ID, "transcript-toggle").click()
            wait_for(d, f"the transcript {'on' if transcript else 'off'}",
                     lambda p: p["notes"]["transcriptShown"] == transcript, 5)
            if console(d)["console"]["micKey"] != "on":
                # The server takes a console off air when its microphone stalls for a second (a loaded machine's
                # fake microphone may): on air again, for the tally.
                ActionChains(d).send_keys("m").perform()
                wait_for(d, "on air again", lambda p: p["console"]["micKey"] == "on", 10)
            screenshot(d, f"booth-boothmate-{'transcript-' if transcript else ''}{lang}.png")
            b = boxes(d)
            for name in ("mic", "tally", "notes") + (("transcript",) if transcript else ()):
                on_screen(b, name)
            assert d.execute_script("return document.getElementById('tally').dataset.state") == "on", b
            # Notes wholly visible: above the list's cut and the window's bottom. At least two, or one beside the
            # transcript, which takes the room of the others.
            shown = d.execute_script(
                "const end = Math.min(innerHeight, document.getElementById('notes').getBoundingClientRect().bottom);"
                "return [...document.querySelectorAll('#notes .note')]"
                ".filter((li) => li.getBoundingClientRect().bottom <= end + 0.5).length")
            assert shown >= (1 if transcript else 2), f"{shown} notes on screen: {b}"
