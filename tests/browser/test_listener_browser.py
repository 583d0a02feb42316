"""The listener page in headless Chromium on a phone-sized screen, against a live floor.

Needs Debian's `chromium` and `chromium-driver` (scripts/setup installs them). All traffic stays on loopback: the
browser resolves every name but the ones mapped to 127.0.0.1 to "not found", and its background services are off."""

import json
import time

import pytest

from chromium import FAKE_HOST, click, poll, screenshot
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


# The plain page's MSE path in both of its containers: WebM (what Chromium picks) and fragmented MP4 (what Safari
# documents, forced here with ?container=mp4; Chromium plays both).
MSE_CONTAINERS = [(True, None), (False, None), (False, "mp4")]


def listener_url(host, port, code, *, channel=None, container=None):
    query = "&".join(f"{k}={v}" for k, v in (("channel", channel), ("container", container)) if v)
    return f"http://{host}:{port}/j/{code}{'?' + query if query else ''}"


@pytest.mark.parametrize("secure,container", MSE_CONTAINERS, ids=["secure", "plain", "plain-mp4"])
def test_listener_plays_the_floor_switches_channel_and_survives_a_server_restart(server, cli, browser,
                                                                                 summit_audio, secure, container):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    ingest = start_floor_loop(cli, server, ev, summit_audio)
    d = browser(map_host=not secure)
    host = "127.0.0.1" if secure else FAKE_HOST
    path = "webcodecs" if secure else "mse"
    d.get(listener_url(host, server.port, ev["code"], container=container))
    assert d.execute_script("return window.isSecureContext") is secure
    click(d, "#play")
    state, _ = wait_for(d, f"audible floor through {path}", lambda s, lv: lv > SILENT and s.get("path") == path, 15)
    assert state.get("container") == (None if secure else container or "webm"), state

    click(d, 'button[data-channel="ru"]')
    wait_for(d, "tuned to ru", lambda s, lv: s.get("channel") == "ru", 5)
    wait_for(d, "audible on ru", lambda s, lv: s.get("channel") == "ru" and lv > SILENT, 10)
    assert ingest.running(), f"the looping ingest ended: {ingest.proc.poll()}\n{ingest.stderr}"

    # The server goes down hard, and comes back on the same port with the same data.
    ingest.kill()
    server.stop(sig=9)
    wait_for(d, "the page notices the server is gone", lambda s, lv: s.get("connection") != "connected", 5)
    down, _ = wait_for(d, "the top says it reconnects", lambda s, lv: s["now"]["state"] == "reconnecting", 10)
    assert down["now"]["text"], down["now"]
    if secure:
        screenshot(d, "listener-reconnecting.png")
    server.start()
    ingest = start_floor_loop(cli, server, ev, summit_audio)
    t0 = time.monotonic()
    state, _ = wait_for(d, "connected and audible again after the restart",
                        lambda s, lv: s.get("connection") == "connected" and lv > SILENT, 15)
    print(f"playing again {time.monotonic() - t0:.1f} s after the restart: {state}")
    assert state.get("channel") == "ru", f"a reconnected listener should stay on its channel: {state}"
    assert state.get("path") == path, state
    wait_for(d, "the top says it plays again", lambda s, lv: s["now"]["state"] in ("playing", "silent"), 10)
    if secure:
        screenshot(d, "listener-phone.png")


def test_listener_without_a_secure_context_falls_back_to_the_audio_element(server, cli, browser, summit_audio):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    start_floor_loop(cli, server, ev, summit_audio)
    d = browser(map_host=True)
    # Media Source Extensions come first on such a page (the test below); ?path=stream forces the last resort.
    d.get(f"http://{FAKE_HOST}:{server.port}/j/{ev['code']}?path=stream")
    assert d.execute_script("return window.isSecureContext") is False, \
        f"http://{FAKE_HOST} should not be a secure context (the test relies on it)"
    click(d, "#play")
    wait_for(d, "audible through the <audio> Ogg stream", lambda s, lv: s.get("path") == "stream" and lv > SILENT,
             15)
    screenshot(d, "listener-fallback.png")


