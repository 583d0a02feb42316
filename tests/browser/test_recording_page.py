"""The record of a meeting (/record/{code}) in headless Chromium against the real server: a recorded meeting in
Russian, Kazakh and English (the floor speaks Russian, a machine booth covers English, captions from a recognizer
stub), opened from the desk's link. The floor and every language stand side by side, lines said at the same moment
on one row; the floor's Ogg/Opus plays in the browser for as long as the server says it lasts, the line being said
is marked as it plays, and choosing a line (click or keyboard) plays from there. Screenshots at 1280×800 and, one
channel at a time, 390×844."""

from __future__ import annotations

import time
import wave

import dragoman_testing as dt
from chromium import axe_violations, click, poll, screenshot, selenium
from whisper_stub import WhisperStub


class NumberedWhisper(WhisperStub):
    """Answers each request with a numbered sentence, so that every line of the record is told apart."""

    def __init__(self):
        super().__init__("Предложение", translation="Sentence")
        self.counts = {"transcriptions": 0, "translations": 0}

    def answer(self, endpoint, fields):
        self.counts[endpoint] += 1
        answer = super().answer(endpoint, fields)
        text = f"{answer['text']} {self.counts[endpoint]}."
        answer["text"] = text
        answer["segments"][0]["text"] = text
        return answer

class MachineServer(dt.Server):
    """`dragoman serve` with its recognizer at `whisper_url` and the floor language set by hand."""

    def __init__(self, binary, workdir, whisper_url):
        super().__init__(binary, workdir)
        self.whisper_url = whisper_url

    @property
    def command(self):
        # Final lines only: the stub numbers every request, and partial lines would be requests too.
        return super().command + ["--whisper-url", self.whisper_url, "--floor-language", "manual", "--partial-captions", "0"]

def floor_speech(summit_audio, path):
    """Three Russian sentences with a pause after each (about 17 s): three lines of the floor's transcript."""
    frames, params = [], None
    for name in ("ru-01", "ru-02", "ru-03"):
        with wave.open(str(summit_audio / f"{name}.wav")) as w:
            params = w.getparams()
            frames.append(w.readframes(w.getnframes()))
            frames.append(b"\0" * (w.getsampwidth() * w.getnchannels() * int(w.getframerate() * 1.5)))
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(b"".join(frames))
    return path

def recordings(server, code):
    return [r for r in server.api("GET", f"/api/events/{code}/recordings").json()["recordings"] if r["track"] == "channel"]

def transcript(server, code, recording):
    return server.api("GET", f"/api/events/{code}/recordings/{recording['file'][:-5]}.json").json()

def record_state(d):
    return d.execute_script("return window.dragomanRecord ? window.dragomanRecord.state() : null;")

def layout(d):
    """Every line on the page: its channel (the column's), meeting time, text and where it is drawn."""
    return d.execute_script("""
        return [...document.querySelectorAll('.record-line')].map((b) => {
          const r = b.getBoundingClientRect();
          return { channel: b.closest('td').dataset.channel, row: b.closest('tr').rowIndex, at: Number(b.dataset.at), text: b.innerText,
                   top: r.top + window.scrollY, left: r.left, current: b.getAttribute('aria-current') === 'true' };
        });""")

def column_heads(d, visible_only=False):
    """The table's column heads (read at once: a change of language redraws them)."""
    return d.execute_script("return [...document.querySelectorAll('#record-head th')].filter(th => !arguments[0] || th.offsetParent)"
                            ".map(th => th.innerText)", visible_only)


def audio(d, channel, what):
    return d.execute_script(f"const a = document.querySelector('audio[data-channel={channel}]'); return a ? a.{what} : null;")

