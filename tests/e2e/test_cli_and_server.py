"""The CLI's other paths (event creation, ingest from stdin, resampling) and what the server keeps across a
restart, over real sockets."""

import json
import re
import ssl
import subprocess
import urllib.request

import dragoman_testing as dt
from dragoman_testing import create_event

MIN_NCC = 0.9
CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$")


def test_event_create_prints_the_event_json(server, cli):
    p = cli.run("event", "create", "--server", server.url, "--token", server.token, "--name", "State visit, Astana",
                "--languages", "ru,kk,en", "--pin", "1234", "--json")
    assert p.returncode == 0, p.stderr
    try:
        ev = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"`event create --json` printed no JSON ({e}):\n{p.stdout}") from None
    assert CODE.match(ev.get("code", "")), ev
    assert ev["name"] == "State visit, Astana" and ev["languages"] == ["ru", "kk", "en"], ev
    assert ev.get("pinRequired") is True and ev.get("floorToken"), ev
    assert ev.get("joinURL", "").endswith(f"/j/{ev['code']}"), ev
    listed = server.api("GET", "/api/events").json()
    assert ev["code"] in [e["code"] for e in listed["events"]], listed

    p = cli.run("event", "create", "--server", server.url, "--token", "wrong", "--name", "x", "--languages", "ru",
                "--json")
    text = (p.stderr + p.stdout).lower()
    assert p.returncode != 0 and any(w in text for w in ("unauthorized", "401", "token")), (p.returncode, p.stderr)


def test_ingest_from_stdin(server, cli, summit_audio):
    """Raw 48 kHz mono s16le PCM on stdin (`ingest -`) reaches a listener intact."""
    wav = summit_audio / "ru-01.wav"
    ev = create_event(server, "stdin", ["ru"])
    raw = subprocess.run(["sox", str(wav), "-t", "raw", "-r", "48000", "-c", "1", "-b", "16", "-e", "signed",
                          "-L", "-"], stdout=subprocess.PIPE, check=True).stdout
    ncc, stats, _ = dt.floor_roundtrip(server, cli, ev, wav, send="-", stdin=raw,
                                       ingest_args=["--rate", 48000, "--channels", 1, "--format", "s16le"])
    expected = len(raw) / 2 / 48000 / dt.FRAME_S
    assert ncc >= MIN_NCC, ncc
    assert stats["lost"] == 0 and abs(stats["packets"] - expected) <= 0.02 * expected + 2, (stats, expected)


def test_ingest_resamples_a_44k1_stereo_file(server, cli, tmp_path, summit_audio):
    """A 44.1 kHz stereo WAV is resampled to 48 kHz and mixed to mono: a listener hears the original."""
    wav = summit_audio / "ru-01.wav"
    cd = tmp_path / "ru-01-44k1-stereo.wav"
    subprocess.run(["sox", str(wav), "-r", "44100", "-c", "2", "-b", "16", str(cd)], check=True)
    ev = create_event(server, "resample", ["ru"])
    ncc, stats, _ = dt.floor_roundtrip(server, cli, ev, wav, send=cd)
    assert ncc >= MIN_NCC, ncc
    assert stats["lost"] == 0 and stats["packets"] > 0, stats


def test_events_survive_a_restart_and_tls_serves(server):
    """An event created before the server was killed is there after the restart, and its floor token and PIN
    still open it, although the server keeps only their hashes and shows neither again; the TLS port answers
    /healthz."""
    ev = create_event(server, "Persistent", ["ru", "kk"], pin="9876")
    server.restart()  # SIGKILL: nothing recorded may be lost
    r = server.api("GET", "/api/events")
    assert r.status == 200, r.body
    again = {e["code"]: e for e in r.json()["events"]}.get(ev["code"])
    assert again is not None, f"event {ev['code']} is gone after a restart: {r.json()}"
    assert again["languages"] == ["ru", "kk"] and again["pinRequired"] is True, again
    assert "floorToken" not in again and "pin" not in again, f"a secret shown again after it was made: {again}"
    r = server.api("POST", f"/api/events/{ev['code']}/floor-language", {"language": "kk"}, token=ev["floorToken"])
    assert r.status in (200, 204), (r.status, r.body[:300])
    r = server.api("GET", f"/api/events/{ev['code']}", token=None, headers={"X-Dragoman-Pin": "9876"})
    assert r.status == 200 and r.json().get("pinRequired") is True, (r.status, r.body[:300])

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's own self-signed certificate
    with urllib.request.urlopen(server.tls_url + "/healthz", context=ctx, timeout=10) as resp:
        assert resp.status == 200
