"""Bad input through the CLI and the API: each gets a clear error, and the server goes on serving everyone else."""

import os
import time

import dragoman_testing as dt
from dragoman_testing import create_event

MIN_NCC = 0.9
REFUSAL_TIMEOUT = 10  # a refused command must end by itself at once; 10 s is generous


def wait_floor_live(server, code, timeout=5.0):
    """Waits until GET /api/events/CODE says floorLive: true (or 1.5 s if the answer has no floorLive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = server.api("GET", f"/api/events/{code}", token=None)
        if r.status == 200:
            body = r.json()
            if "floorLive" not in body:
                time.sleep(1.5)
                return
            if body["floorLive"] is True:
                return
        time.sleep(0.1)
    raise AssertionError(f"the floor of {code} did not become live within {timeout} s")


def assert_refused(p, *words, what):
    """`p` ended non-zero, and its stderr (or stdout) contains one of `words` (case-insensitive)."""
    text = (p.stderr + "\n" + p.stdout).lower()
    assert p.returncode != 0, f"{what}: expected a non-zero exit, got 0.\nstdout: {p.stdout}\nstderr: {p.stderr}"
    assert any(w.lower() in text for w in words), \
        f"{what}: the message should name the problem (one of {words}).\nstdout: {p.stdout}\nstderr: {p.stderr}"


def test_ingest_of_a_file_that_is_not_wav_is_refused_and_the_server_keeps_serving(server, cli, tmp_path,
                                                                                  summit_audio):
    """Random bytes and an empty file are refused with a message; then a listener still hears a good floor."""
    ev = create_event(server, "Bad files", ["ru", "kk", "en"])
    junk = tmp_path / "junk.wav"
    junk.write_bytes(os.urandom(64 * 1024))
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for f in (junk, empty):
        p = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"], f,
                    timeout=REFUSAL_TIMEOUT)
        assert_refused(p, "wav", "riff", "empty", "header", "format", what=f"ingest of {f.name}")
    assert server.alive(), f"the server died:\n{server.log()}"
    assert server.healthz() == 200
    ncc, stats, _ = dt.floor_roundtrip(server, cli, ev, summit_audio / "ru-01.wav")
    assert ncc >= MIN_NCC and stats["lost"] == 0 and stats["packets"] > 0, (ncc, stats)


def test_ingest_with_a_wrong_floor_token_is_unauthorized(server, cli, summit_audio):
    ev = create_event(server, "Wrong token", ["ru"])
    p = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", "not-the-floor-token",
                summit_audio / "ru-01.wav", timeout=REFUSAL_TIMEOUT)
    assert_refused(p, "unauthorized", "token", "401", what="ingest with a wrong floor token")
    # the organizer token is not a floor token either
    p = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", server.token,
                summit_audio / "ru-01.wav", timeout=REFUSAL_TIMEOUT)
    assert_refused(p, "unauthorized", "token", "401", what="ingest with the organizer token as floor token")


def test_an_unknown_event_code_is_named(server, cli, tmp_path, summit_audio):
    """Ingest and listen to an event that does not exist: both fail and name the code."""
    create_event(server, "Some other event", ["ru"])
    code = "ZZZZZZ"
    p = cli.run("ingest", "--server", server.url, "--event", code, "--token", "whatever",
                summit_audio / "ru-01.wav", timeout=REFUSAL_TIMEOUT)
    assert_refused(p, code, what="ingest to an unknown event")
    p = cli.run("listen", "--server", server.url, "--event", code, "--output", tmp_path / "x.wav",
                "--duration", 10, "--idle-timeout", 2, timeout=REFUSAL_TIMEOUT)
    assert_refused(p, code, what="listen to an unknown event")


def test_a_pin_event_refuses_a_wrong_pin_and_accepts_the_right_one(server, cli, tmp_path, summit_audio):
    ev = create_event(server, "Closed session", ["ru", "kk"], pin="2468")
    assert ev.get("pinRequired") is True, ev
    for pin in ("1357", None):
        args = ["listen", "--server", server.url, "--event", ev["code"], "--output", tmp_path / "x.wav",
                "--duration", 10, "--idle-timeout", 2]
        if pin:
            args += ["--pin", pin]
        p = cli.run(*args, timeout=REFUSAL_TIMEOUT)
        assert_refused(p, "unauthorized", "pin", what=f"listen with {'PIN ' + pin if pin else 'no PIN'}")
    r = server.api("GET", f"/api/events/{ev['code']}", token=None)
    assert r.status == 401, f"GET /api/events/CODE of a PIN event without a PIN: {r.status} {r.body[:300]!r}"
    ncc, stats, _ = dt.floor_roundtrip(server, cli, ev, summit_audio / "ru-01.wav", pin="2468")
    assert ncc >= MIN_NCC and stats["lost"] == 0 and stats["packets"] > 0, (ncc, stats)


def test_listen_on_an_unknown_channel_is_refused_naming_the_channel(server, cli, tmp_path):
    ev = create_event(server, "Three channels", ["ru", "kk", "en"])
    p = cli.run("listen", "--server", server.url, "--event", ev["code"], "--channel", "tlh",
                "--output", tmp_path / "x.wav", "--duration", 10, "--idle-timeout", 2, timeout=REFUSAL_TIMEOUT)
    assert_refused(p, "tlh", what="listen on channel 'tlh'")
    assert "channel" in (p.stderr + p.stdout).lower(), f"the message should say it is the channel:\n{p.stderr}"


def test_a_second_floor_publisher_is_refused_and_the_first_goes_on(server, cli, summit_audio):
    """While one ingest publishes, another is refused as floor-busy; the first one and its listener lose nothing."""
    wav = summit_audio / "kk-03.wav"  # 8.5 s
    ref, rate = dt.read_wav(wav)
    ev = create_event(server, "Busy floor", ["ru", "kk", "en"])
    out = cli.transcript.parent / "busy.wav"
    stats_path = cli.transcript.parent / "busy.stats.json"
    listener = cli.start("listen", "--server", server.url, "--event", ev["code"], "--output", out,
                         "--duration", 120, "--stats-json", stats_path)
    dt.wait_listeners(server, ev["code"], "floor", 1)
    first = cli.start("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"], wav)
    wait_floor_live(server, ev["code"])
    assert first.running(), f"the first ingest ended early: {first.proc.poll()}\n{first.stderr}"
    t0 = time.monotonic()
    second = cli.run("ingest", "--server", server.url, "--event", ev["code"], "--token", ev["floorToken"], wav,
                     timeout=REFUSAL_TIMEOUT)
    assert_refused(second, "busy", what="a second ingest while the floor is published")
    assert time.monotonic() - t0 < 5, "the second ingest should be refused at once, not after sending"
    assert first.running(), f"the first ingest stopped when the second was refused:\n{first.stderr}"
    assert first.wait(timeout=len(ref) / rate + 15) == 0, f"the first ingest failed:\n{first.stderr}"
    assert dt.stop_when_recorded(listener, out, len(ref) / rate) == 0, f"the listener failed:\n{listener.stderr}"
    got, _ = dt.read_wav(out)
    ncc, lag = dt.aligned_ncc(ref, got, max_lag=rate)
    stats = dt.read_stats(stats_path)
    expected = len(ref) / rate / dt.FRAME_S
    assert stats["lost"] == 0, stats
    assert abs(stats["packets"] - expected) <= 0.02 * expected + 2, (stats, expected)
    assert ncc >= MIN_NCC, f"NCC {ncc:.3f} at lag {lag}"


# ------------------------------------------------------------------------------------------------------------ API


def error_of(r, status):
    assert r.status == status, f"expected HTTP {status}, got {r.status}: {r.body[:500]!r}"
    body = r.json()
    assert isinstance(body.get("error"), dict), f"an error body is {{\"error\": {{code, message}}}}: {body}"
    assert body["error"].get("code") and body["error"].get("message"), body
    return body["error"]


def test_api_create_event_needs_the_organizer_token(server):
    body = {"name": "x", "languages": ["ru"]}
    assert error_of(server.api("POST", "/api/events", body, token=None), 401)["code"] == "unauthorized"
    assert error_of(server.api("POST", "/api/events", body, token="wrong"), 401)["code"] == "unauthorized"
    assert error_of(server.api("GET", "/api/events", token=None), 401)["code"] == "unauthorized"


def test_api_malformed_json_is_a_bad_request_naming_the_problem(server):
    e = error_of(server.api("POST", "/api/events", '{"name": "x", "languages": ["ru",'), 400)
    assert e["code"] == "bad-request"
    assert "json" in e["message"].lower(), f"the message should say the JSON is malformed: {e}"
    e = error_of(server.api("POST", "/api/events", {"name": "x"}), 400)
    assert e["code"] == "bad-request" and "languages" in e["message"], e


def test_api_invalid_language_tag_is_a_bad_request_naming_it(server):
    e = error_of(server.api("POST", "/api/events", {"name": "x", "languages": ["ru", "not a tag!"]}), 400)
    assert e["code"] == "bad-request" and "not a tag!" in e["message"], e
    e = error_of(server.api("POST", "/api/events", {"name": "x", "languages": []}), 400)
    assert e["code"] == "bad-request", e


def test_api_unknown_event_is_404(server):
    create_event(server, "Exists", ["ru"])
    e = error_of(server.api("GET", "/api/events/ZZZZZZ", token=None), 404)
    assert e["code"] == "unknown-event" and "ZZZZZZ" in e["message"], e
