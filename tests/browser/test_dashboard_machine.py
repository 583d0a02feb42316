"""The dashboard shows each channel's machine booth (starting / ready / failed with the problem) and marks a channel
that carries machine interpretation, in kk, ru and en. Against fake_listener.FakeListenerServer, which sends the
`dashboard` state of docs/protocol.md with the machine booth fields the server is getting."""

import time

import pytest

from chromium import poll, screenshot

MACHINE = {"en": "Machine interpretation", "ru": "Машинный перевод", "kk": "Машиналық аударма"}
READY = {"en": "Machine interpretation: ready", "ru": "Машинный перевод: готов", "kk": "Машиналық аударма: дайын"}
STARTING = {"en": "Machine interpretation: starting…", "ru": "Машинный перевод: запускается…",
            "kk": "Машиналық аударма: іске қосылуда…"}
FAILED = {"en": "Machine interpretation failed: ", "ru": "Машинный перевод не работает: ",
          "kk": "Машиналық аударма істемей тұр: "}
PROBLEM = "recognition: model file /var/lib/dragoman/whisper-small.bin is missing"
SKIPPED = {"en": "Fell behind and skipped", "ru": "Отставал и пропустил", "kk": "Артта қалып"}


def booth(language, **extra):
    return {"booth": language, "interpreters": [], "live": None, "coughing": False, "onAir": False,
            "handover": {"state": "none"}, "source": {"kind": "floor"},
            "hears": {"kind": "floor", "language": "kk", "depth": 0}, **extra}


def channel(id, kind, **extra):
    carrying = {"kind": kind, "language": None if id == "floor" else id}
    return {"channel": id, "listeners": 3, "streamListeners": 0, "relays": 0, "level": -24.0, "delayP50": 0.4,
            "delayP99": 1.1, "dropped": 0, "carrying": {"channel": id, "source": carrying, **extra}}


def machine_lines(d):
    return d.execute_script("""
        const out = {};
        for (const card of document.querySelectorAll('[data-booth]')) {
          const p = card.querySelector('.dash-booth-machine');
          out[card.dataset.booth] = p && !p.hidden && p.offsetParent !== null ? p.textContent : null;
        }
        return out;""")


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_dashboard_shows_machine_booths_and_machine_interpretation(browser, lang):
    from fake_listener import FakeListenerServer
    with FakeListenerServer() as fake:
        fake.dashboard.update(
            channels=[channel("floor", "floor"), channel("ru", "machine", interpretation=True),
                      channel("kk", "floor", interpretation=False), channel("en", "floor", interpretation=False)],
            booths=[booth("ru", machine="ready"), booth("kk"), booth("en", machine="failed", machineProblem=PROBLEM)])
        d = browser(phone=False, window=(1366, 900), exact_viewport=True)
        url = f"{fake.url}/dashboard/{fake.code}#token={fake.token}"
        d.get(url)
        d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify(arguments[0]))", lang)
        d.refresh()  # the token was kept from the link's #token=; the page now speaks `lang`
        poll("the page in its language", lambda: d.execute_script("return document.documentElement.lang"),
             lambda v: v == lang, 10)
        poll("the booths", lambda: machine_lines(d), lambda m: set(m) == {"ru", "kk", "en"}, 10)
        lines = machine_lines(d)
        assert lines["ru"] == READY[lang], lines
        assert lines["kk"] is None, f"a channel without a machine booth says nothing of one: {lines}"
        assert lines["en"] == FAILED[lang] + PROBLEM, lines
        assert "dash-bad" in d.execute_script(
            "return document.querySelector('[data-booth=en] .dash-booth-machine').className")

        cell = poll("the machine channel marked", lambda: d.execute_script(
            "const c = document.querySelector('tr[data-channel=ru] td[data-col=carrying]');"
            "return c && [c.textContent, c.closest('tr').dataset.kind, getComputedStyle(c, '::before').maskImage];"),
            lambda v: v and v[0] == MACHINE[lang], 10)
        assert cell[1] == "machine" and cell[2] not in ("", "none"), cell
        screenshot(d, f"dashboard-machine-{lang}.png", full=True)

        # The machine fell behind: how much speech it skipped, shown under its state and marked while recent.
        last = int(time.time() * 1e6) - 5_000_000
        fake.dashboard["booths"][0] = booth("ru", machine="ready",
                                            machineSkipped={"count": 2, "seconds": 3.7, "lastAt": last, "lateBy": 7.4})
        skipped = poll("the skipped speech", lambda: d.execute_script(
            "const p = document.querySelector('[data-booth=ru] .dash-booth-skipped');"
            "return p && !p.hidden ? [p.textContent, p.dataset.recent] : null;"), bool, 10)
        assert SKIPPED[lang] in skipped[0] and "3.7" in skipped[0] and "2" in skipped[0], skipped
        assert skipped[1] == "true", "a skip under a minute old is marked"
        assert d.execute_script("const p = document.querySelector('[data-booth=en] .dash-booth-skipped');"
                                "return p.hidden"), "a failed machine with nothing skipped shows no such line"

        # The booth starts again: the card follows the state the server sends.
        fake.dashboard["booths"][0] = booth("ru", machine="starting")
        poll("starting", lambda: machine_lines(d).get("ru"), lambda v: v == STARTING[lang], 10)