def open_page(d, url, lang):
    """Opens the page in `lang`, as a listener's remembered choice of the page's language."""
    d.get(url)
    d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify(arguments[0]))", lang)
    d.get(url)
    poll("the page", lambda: d.execute_script("return !!window.dragoman && document.documentElement.lang"),
         lambda v: v == lang, 10)


def box(d, css):
    return d.execute_script("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                            "return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];",
                            css)


@pytest.mark.parametrize("secure,lang", [(False, "ru"), (False, "kk"), (False, "en"), (True, "kk")],
                         ids=["plain-ru", "plain-kk", "plain-en", "secure-kk"])
def test_the_page_plays_low_delay_shows_what_it_hears_and_the_banner_does_not_move_stop(
        server, cli, browser, summit_audio, secure, lang):
    """Plain HTTP under a name that is not localhost (not a secure context): Media Source Extensions; the secure
    page: WebCodecs. Both: the channel at the top in its own script, and the language banner leaves Stop alone."""
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    code = ev["code"]
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
    start_floor_loop(cli, server, ev, summit_audio)
    d = browser(map_host=not secure, lang=lang)
    host = "127.0.0.1" if secure else FAKE_HOST
    open_page(d, f"http://{host}:{server.port}/j/{code}?channel=ru", lang)
    assert d.execute_script("return window.isSecureContext") is secure, \
        f"http://{host} should {'' if secure else 'not '}be a secure context (the test relies on it)"
    assert d.execute_script("return MediaSource.isTypeSupported('audio/webm; codecs=\"opus\"')") is True
    idle, _ = wait_for(d, "the event joined", lambda s, lv: "now" in s, 10)
    assert idle["now"]["state"] == "idle" and idle["now"]["channel"] == "Русский", idle["now"]
    click(d, "#play")
    path = "webcodecs" if secure else "mse"
    state, _ = wait_for(d, f"audible through {path}",
                        lambda s, lv: s.get("path") == path and s.get("connection") == "connected" and lv > SILENT,
                        15)
    wait_for(d, "the top says it plays", lambda s, lv: s["now"]["state"] in ("playing", "silent"), 5)
    wait_for(d, "a playout delay measured", lambda s, lv: s.get("delayMs") is not None, 10)

    stop_before = box(d, "#play")
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"}).status == 200
    state, _ = wait_for(d, "the language banner", lambda s, lv: s.get("alert"), 10)
    assert d.find_element("css selector", "#alert").is_displayed()
    assert box(d, "#play") == stop_before, "the banner must not move the Stop button"
    wait_for(d, "still audible after the switch", lambda s, lv: s.get("path") == path and lv > SILENT, 10)
    screenshot(d, f"listener-{'secure' if secure else 'plain-http'}-{lang}.png")
    click(d, "#alert-close")
    wait_for(d, "the banner dismissed", lambda s, lv: s.get("alert") is None, 5)
    assert box(d, "#play") == stop_before


