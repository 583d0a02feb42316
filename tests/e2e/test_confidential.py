"""Confidential meetings and who is named in the record, over a real server.

A confidential event records nothing (no files, no transcript) and nothing of it leaves the room: a relay
(`role=relay`, as `dragoman icecast` connects) is refused with `confidential`, the Ogg stream answers 403, and
turning confidential on closes a relay that is connected. Phones in the room still hear the floor. A recorded
event's trail and transcript JSON name the interpreter only when the organizer allows it (`namesInRecord`)."""

from __future__ import annotations

import json
import socket
import time

import pytest
import websocket

import dragoman_testing as dt


def wait_for(what, probe, cond, timeout):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = probe()
        if cond(value):
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s; last: {value}")


def relay(server, code, channel="floor"):
    """A raw WebSocket listener that says it carries the channel out of the room."""
    return websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/ws/listen/{code}?channel={channel}&codec=none&role=relay", timeout=10)


def until_error(ws, limit=15):
    """The messages `ws` gets until its first `error`; returns that error and the close code, if one came."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        opcode, data = ws.recv_data(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            message = json.loads(data)
            if message["type"] == "error":
                close = None
                try:
                    opcode, data = ws.recv_data(control_frame=True)
                    if opcode == websocket.ABNF.OPCODE_CLOSE and len(data) >= 2:
                        close = int.from_bytes(data[:2], "big")
                except (websocket.WebSocketConnectionClosedException, OSError):
                    pass
                return message, close
        elif opcode == websocket.ABNF.OPCODE_CLOSE:
            raise AssertionError(f"closed without an error message: {data!r}")
    raise AssertionError("no error message")


def stream_request(server, code, channel="floor") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(f"GET /stream/{code}/{channel}.ogg HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return s


def test_a_confidential_meeting_records_nothing_and_nothing_leaves_the_room(server, cli, summit_audio, tmp_path):
    both = server.api("POST", "/api/events", {"name": "Closed talks", "languages": ["ru", "kk"], "confidential": True,
                                              "recording": True})
    assert both.status == 400, both.body
    error = both.json()["error"]
    assert error["code"] == "bad-request" and "confidential" in error["message"] and "recording" in error["message"], error

    r = server.api("POST", "/api/events", {"name": "Closed talks", "languages": ["ru", "kk"], "confidential": True})
    assert r.status == 201, r.body
    ev = r.json()
    code = ev["code"]
    assert ev["confidential"] is True and ev["recording"] is False and ev["namesInRecord"] is False, ev
    assert server.api("GET", f"/api/events/{code}", token=None).json()["confidential"] is True, "phones are told"
    refused = server.api("PATCH", f"/api/events/{code}", {"recording": True})
    assert refused.status == 400 and "confidential" in refused.json()["error"]["message"], refused.body

    wav = tmp_path / "floor.wav"
    listener = cli.start("listen", "--server", server.url, "--event", code, "--channel", "floor", "--output", wav,
                         "--duration", 90)
    dt.wait_listeners(server, code, "floor", 1, timeout=30)
    cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
              summit_audio / "ru-01.wav")
    wait_for("four seconds of the floor on a phone", lambda: dt.wav_seconds(wav), lambda s: s >= 4, 60)

    # A relay out of the room: refused with its code, before and after the upgrade alike.
    ws = relay(server, code)
    message, close = until_error(ws)
    ws.close()
    assert message["code"] == "confidential" and message["fatal"] and code in message["message"], message
    assert close == 4403, close
    # dragoman icecast stops at once with the reason (it would otherwise retry forever).
    icecast = cli.run("icecast", "--server", server.url, "--event", code, "--channel", "floor",
                      "--icecast", f"http://source:hackme@127.0.0.1:{dt.closed_port()}/live.ogg", timeout=60)
    assert icecast.returncode != 0 and "confidential" in icecast.stderr, icecast.stderr
    # The Ogg stream: 403 confidential.
    stream = dt.http("GET", f"{server.url}/stream/{code}/floor.ogg", timeout=10)
    assert stream.status == 403 and json.loads(stream.body)["error"]["code"] == "confidential", stream.body

    # Nothing on disk and nothing listed, after seconds of floor.
    assert dt.stop_when_recorded(listener, wav, 6) == 0
    folder = server.data_dir / "recordings" / code
    assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())
    listing = server.api("GET", f"/api/events/{code}/recordings")
    assert listing.status == 200 and listing.json()["recordings"] == [], listing.body

    audio, rate = dt.read_wav(wav)
    assert dt.rms(audio[rate:]) > 0.01, "the phone in the room hears the floor"


def test_turning_confidential_on_closes_the_relays_and_streams(server):
    r = server.api("POST", "/api/events", {"name": "Talks", "languages": ["ru", "kk"], "recording": True})
    assert r.status == 201, r.body
    code = r.json()["code"]
    ws = relay(server, code, "ru")
    assert json.loads(ws.recv())["type"] == "welcome"
    stream = stream_request(server, code, "kk")
    head = stream.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]

    # Recording is on: confidential alone is refused, naming the conflict; with recording off it is taken.
    refused = server.api("PATCH", f"/api/events/{code}", {"confidential": True})
    assert refused.status == 400 and "'recording'" in refused.json()["error"]["message"], refused.body
    changed = server.api("PATCH", f"/api/events/{code}", {"confidential": True, "recording": False})
    assert changed.status == 200 and changed.json()["confidential"] is True, changed.body

    message, close = until_error(ws)
    ws.close()
    assert message["code"] == "confidential" and message["fatal"], message
    assert close == 4403, close
    # The stream ends: the last chunk of the chunked response arrives.
    received = b""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not received.endswith(b"0\r\n\r\n"):
        try:
            chunk = stream.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        received += chunk
    stream.close()
    assert received.endswith(b"0\r\n\r\n"), f"the Ogg stream ended: {received[-40:]!r}"
    # And a new one is refused.
    assert dt.http("GET", f"{server.url}/stream/{code}/kk.ogg", timeout=10).status == 403


@pytest.mark.parametrize("names", [False, True], ids=["names-off", "names-on"])
def test_the_record_names_the_interpreter_only_when_the_organizer_allows_it(names, server, cli, summit_audio, tmp_path):
    r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk"], "recording": True,
                                           "namesInRecord": names})
    assert r.status == 201 and r.json()["namesInRecord"] is names, r.body
    ev = r.json()
    code = ev["code"]
    console = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim Seitkali", "booth": "ru"})
    assert console.status == 201, console.body
    person = console.json()
    # The floor speaks Kazakh: the Russian booth's interpreter goes live on the ru channel.
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"}).status == 200
    cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
              summit_audio / "ru-01.wav")
    cli.start("interpret", "--server", server.url, "--event", code, "--key", person["key"], "--booth", "ru",
              "--duration", 60, summit_audio / "ru-01.wav")

    def ru_document():
        files = [f["file"] for f in server.api("GET", f"/api/events/{code}/recordings").json()["recordings"]
                 if f["channel"] == "ru"]
        if not files:
            return None
        answer = server.api("GET", f"/api/events/{code}/recordings/{files[-1][:-5]}.json")
        return (files[-1], answer.body.decode()) if answer.status == 200 else None

    def interpreted(found):
        return found is not None and any(e["message"]["type"] == "carrying" and e["message"]["source"]["kind"] == "interpreter"
                                         for e in json.loads(found[1])["events"])

    file, text = wait_for("the ru trail says an interpreter carried the channel", ru_document, interpreted, 60)
    carried = [e["message"] for e in json.loads(text)["events"]
               if e["message"]["type"] == "carrying" and e["message"]["source"]["kind"] == "interpreter"]
    sidecar = (server.data_dir / "recordings" / code / file.replace(".opus", ".jsonl")).read_text()
    if names:
        assert carried[0]["interpreter"] == "Aigerim Seitkali" and carried[0]["interpreterId"] == person["id"], carried
        assert "Aigerim Seitkali" in sidecar, sidecar
    else:
        assert carried[0]["interpreter"] == "ru booth interpreter" and "interpreterId" not in carried[0], carried
        for where, content in (("transcript JSON", text), ("sidecar", sidecar)):
            assert "Aigerim" not in content and person["id"] not in content, f"{where} names the interpreter: {content}"
