"""The speaker screen in headless Chromium: a booth presses Slow down, and the speaker's monitor asks them, in the
language they are speaking, to slow down; the request goes away by itself after 10 s."""

from chromium import poll, screenshot
from dragoman_testing import create_event

KAZAKH_SLOW_DOWN = "Баяуырақ сөйлеңізші"


def test_slow_down_from_a_booth_reaches_the_speaker_screen_in_the_floor_language(server, browser):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    code = ev["code"]
    r = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Pavel", "booth": "ru"})
    assert r.status == 201, r.body
    key = r.json()["key"]
    r = server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"})
    assert r.status == 200, r.body

    screen = browser(phone=False, window=(1280, 720))
    screen.get(f"{server.url}/speaker/{code}#token={server.token}")
    poll("the speaker screen connected, the token gone from the address", lambda: screen.execute_script(
        "return [document.getElementById('screen').hidden, location.hash];"), lambda v: v == [False, ""], 10)
    assert screen.execute_script("return document.getElementById('slow-down').hidden") is True
    assert screen.execute_script("return [...document.querySelectorAll('h1')].map(h => h.textContent)") == \
        ["Speaker screen"], "a page needs one top-level heading (axe: page-has-heading-one)"
    assert not screen.find_element("id", "token-form").is_displayed(), "the token form must go once connected"

    # The booth's console sends the signal (a WebSocket opened from the page itself, as a console would).
    screen.execute_script("""
        const ws = new WebSocket(`ws://${location.host}/ws/booth/%s?key=%s`);
        ws.onmessage = (m) => { if (JSON.parse(m.data).type === 'booth-state') ws.send('{"type":"signal","kind":"slow-down"}'); };
        window.testBooth = ws;""" % (code, key))
    shown = poll("the slow-down request on the speaker screen", lambda: screen.execute_script(
        "const e = document.getElementById('slow-down'); return [e.hidden, e.textContent, e.lang];"),
        lambda v: v[0] is False, 5)
    assert shown[1:] == [KAZAKH_SLOW_DOWN, "kk"], shown
    fits = screen.execute_script("const r = document.getElementById('slow-down').getBoundingClientRect();"
                                 "return r.bottom <= window.innerHeight && r.right <= window.innerWidth;")
    assert fits, "the request must fit on the screen"
    screenshot(screen, "speaker-screen.png")

    # A wrong token brings the form back with the server's reason, and the token is forgotten.
    screen.get("about:blank")  # a new address that differs only after # would not load the page again
    screen.get(f"{server.url}/speaker/{code}#token=wrong")
    error = poll("the token form with the server's reason", lambda: screen.execute_script(
        "return document.getElementById('token-form').hidden ? null : document.getElementById('token-error').textContent;"),
        lambda v: bool(v), 10)
    assert "organizer token" in error.lower(), error