@pytest.mark.parametrize("secure,container", MSE_CONTAINERS, ids=["webcodecs", "mse", "mse-mp4"])
def test_floor_booth_switches_play_on_without_underruns_and_the_delay_comes_back(server, cli, browser,
                                                                                summit_audio, secure, container):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    code = ev["code"]
    r = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "ru"})
    assert r.status in (200, 201), f"interpreters answered {r.status}: {r.body[:300]!r}"
    key = r.json()["key"]
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
    start_floor_loop(cli, server, ev, summit_audio)
    cli.start("interpret", "--server", server.url, "--event", code, "--key", key, "--booth", "ru",
              summit_audio / "summit-booth-ru.wav", "--duration", 120)
    d = browser(map_host=not secure)
    host = "127.0.0.1" if secure else FAKE_HOST
    d.get(listener_url(host, server.port, code, channel="ru", container=container))
    click(d, "#play")
    path = "webcodecs" if secure else "mse"
    state, _ = wait_for(d, f"audible through {path}", lambda s, lv: s.get("path") == path and lv > SILENT, 15)
    assert state.get("container") == (None if secure else container or "webm"), state
    wait_for(d, "a playout delay measured", lambda s, lv: s.get("delayMs") is not None, 10)
    before = page_state(d)["underruns"]

    for _ in range(3):
        assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"}).status == 200
        wait_for(d, "the booth on ru", lambda s, lv: (s.get("carrying") or {}).get("kind") == "interpreter", 15)
        wait_for(d, "the booth audible", lambda s, lv: lv > SILENT, 15)
        assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
        wait_for(d, "the floor on ru", lambda s, lv: (s.get("carrying") or {}).get("kind") == "floor", 15)
        wait_for(d, "the floor audible", lambda s, lv: lv > SILENT, 15)

    # Back at the path's resting target (60 ms for the jitter buffer, 100 ms for MSE), with the buffer near it.
    resting = 60 if secure else 100
    state, _ = wait_for(d, "the delay back near the target after the switches",
                        lambda s, lv: s.get("bufferMs") is not None and s.get("targetMs") is not None
                        and s["targetMs"] <= resting + 10 and s["bufferMs"] <= s["targetMs"] + 50, 30)
    print(f"{path} {container or ''}: after 6 switches " + json.dumps({k: state.get(k) for k in ("delayMs", "netMs", "bufferMs", "targetMs", "jitterMs", "underruns", "lost")}))
    assert state["underruns"] == before, f"switches of source ran the buffer dry: {state}"


FIRST_SOUND_JS = """
const done = arguments[arguments.length - 1];
const t0 = performance.now();
document.getElementById('play').click();
const iv = setInterval(() => {
  if (window.dragoman.level() > 0.005) { clearInterval(iv); done(performance.now() - t0); }
  else if (performance.now() - t0 > 15000) { clearInterval(iv); done(null); }
}, 5);
"""


