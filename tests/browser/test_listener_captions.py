"""Captions and machine interpretation on the listener page, on phone-sized screens, in kk, ru and en.

The server cannot make captions yet, so these tests run the real page files against fake_listener.FakeListenerServer,
which speaks the listen protocol of docs/protocol.md (welcome, tune/tuned, carrying with source kind `machine`, and
`caption` lines the test pushes). Needs Debian's chromium and chromium-driver, not the dragoman binary."""

import json

import pytest

from chromium import FAKE_HOST, click, poll, screenshot, selenium
from fake_listener import FakeListenerServer

MACHINE = {"en": "Machine interpretation", "ru": "Машинный перевод", "kk": "Машиналық аударма"}
# A partial, its final, then three more finals: the box keeps the last three.
LINES = {
    "en": ["Dear guests, welcome", "Dear guests, welcome to Astana!", "Today we sign the agreement on transit.",
           "First, the delegations will speak.", "Thank you for your attention."],
    "ru": ["Дорогие гости, добро", "Дорогие гости, добро пожаловать в Астану!", "Сегодня мы подписываем соглашение о транзите.",
           "Сначала выступят делегации.", "Благодарю за внимание."],
    "kk": ["Құрметті қонақтар, қош", "Құрметті қонақтар, Астанаға қош келдіңіздер!", "Бүгін біз транзит туралы келісімге қол қоямыз.",
           "Алдымен делегациялар сөз сөйлейді.", "Назарларыңызға рахмет."],
}
SCREENS = [(390, 844), (320, 568)]


def state(d):
    return d.execute_script("return window.dragoman ? window.dragoman.state() : null;") or {}


def captions(d):
    return state(d).get("captions") or {}


def shown_lines(d):
    """What the box shows: [(text, final)] from the DOM, oldest first."""
    return d.execute_script("""
        return [...document.querySelectorAll('#caption-lines .caption-line')]
          .map((p) => [p.textContent, p.dataset.final === 'true']);""")


def rect(d, css):
    return d.execute_script("""
        const r = document.querySelector(arguments[0]).getBoundingClientRect();
        return {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height};""", css)


def font_px(d, css):
    return float(d.execute_script("return parseFloat(getComputedStyle(document.querySelector(arguments[0])).fontSize)",
                                  css))


def _css(css):
    _, _, _, By = selenium()
    return By.CSS_SELECTOR, css


def displayed(d, css):
    _, _, _, By = selenium()
    found = d.find_elements(By.CSS_SELECTOR, css)
    return bool(found) and found[0].is_displayed()


def wait_lines(d, expected, what, timeout=10):
    """Waits until the box shows exactly `expected` ([(text, final)])."""
    want = [list(x) for x in expected]
    return poll(what, lambda: shown_lines(d), lambda lines: lines == want, timeout)


def open_page(d, url, lang):
    """Opens the page in `lang`, chosen as a listener's language choice is remembered (the page's own select)."""
    d.get(url)
    d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify(arguments[0]))", lang)
    d.get(url)
    poll("the page", lambda: d.execute_script("return !!window.dragoman && document.documentElement.lang"),
         lambda v: v == lang, 10)


def choose_size(d, size):
    """Taps a caption size (brought to the middle of the screen first: the box above grows with the size)."""
    css = f"label:has(input[name='captions-size'][value='{size}'])"
    d.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", css)
    click(d, css)


