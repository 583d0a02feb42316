"""A room set to 60 ms per message (`packetMs`, for thousands of phones): the listener page in headless Chromium
plays the bundles on both player paths, with no packet lost, and `dragoman listen` decodes them too."""

import json
import time
import wave

import pytest

from chromium import FAKE_HOST, click, poll

SILENT = 0.005


def state_and_level(d):
    return d.execute_script("return window.dragoman ? [window.dragoman.state(), window.dragoman.level()] : null;")


def large_room(server, packet_ms):
    r = server.api("POST", "/api/events", {"name": "Plenary", "languages": ["ru", "kk"], "packetMs": packet_ms})
    assert r.status == 201, (r.status, r.body[:300])
    ev = r.json()
    assert ev["packetMs"] == packet_ms, ev
    return ev


def test_a_packet_duration_that_is_not_offered_is_refused_with_the_reason(server):
    r = server.api("POST", "/api/events", {"name": "Plenary", "languages": ["ru"], "packetMs": 50})
    assert r.status == 400 and "packetMs" in r.body.decode() and "40" in r.body.decode(), (r.status, r.body[:300])


@pytest.mark.parametrize("secure", [True, False], ids=["webcodecs", "mse"])
def test_the_page_plays_a_room_of_60_ms_messages_without_loss(server, cli, browser, summit_audio, secure):
    ev = large_room(server, 60)
    cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
              "--loop", summit_audio / "summit-floor.wav")
    d = browser(map_host=not secure)
    host = "127.0.0.1" if secure else FAKE_HOST
    d.get(f"http://{host}:{server.port}/j/{ev['code']}")
    click(d, "#play")
    path = "webcodecs" if secure else "mse"
    state, _ = poll(f"audible through {path}", lambda: state_and_level(d),
                    lambda v: v and v[0].get("path") == path and v[1] > SILENT and v[0]["packets"] > 100, 20)
    # Five more seconds of playing: every packet of every bundle arrives and plays, none counted lost.
    before = state["packets"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.25)
    state, level = state_and_level(d)
    print(f"{path}, 60 ms per message: {state['packets'] - before} packets in 5 s, lost {state['lost']}, "
          f"delay {state['delayMs']} ms (buffer {state['bufferMs']} ms, target {state.get('targetMs')} ms), "
          f"underruns {state.get('underruns')}")
    assert state["lost"] == 0, state
    assert 230 <= state["packets"] - before <= 270, f"5 s of 20 ms packets: {state['packets'] - before}"
    assert state["connection"] == "connected", state
    poll("still audible (the floor has pauses between sentences)", lambda: state_and_level(d), lambda v: v[1] > SILENT, 10)


def test_dragoman_listen_decodes_a_room_of_40_ms_messages(server, cli, summit_audio, tmp_path):
    ev = large_room(server, 40)
    cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"],
              "--loop", summit_audio / "summit-floor.wav")
    out = tmp_path / "heard.wav"
    stats_path = tmp_path / "stats.json"
    listen = cli.run("listen", "--server", server.url, "--event", ev["code"], "--channel", "floor", "--duration", 4,
                     "--output", out, "--stats-json", stats_path)
    assert listen.returncode == 0, listen.stderr
    with wave.open(str(out)) as w:
        seconds = w.getnframes() / w.getframerate()
    stats = json.loads(stats_path.read_text())
    print(f"dragoman listen, 40 ms per message: {seconds:.2f} s decoded, {stats}")
    assert stats["lost"] == 0 and stats["packets"] >= 100, stats
    assert abs(seconds - stats["packets"] * 0.02) < 0.05, f"every packet of every bundle decoded: {seconds:.2f} s"
