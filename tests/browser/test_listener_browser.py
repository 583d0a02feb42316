"""The listener page in headless Chromium on a phone-sized screen, against a live floor.

Needs Debian's `chromium` and `chromium-driver` (scripts/setup installs them). All traffic stays on loopback: the
browser resolves every name but the ones mapped to 127.0.0.1 to "not found", and its background services are off."""

import json
import os
import time

import pytest

import dragoman_testing as dt
from dragoman_testing import create_event

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SILENT = 0.005  # window.dragoman.level() above this is "not silent"
FAKE_HOST = "dragoman.test"  # a made-up name mapped to 127.0.0.1: not a secure context, unlike 127.0.0.1 itself

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try to download a driver


def _selenium():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        pytest.fail("selenium is not installed for this python3: run scripts/setup", pytrace=False)
    return webdriver, Service, By


@pytest.fixture
def browser(artifacts, request):
    """A factory: browser(map_host=False) starts headless Chromium emulating a 390×844 phone. Quit at the end;
    on failure its console log and a screenshot are kept in the test's artifacts."""
    webdriver, Service, _ = _selenium()
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail(f"{path} is missing: run scripts/setup (Debian packages chromium, chromium-driver)",
                        pytrace=False)
    drivers = []

    def start(map_host: bool = False):
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        # Loopback only: every other name resolves to "not found", and anything else (an IP literal) goes to a
        # proxy on a closed loopback port instead of the network.
        rules = ["MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1"]
        bypass = ["localhost", "127.0.0.1"]
        if map_host:
            rules.insert(0, f"MAP {FAKE_HOST} 127.0.0.1")
            bypass.append(FAKE_HOST)
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                    f"--host-resolver-rules={', '.join(rules)}",
                    f"--proxy-server=http://127.0.0.1:{dt.closed_port()}", f"--proxy-bypass-list={';'.join(bypass)}",
                    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-default-apps",
                    "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                    "--disable-features=OptimizationHints,MediaRouter,Translate",
                    "--metrics-recording-only", "--no-pings", "--disable-extensions"):
            opts.add_argument(arg)
        opts.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": True},
        })
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        d = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
        d.set_page_load_timeout(20)
        drivers.append(d)
        return d

    yield start
    for i, d in enumerate(drivers):
        try:
            if dt.node_failed(request.node):
                d.save_screenshot(str(artifacts.path(f"at-end-{i}.png")))
                logs = d.get_log("browser")
                artifacts.path(f"console-{i}.log").write_text(
                    "\n".join(f"{e.get('level')} {e.get('message')}" for e in logs))
        except Exception as e:  # the browser may be gone already
            print(f"could not save the browser's state: {e}")
        finally:
            d.quit()


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


def click(d, css, timeout=10):
    _, _, By = _selenium()
    deadline = time.monotonic() + timeout
    while True:
        found = d.find_elements(By.CSS_SELECTOR, css)
        if found and found[0].is_displayed() and found[0].is_enabled():
            found[0].click()
            return
        if time.monotonic() > deadline:
            text = d.execute_script("return document.body ? document.body.innerText.slice(0, 300) : ''")
            raise AssertionError(f"no visible, enabled element {css!r} on {d.current_url} within {timeout} s; "
                                 f"the page says: {text!r}")
        time.sleep(0.1)


def loud(s, lv):
    return lv > SILENT


def start_floor_loop(cli, server, ev, summit_audio):
    return cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
                     "--loop", summit_audio / "summit-floor.wav")


def screenshot(d, name):
    dt.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = dt.ARTIFACTS / name
    assert d.save_screenshot(str(path)), f"could not save {path}"
    return path


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