def listen(d, fake, channel, path_ok=("webcodecs", "pcm")):
    click(d, "#play")
    poll("connected", lambda: state(d), lambda s: s.get("connection") == "connected" and s.get("path") in path_ok, 15)
    poll(f"a listen socket on {channel}", lambda: len(fake.open_sockets(channel)), lambda n: n == 1, 10)


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_captions_replace_keep_resize_and_hide_without_moving_the_controls(browser, lang, screen):
    partial, final, *more = LINES[lang]
    with FakeListenerServer(carrying={lang: {"kind": "machine", "language": lang}}) as fake:
        d = browser(phone_size=screen, lang=lang)
        open_page(d, f"{fake.url}/j/{fake.code}?channel={lang}", lang)
        assert d.execute_script("return window.innerWidth") == screen[0]
        listen(d, fake, lang)

        # Machine interpretation, marked where the page says what it hears.
        poll("the machine marker", lambda: d.execute_script(
            "const c = document.getElementById('carrying'); return [c.textContent, c.dataset.kind];"),
            lambda v: v == [MACHINE[lang], "machine"], 10)
        assert displayed(d, "#carrying")
        icon = d.execute_script("return getComputedStyle(document.getElementById('carrying'), '::before').maskImage")
        assert icon and icon != "none", f"the machine marker should carry its icon: {icon!r}"

        assert displayed(d, "#captions-box"), "captions are on by default"
        assert displayed(d, "#captions-empty")
        box_top = rect(d, "#captions-box")["y"]
        assert box_top < screen[1], f"the caption box should start on the first screen: top {box_top}"
        stop, channels = rect(d, "#play"), rect(d, "#channels")

        # A partial line, then its final replaces it (same id); only the final is announced.
        assert fake.caption(lang, "m1", partial, final=False) == 1
        wait_lines(d, [(partial, False)], "the partial line")
        assert captions(d)["announced"] == ""
        assert not displayed(d, "#captions-empty")
        fake.caption(lang, "m1", final, final=True)
        wait_lines(d, [(final, True)], "the final replacing its partial")
        assert captions(d)["announced"] == final
        assert [line["id"] for line in captions(d)["lines"]] == ["m1"]

        # Three more finals: the box keeps the last three.
        for i, text in enumerate(more, start=2):
            fake.caption(lang, f"m{i}", text, final=True)
        wait_lines(d, [(t, True) for t in [final, *more][-3:]], "the last three lines")
        assert captions(d)["announced"] == more[-1]
        assert d.execute_script("return document.querySelector('.caption-line').lang") == lang

        assert rect(d, "#play") == stop, "the Stop button moved when captions arrived"
        assert rect(d, "#channels") == channels, "the channel buttons moved when captions arrived"
        assert d.find_element(*_css("#play")).text.strip(), "the Stop button should be labelled"
        tag = f"{lang}-{screen[0]}x{screen[1]}"
        screenshot(d, f"listener-captions-{tag}.png")

        # Text size: small < medium < large, remembered.
        medium = font_px(d, ".caption-line")
        choose_size(d, "large")
        poll("large captions", lambda: font_px(d, ".caption-line"), lambda px: px > medium, 10)
        assert rect(d, "#play") == stop
        d.execute_script("window.scrollTo(0, 0)")
        screenshot(d, f"listener-captions-large-{tag}.png")
        choose_size(d, "small")
        poll("small captions", lambda: font_px(d, ".caption-line"), lambda px: px < medium, 10)
        assert json.loads(d.execute_script("return localStorage.getItem('dragoman.captions')")) == \
            {"enabled": True, "size": "small"}

        # Off: the box and the size choice go; the lines still arrive, and show again when switched on.
        click(d, "#captions-on")
        poll("captions hidden", lambda: displayed(d, "#captions-box"), lambda v: v is False, 10)
        assert not displayed(d, "#captions-size")  # the size choice goes with the box
        assert captions(d)["enabled"] is False
        assert rect(d, "#play") == stop
        fake.caption(lang, "m9", "…", final=True)
        click(d, "#captions-on")
        poll("captions shown", lambda: displayed(d, "#captions-box"), lambda v: v is True, 10)

        # Reloaded: the choice is remembered.
        d.refresh()
        poll("the page again", lambda: d.execute_script("return !!window.dragoman"), bool, 10)
        assert d.execute_script(
            "return document.querySelector('input[name=\"captions-size\"]:checked').value") == "small"
        assert d.execute_script("return document.getElementById('captions-on').checked") is True