def test_the_mp4_container_plays_soon_near_the_live_edge_and_mixes_the_floor_under_the_booth(
        server, cli, browser, summit_audio):
    """The MSE path with fragmented MP4 (shared/mp4-opus.js), as a browser that refuses WebM/Opus would take it:
    first sound, the steady playout delay, the level meter, only the MP4 muxer loaded, and the floor under the
    interpretation, whose second element uses MP4 as well."""
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    code = ev["code"]
    r = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "ru"})
    assert r.status in (200, 201), f"interpreters answered {r.status}: {r.body[:300]!r}"
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
    start_floor_loop(cli, server, ev, summit_audio)
    cli.start("interpret", "--server", server.url, "--event", code, "--key", r.json()["key"], "--booth", "ru",
              summit_audio / "summit-booth-ru.wav", "--duration", 120)
    d = browser(map_host=True)
    d.set_script_timeout(20)
    d.get(listener_url(FAKE_HOST, server.port, code, channel="ru", container="mp4"))
    assert d.execute_script("return window.isSecureContext") is False
    click(d, "#floor-mix-on")
    poll("the MP4 muxer loaded before Listen", lambda: d.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"),
        lambda names: any(n.endswith("/shared/mp4-opus.js") for n in names), 10)

    first_ms = d.execute_async_script(FIRST_SOUND_JS)
    assert first_ms is not None, f"no sound within 15 s: {page_state(d)}"
    state = page_state(d)
    print(f"mp4: first sound {first_ms:.0f} ms after Listen")
    assert state["path"] == "mse" and state["container"] == "mp4", state
    assert first_ms < 3000, f"first sound {first_ms:.0f} ms after Listen"

    # Steady: the floor on ru for 8 s, after 2 s to settle.
    time.sleep(2)
    start = page_state(d)
    delays = []
    for _ in range(32):
        s = page_state(d)
        if s.get("delayMs") is not None:
            delays.append(s["delayMs"])
        time.sleep(0.25)
    delays.sort()
    p50 = delays[len(delays) // 2] if delays else None
    print(f"mp4: steady delay p50 {p50} ms, max {delays[-1] if delays else None} ms over {len(delays)} readings; "
          f"underruns {s['underruns'] - start['underruns']}, target {s['targetMs']} ms")
    assert len(delays) >= 24, f"the delay should be measured while the floor plays: {delays}"
    assert p50 <= 300, f"steady delay p50 {p50} ms: {delays}"
    assert s["rate"] is not None and 0.96 <= s["rate"] <= 1.04, f"the live-edge steering's rate: {s}"

    # The speaker switches to Kazakh: ru carries the booth, and the floor plays softly under it, through MP4 too.
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"}).status == 200
    poll("the floor mixed under the interpretation", lambda: d.execute_script(
        "return Object.assign(window.dragoman.state(), {level: window.dragoman.level(),"
        " floorMixLevel: window.dragoman.floorMixLevel()})"),
        lambda s: (s["carrying"] or {}).get("kind") == "interpreter" and s["floorMix"]["active"]
        and s["floorMix"]["packets"] > 25 and s["floorMixLevel"] > SILENT and s["level"] > SILENT, 15)
    files = d.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert not any(f.endswith("/shared/webm-opus.js") for f in files), \
        f"with ?container=mp4 neither player should load the WebM muxer: {files}"


def square_wave(path, seconds=8.0, rate=48000, freq=440):
    """A full-scale square wave: the server's limiter brings it to −1 dBFS, and Opus then decodes it louder."""
    import struct
    import wave
    period = rate // freq
    frames = b"".join(struct.pack("<h", 32767 if (i % period) < period // 2 else -32767) for i in range(int(seconds * rate)))
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


@pytest.mark.parametrize("secure,query", [(True, ""), (False, ""), (False, "?path=stream")],
                         ids=["secure", "plain", "ogg-fallback"])
def test_nothing_louder_than_minus_1_dbfs_reaches_the_ear(server, cli, browser, tmp_path, secure, query):
    """A square wave at full scale on the floor decodes above −1 dBFS (Opus overshoots what the limiter let
    through); the page's last node holds everything it plays to −1 dBFS, on every player path (WebCodecs, Media
    Source, and the Ogg <audio> last resort)."""
    ceiling = 10 ** (-1 / 20)
    ev = create_event(server, "Sound check", ["ru"])
    square = tmp_path / "square.wav"
    square_wave(square)
    cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"], "--loop", square)
    decoded = tmp_path / "decoded.wav"
    listen = cli.start("listen", "--server", server.url, "--event", ev["code"], "--channel", "floor",
                       "--duration", 4, "--output", decoded)
    d = browser(map_host=not secure)
    host = "127.0.0.1" if secure else FAKE_HOST
    d.get(f"http://{host}:{server.port}/j/{ev['code']}{query}")
    click(d, "#play")
    wait_for(d, "the square wave playing", lambda s, lv: s.get("connection") == "connected" and lv > SILENT, 15)
    expected_path = "webcodecs" if secure else "stream" if query else "mse"
    assert d.execute_script("return window.dragoman.state().path") == expected_path
    assert listen.wait(timeout=60) == 0, listen.stderr
    import wave
    with wave.open(str(decoded)) as w:
        samples = w.readframes(w.getnframes())
    import array
    pcm = array.array("h", samples)
    decoded_peak = max(abs(x) for x in pcm) / 32768 if pcm else 0
    assert decoded_peak > ceiling, f"the test signal should decode above −1 dBFS to test the guard ({decoded_peak:.3f})"
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        time.sleep(0.2)
    peak = d.execute_script("return window.dragoman.earPeak()")
    print(f"ear guard ({expected_path}): decoded peak {decoded_peak:.3f}, at the ear {peak:.4f}")
    assert 0.5 < peak <= ceiling + 1e-4, f"at the ear {peak:.4f} (ceiling {ceiling:.4f})"