def assert_aligned(d):
    """Each English line on the row of the floor line it renders (within 2 s), drawn at the same height to 3 px and
    to its right; one floor line per row, in time order. Returns the floor's lines."""
    drawn = layout(d)
    floor_lines = [line for line in drawn if line["channel"] == "floor"]
    english = [line for line in drawn if line["channel"] == "en"]
    assert len(floor_lines) >= 3 and len(english) >= 3, drawn
    for line in english:
        partner = min(floor_lines, key=lambda f: abs(f["at"] - line["at"]))
        assert abs(partner["at"] - line["at"]) <= 2, f"{line} has no floor line within 2 s: {floor_lines}"
        assert partner["row"] == line["row"] and abs(partner["top"] - line["top"]) <= 3, f"not side by side: {partner} and {line}"
        assert partner["left"] < line["left"], (partner, line)
    rows = [line["row"] for line in floor_lines]
    assert rows == sorted(rows) and len(set(rows)) == len(rows), f"one floor line per row, in time order: {floor_lines}"
    return floor_lines


def test_the_record_shows_every_channel_side_by_side_and_plays_it(dragoman_bin, cli, browser, summit_audio, tmp_path, artifacts):
    _, _, _, By = selenium()
    from selenium.webdriver.common.keys import Keys
    with NumberedWhisper() as stub:
        server = MachineServer(dragoman_bin, tmp_path / "server", stub.url)
        artifacts.keep(server.log_path)
        server.start()
        try:
            ev = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk", "en"], "machine": ["en"],
                                                    "recording": True}).json()
            code = ev["code"]
            assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
            speech = floor_speech(summit_audio, tmp_path / "floor.wav")
            ingest = cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], speech)
            assert ingest.wait(60) == 0, ingest.stderr

            def lines():
                return {r["channel"]: len(transcript(server, code, r)["lines"]) for r in recordings(server, code)}
            poll("three floor lines and their English", lines, lambda n: n.get("floor", 0) >= 3 and n.get("en", 0) >= 3, 60,
                 interval=0.5)
            # Recording off: the files are whole, and the length the server lists is the one the browser must find.
            assert server.api("PATCH", f"/api/events/{code}", {"recording": False}).status == 200
            time.sleep(1.5)
            listed = poll("the recordings closed", lambda: recordings(server, code),
                          lambda l: len(l) == 4 and l == recordings(server, code), 10, interval=1)
            seconds = {r["channel"]: r["seconds"] for r in listed}
            floor_doc = transcript(server, code, next(r for r in listed if r["channel"] == "floor"))

            # From the desk: the meeting's recordings and the link to its record.
            d = browser(phone=False, window=(1280, 800), exact_viewport=True, lang="en-US")
            d.get(f"{server.url}/admin#token={server.token}")
            click(d, f"[data-code='{code}'] button[data-action='recordings']")
            click(d, f"[data-code='{code}'] a[href='/record/{code}']")
            state = poll("the record with every recording loaded", lambda: record_state(d),
                         lambda s: s and s["audioLoaded"] == 4, 30)
            assert d.current_url.endswith(f"/record/{code}"), d.current_url
            assert state["channels"] == ["floor", "ru", "kk", "en"], state
            heads = column_heads(d)
            assert heads == ["Time", "Floor", "Русский", "Қазақша", "English"], heads

            floor_lines = assert_aligned(d)
            assert [line["text"] for line in floor_lines[:3]] == ["Предложение 1.", "Предложение 2.", "Предложение 3."], floor_lines
            times = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#record-rows th")]
            assert times and all(len(t) == 8 and t[2] == ":" and t[5] == ":" for t in times), times
            trail = [p.text for p in d.find_elements(By.CSS_SELECTOR, "td[data-channel='en'] .record-trail")]
            assert any("achine" in text for text in trail), f"the trail says the machine carried English: {trail}"
            screenshot(d, "record-1280x800.png")
            screenshot(d, "record-1280-full.png", full=True)
            assert axe_violations(d) == []

            # The floor plays in the browser: as long as the server says, its time runs, the current line follows.
            first_line = floor_doc["lines"][0]
            first_at = round(floor_doc["recordingStart"] / 1e6 + first_line["start"], 2)
            d.execute_script("document.querySelector('audio[data-channel=floor]').play()")
            marked = poll("the first floor line marked as it is said", lambda: record_state(d)["current"].get("floor"),
                          lambda at: at is not None, first_line["end"] + 5)
            assert abs(marked - first_at) < 0.05, (marked, first_at)
            duration = poll("the floor's duration", lambda: audio(d, "floor", "duration"), lambda v: v and v != float("inf"), 10)
            assert abs(duration - seconds["floor"]) <= 0.2, f"the browser decodes {duration} s, the server lists {seconds['floor']} s"
            poll("the floor playing", lambda: audio(d, "floor", "currentTime"), lambda t: t and t > 0.5, 10)
            poll("the next line marked", lambda: record_state(d)["current"].get("floor"),
                 lambda at: at is not None and at > marked + 0.5, 20)
            assert [line["text"] for line in layout(d) if line["current"] and line["channel"] == "floor"], layout(d)
            screenshot(d, "record-1280x800-playing.png")

            # Choosing a line plays from there: a click on the first floor line, Enter on the last English one.
            d.find_elements(By.CSS_SELECTOR, "td[data-channel='floor'] .record-line")[0].click()
            position = audio(d, "floor", "currentTime")
            assert abs(position - first_line["start"]) < 0.6, (position, first_line)
            # The mark follows the audio's next time update: wait for it rather than read it at once.
            poll("the first floor line marked again", lambda: record_state(d)["current"].get("floor"),
                 lambda at: at is not None and abs(at - first_at) < 0.05, 5)
            en_doc = transcript(server, code, next(r for r in listed if r["channel"] == "en"))
            last_en = en_doc["lines"][-1]
            d.find_elements(By.CSS_SELECTOR, "td[data-channel='en'] .record-line")[-1].send_keys(Keys.ENTER)
            poll("the English audio at its last line", lambda: audio(d, "en", "currentTime"),
                 lambda t: t is not None and abs(t - last_en["start"]) < 0.6, 5)
            poll("the floor paused while English plays", lambda: audio(d, "floor", "paused"), bool, 5)
            poll("English playing", lambda: audio(d, "en", "paused"), lambda paused: paused is False, 5)

            # In Kazakh: the page's words change, the languages keep their own names, the marked line stays.
            d.find_element(By.CSS_SELECTOR, "#ui-lang option[value='kk']").click()
            heads = poll("the heads in Kazakh", lambda: column_heads(d), lambda h: h and h[0] == "Уақыт", 5)
            assert heads == ["Уақыт", "Түпнұсқа", "Русский", "Қазақша", "English"], heads
            assert any(line["current"] for line in layout(d)), "the current lines are marked again after the redraw"
            assert_aligned(d)
            assert d.find_element(By.ID, "record-status").text.startswith("Дайын"), "the status follows the language"
            screenshot(d, "record-1280x800-kk.png")

            # A phone: one channel at a time, chosen with the picker; the token asked for when not in the address.
            phone = browser(phone=True, lang="en-US")
            phone.get(f"{server.url}/record/{code}")
            poll("the token form", lambda: phone.find_element(By.ID, "token-view").is_displayed(), bool, 10)
            phone.find_element(By.ID, "token").send_keys(server.token)
            click(phone, "#token-form button[type='submit']")
            poll("the record on the phone", lambda: record_state(phone), lambda s: s and s["audioLoaded"] == 4, 30)
            shown = column_heads(phone, visible_only=True)
            assert shown == ["Time", "Floor"], shown
            phone.find_element(By.CSS_SELECTOR, "#channel-picker option[value='kk']").click()
            shown = column_heads(phone, visible_only=True)
            assert shown == ["Time", "Қазақша"], shown
            players = phone.execute_script("return [...document.querySelectorAll('#players li')].filter(li => li.offsetParent).map(li => li.dataset.channel)")
            assert players == ["kk"], players
            width = phone.execute_script("return document.documentElement.scrollWidth")
            assert width <= 390, f"no sideways scrolling on a phone: {width}"
            phone.find_element(By.CSS_SELECTOR, "#channel-picker option[value='floor']").click()
            screenshot(phone, "record-390x844.png")
            assert axe_violations(phone) == []
        finally:
            server.stop()