def test_captions_follow_the_channel_and_only_its_own(browser):
    with FakeListenerServer(carrying={"ru": {"kind": "machine", "language": "ru"}}) as fake:
        d = browser(lang="ru")
        open_page(d, f"{fake.url}/j/{fake.code}?channel=ru", "ru")
        listen(d, fake, "ru")
        fake.caption("ru", "r1", "Первая строка.", final=True)
        wait_lines(d, [("Первая строка.", True)], "a line on ru")

        click(d, 'button[data-channel="floor"]')
        poll("tuned to the floor", lambda: len(fake.open_sockets("floor")), lambda n: n == 1, 10)
        poll("lines cleared", lambda: shown_lines(d), lambda lines: lines == [], 10)
        fake.caption("ru", "r2", "Строка другого канала.", final=True)  # nobody is on ru any more
        fake.caption("floor", "f1", "Құрметті қонақтар!", final=True, language="kk", source="floor")
        wait_lines(d, [("Құрметті қонақтар!", True)], "the floor's transcript")
        assert d.execute_script("return document.querySelector('.caption-line').lang") == "kk"
        assert "Машинный перевод" not in d.find_element(*_css("#carrying")).text


def test_an_empty_final_line_withdraws_its_partial_line(browser):
    """A partial line whose speech yielded nothing in the end (docs/protocol.md, `caption`) leaves the box."""
    with FakeListenerServer(carrying={"ru": {"kind": "machine", "language": "ru"}}) as fake:
        d = browser(lang="ru")
        open_page(d, f"{fake.url}/j/{fake.code}?channel=ru", "ru")
        listen(d, fake, "ru")
        fake.caption("ru", "m1", "Первая строка.", final=True)
        fake.caption("ru", "m2", "Втор", final=False)
        wait_lines(d, [("Первая строка.", True), ("Втор", False)], "a final line and a partial one")
        fake.caption("ru", "m2", "", final=True)
        wait_lines(d, [("Первая строка.", True)], "the partial line withdrawn")
        assert captions(d)["announced"] == "Первая строка.", "a withdrawn line is not announced"
        fake.caption("ru", "m3", "Третья строка.", final=True)
        wait_lines(d, [("Первая строка.", True), ("Третья строка.", True)], "the next line after it")


def test_captions_on_the_audio_element_fallback_come_over_their_own_socket(browser):
    with FakeListenerServer(carrying={"ru": {"kind": "machine", "language": "ru"},
                                      "en": {"kind": "interpreter", "language": "en"}}) as fake:
        d = browser(map_host=True, lang="ru")
        open_page(d, f"http://{FAKE_HOST}:{fake.port}/j/{fake.code}?channel=ru&path=stream", "ru")
        assert d.execute_script("return window.isSecureContext") is False
        click(d, "#play")
        poll("the stream path", lambda: state(d), lambda s: s.get("path") == "stream", 10)
        poll("the caption socket on ru", lambda: len(fake.open_sockets("ru")), lambda n: n == 1, 10)
        poll("the machine marker", lambda: d.find_element(*_css("#carrying")).text, lambda t: t == MACHINE["ru"], 10)
        stop = rect(d, "#play")

        fake.caption("ru", "m1", "Дорогие гости,", final=False)
        wait_lines(d, [("Дорогие гости,", False)], "the partial on the stream path")
        fake.caption("ru", "m1", "Дорогие гости, добро пожаловать!", final=True)
        wait_lines(d, [("Дорогие гости, добро пожаловать!", True)], "its final on the stream path")
        assert rect(d, "#play") == stop
        screenshot(d, "listener-captions-fallback.png")

        # Another channel: the caption socket tunes along; the marker goes with the machine.
        click(d, 'button[data-channel="en"]')
        poll("the caption socket on en", lambda: len(fake.open_sockets("en")), lambda n: n == 1, 10)
        poll("lines cleared", lambda: shown_lines(d), lambda lines: lines == [], 10)
        fake.caption("en", "e1", "Dear guests, welcome!", final=True)
        wait_lines(d, [("Dear guests, welcome!", True)], "a line on en")
        poll("no machine marker on en", lambda: d.execute_script("return document.getElementById('carrying').dataset.kind"),
             lambda k: k == "interpreter", 10)

        # Captions off: the stream path needs no socket then.
        click(d, "#captions-on")
        poll("the caption socket closed", lambda: len(fake.open_sockets()), lambda n: n == 0, 10)
