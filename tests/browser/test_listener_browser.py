"""The listener page in headless Chromium on a phone-sized screen, against a live floor.

Needs Debian's `chromium` and `chromium-driver` (scripts/setup installs them). All traffic stays on loopback: the
browser resolves every name but the ones mapped to 127.0.0.1 to "not found", and its background services are off."""

import json
import time


from chromium import FAKE_HOST, click, screenshot
from dragoman_testing import create_event

SILENT = 0.005  # window.dragoman.level() above this is "not silent"


def page_state(d):
    return d.execute_script("return window.dragoman ? window.dragoman.state() : null;")


def page_level(d):
    return d.execute_script("return window.dragoman ? window.dragoman.level() : null;")


def wait_for(d, what, cond, timeout):
    """Polls the page every 100 ms until cond(state, level) is true; fails with the last state and level."""
    deadline = time.monotonic() + timeout
    state = level = None
    while time.monotonic() < deadline:
        state, level = page_state(d), page_level(d)
        if state is not None and level is not None and cond(state, level):
            return state, level
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s. Last window.dragoman.state() = {json.dumps(state)}, "
                         f"level() = {level}")


def loud(s, lv):
    return lv > SILENT


def start_floor_loop(cli, server, ev, summit_audio):
    return cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
                     "--loop", summit_audio / "summit-floor.wav")


def test_listener_plays_the_floor_switches_channel_and_survives_a_server_restart(server, cli, browser,
                                                                                 summit_audio):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    ingest = start_floor_loop(cli, server, ev, summit_audio)
    d = browser()
    d.get(f"{server.url}/j/{ev['code']}")
    assert d.execute_script("return window.isSecureContext") is True, "127.0.0.1 should be a secure context"
    click(d, "#play")
    wait_for(d, "audible floor through WebCodecs", lambda s, lv: lv > SILENT and s.get("path") == "webcodecs", 10)

    click(d, 'button[data-channel="ru"]')
    wait_for(d, "tuned to ru", lambda s, lv: s.get("channel") == "ru", 5)
    wait_for(d, "audible on ru", lambda s, lv: s.get("channel") == "ru" and lv > SILENT, 10)
    assert ingest.running(), f"the looping ingest ended: {ingest.proc.poll()}\n{ingest.stderr}"

    # The server goes down hard, and comes back on the same port with the same data.
    ingest.kill()
    server.stop(sig=9)
    wait_for(d, "the page notices the server is gone", lambda s, lv: s.get("connection") != "connected", 5)
    server.start()
    ingest = start_floor_loop(cli, server, ev, summit_audio)
    t0 = time.monotonic()
    state, _ = wait_for(d, "connected and audible again after the restart",
                        lambda s, lv: s.get("connection") == "connected" and lv > SILENT, 15)
    print(f"playing again {time.monotonic() - t0:.1f} s after the restart: {state}")
    assert state.get("channel") == "ru", f"a reconnected listener should stay on its channel: {state}"
    assert state.get("path") == "webcodecs", state
    screenshot(d, "listener-phone.png")


def test_listener_without_a_secure_context_falls_back_to_the_audio_element(server, cli, browser, summit_audio):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    start_floor_loop(cli, server, ev, summit_audio)
    d = browser(map_host=True)
    d.get(f"http://{FAKE_HOST}:{server.port}/j/{ev['code']}")
    assert d.execute_script("return window.isSecureContext") is False, \
        f"http://{FAKE_HOST} should not be a secure context (the test relies on it)"
    click(d, "#play")
    wait_for(d, "audible through the <audio> Ogg stream", lambda s, lv: s.get("path") == "stream" and lv > SILENT,
             15)
    screenshot(d, "listener-fallback.png")
