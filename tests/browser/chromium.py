"""Headless Chromium for the browser tests: Debian's `chromium` and `chromium-driver`, loopback only.

Every name but 127.0.0.1 and localhost (and, on request, dragoman.test) resolves to "not found", anything else goes to
a proxy on a closed loopback port, and the browser's background services are off, so nothing leaves the machine."""

import json
import os
import time
from pathlib import Path

import pytest

import dragoman_testing as dt

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FAKE_HOST = "dragoman.test"  # a made-up name mapped to 127.0.0.1: not a secure context, unlike 127.0.0.1 itself
PHONE = {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": True}

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never try to download a driver


def selenium():
    """The selenium modules: (webdriver, Service, ActionChains, By)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
    except ImportError:
        pytest.fail("selenium is not installed for this python3: run scripts/setup", pytrace=False)
    return webdriver, Service, ActionChains, By


def launch(*, phone: bool = True, window: tuple[int, int] | None = None, exact_viewport: bool = False,
           microphone=None, map_host: bool = False, lang: str | None = None,
           phone_size: tuple[int, int] | None = None):
    """Starts headless Chromium: a 390×844 phone (`phone_size`: another one, e.g. (320, 568)), or a desktop `window` (with `exact_viewport`, the page itself gets
    exactly that size); `microphone`: a WAV played as the fake microphone; `map_host`: dragoman.test is 127.0.0.1."""
    webdriver, Service, _, _ = selenium()
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            pytest.fail(f"{path} is missing: run scripts/setup (Debian packages chromium, chromium-driver)",
                        pytrace=False)
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    rules = ["MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1"]
    bypass = ["localhost", "127.0.0.1"]
    if map_host:
        rules.insert(0, f"MAP {FAKE_HOST} 127.0.0.1")
        bypass.append(FAKE_HOST)
    args = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
            "--autoplay-policy=no-user-gesture-required", "--mute-audio",
            f"--host-resolver-rules={', '.join(rules)}",
            f"--proxy-server=http://127.0.0.1:{dt.closed_port()}", f"--proxy-bypass-list={';'.join(bypass)}",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--disable-features=OptimizationHints,MediaRouter,Translate",
            "--metrics-recording-only", "--no-pings", "--disable-extensions"]
    if lang:
        args.append(f"--lang={lang}")
    if microphone is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={microphone}"]
    if phone:
        metrics = dict(PHONE, width=phone_size[0], height=phone_size[1]) if phone_size else PHONE
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    elif window:
        args.append(f"--window-size={window[0]},{window[1]}")
    for arg in args:
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    if not phone and window and exact_viewport:
        # --window-size includes the (invisible) browser frame: set the page's own viewport.
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": window[0], "height": window[1], "deviceScaleFactor": 1, "mobile": False})
    d.set_page_load_timeout(20)
    return d


def keep_state_on_failure(drivers, artifacts, failed: bool):
    """Quits every browser; when the test failed, first keeps each one's screenshot and console log."""
    for i, d in enumerate(drivers):
        try:
            if failed:
                d.save_screenshot(str(artifacts.path(f"browser-{i + 1}-at-end.png")))
                logs = d.get_log("browser")
                artifacts.path(f"browser-{i + 1}.log").write_text(
                    "\n".join(f"{e.get('level')} {e.get('message')}" for e in logs))
        except Exception as e:  # the browser may be gone already
            print(f"could not save the browser's state: {e}")
        finally:
            d.quit()


def poll(what, probe, cond, timeout, interval=0.05):
    """Calls probe() until cond(value) is true; fails with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if cond(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s. Last seen: {json.dumps(value, default=str)[:2000]}")
        time.sleep(interval)


def click(d, css, timeout=10):
    """Clicks the first element matching `css` once it is visible and enabled. A page that redraws the element
    between finding and clicking it (a list that refreshes itself) is tried again."""
    _, _, _, By = selenium()
    from selenium.common.exceptions import StaleElementReferenceException
    deadline = time.monotonic() + timeout
    while True:
        found = d.find_elements(By.CSS_SELECTOR, css)
        try:
            if found and found[0].is_displayed() and found[0].is_enabled():
                found[0].click()
                return
        except StaleElementReferenceException:
            pass
        if time.monotonic() > deadline:
            text = d.execute_script("return document.body ? document.body.innerText.slice(0, 400) : ''")
            raise AssertionError(f"no visible, enabled element {css!r} on {d.current_url} within {timeout} s; "
                                 f"the page says: {text!r}")
        time.sleep(0.05)


def screenshot(d, name, *, width=None, full=False):
    """Saves the viewport as an artifact; `full`: the whole page from the top, in a window `width` wide (desktop
    windows only)."""
    dt.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = dt.ARTIFACTS / name
    if not full:
        assert d.save_screenshot(str(path)), f"could not save {path}"
        return path
    before = d.get_window_size()
    try:
        d.set_window_size(width or before["width"], before["height"])
        d.execute_script("window.scrollTo(0, 0)")
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.set_window_size(width or before["width"], min(int(height) + 140, 3000))
        time.sleep(0.2)
        assert d.save_screenshot(str(path)), f"could not save {path}"
    finally:
        d.set_window_size(before["width"], before["height"])
    return path


def axe_violations(d, *, disable=()):
    """Runs axe-core (shipped in the PyPI wheel axe-selenium-python, which scripts/setup installs) on the page and
    returns its violations as [(rule id, impact, the first offending element)]."""
    import axe_selenium_python
    script = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    d.execute_script(script.read_text())
    options = {"rules": {rule: {"enabled": False} for rule in disable}}
    result = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes[0] && v.nodes[0].html])),"
        " e => done([['axe-error', String(e), '']]));", options)
    return [tuple(v) for v in result]
