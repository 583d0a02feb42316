"""The dashboard's floor panel with machine booths, in kk, ru and en: the latest lines of the floor's transcript (a
partial line replaced by its final), and the machine's offer of a floor language (`floor.suggested`, suggest mode),
which one tap accepts with the same `floor-language` message as the language buttons, and which goes away when the
state no longer has it. Against fake_listener.FakeListenerServer."""

import pytest

from chromium import click, poll, screenshot

OFFER = {
    "en": "The machine hears Kazakh. Set the floor language to Kazakh?",
    "ru": "Машина слышит: казахский. Сделать языком зала казахский?",
    "kk": "Машина естіп тұрған тіл: қазақ тілі. Зал тілін «қазақ тілі» деп белгілеу керек пе?",
}
PARTIAL = "Құрметті қонақтар, бүгін"
FINAL = "Құрметті қонақтар, бүгін Астанада 2026 жылы 15 пайыз өсім болды."


def machine_booth(language):
    return {"booth": language, "interpreters": [], "live": None, "coughing": False, "onAir": False,
            "handover": {"state": "none"}, "source": {"kind": "floor"},
            "hears": {"kind": "floor", "language": "ru", "depth": 0}, "machine": "ready"}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_floor_panel_shows_the_transcript_and_the_machines_offer(browser, lang):
    from fake_listener import FakeListenerServer
    with FakeListenerServer() as fake:
        fake.dashboard.update(floor={"live": True, "language": "ru", "level": -20.0, "suggested": "kk"},
                              booths=[machine_booth("en")])
        d = browser(phone=False, window=(1366, 900), exact_viewport=True)
        d.get(f"{fake.url}/dashboard/{fake.code}#token={fake.token}")
        d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify(arguments[0]))", lang)
        d.refresh()
        poll("the page in its language", lambda: d.execute_script("return document.documentElement.lang"),
             lambda v: v == lang, 10)

        def state():
            return d.execute_script("return window.dragomanDashboard ? window.dragomanDashboard.state() : null")

        s = poll("the offer", state, lambda s: s and s["suggestion"] is not None, 10)
        assert s["suggestion"] == OFFER[lang], s["suggestion"]
        assert d.execute_script("return !document.getElementById('floor-transcript').hidden"), \
            "an event with a machine booth shows the floor's transcript"

        # The transcript: a partial line, then its final in its place.
        poll("the dashboard socket", lambda: fake.floor_caption("f1", PARTIAL, final=False), lambda n: n > 0, 10)
        poll("the partial line", state, lambda s: [l["text"] for l in s["transcript"]] == [PARTIAL], 10)
        fake.floor_caption("f1", FINAL, final=True)
        s = poll("the final line in its place", state,
                 lambda s: [(l["text"], l["final"]) for l in s["transcript"]] == [(FINAL, True)], 10)
        assert FINAL in d.find_element("id", "floor-transcript-lines").text
        screenshot(d, f"dashboard-floor-suggest-{lang}.png", full=True)

        # One tap: the floor-language message, as the language buttons send it.
        click(d, "#floor-suggest-set")
        poll("floor-language sent", lambda: [m for m in fake.received if m.get("type") == "floor-language"],
             lambda m: m == [{"type": "floor-language", "language": "kk"}], 10)
        # The server sets it and withdraws the offer: the panel follows the state.
        fake.dashboard["floor"] = {"live": True, "language": "kk", "level": -20.0}
        s = poll("the offer gone, Kazakh pressed", state, lambda s: s["suggestion"] is None and d.execute_script(
            "return document.querySelector('#floor-language-buttons [data-language=kk]')"
            ".getAttribute('aria-pressed')") == "true", 10)

        # A new offer shows again; gone again when the state drops it without a tap.
        fake.dashboard["floor"] = {"live": True, "language": "kk", "level": -20.0, "suggested": "ru"}
        poll("a new offer", state, lambda s: s["suggestion"] is not None, 10)
        fake.dashboard["floor"] = {"live": True, "language": "kk", "level": -20.0}
        poll("the offer withdrawn", state, lambda s: s["suggestion"] is None, 10)
