"""A full disk while recording: the recordings folder is a small tmpfs that fills up a few seconds into the meeting.
The recording stops with an alarm on the organizer's dashboard (in the organizer's language, with the system's
words), the server goes on serving, and a listener on the floor loses nothing: no packet lost or dropped, and the
floor keeps arriving after the alarm."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

import dragoman_testing as dt
from chromium import click, poll, screenshot, selenium

FREE_BYTES = 24 * 1024  # a few seconds of three channels at 32 kbit/s, then the disk is full


@pytest.fixture(params=[FREE_BYTES, 0], ids=["fills-up", "full-from-the-start"])
def full_disk_server(dragoman_bin, tmp_path, artifacts, request):
    """A server whose recordings folder is a 1 MiB tmpfs with only FREE_BYTES left, or none at all."""
    s = dt.Server(dragoman_bin, tmp_path / "server")
    folder = s.data_dir / "recordings"
    folder.mkdir(parents=True)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(folder)],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mount.stderr.strip()}")
    try:
        vfs = os.statvfs(folder)
        (folder / "filler").write_bytes(b"\0" * (vfs.f_bavail * vfs.f_frsize - request.param))
        artifacts.keep(s.log_path)
        s.start()
        yield s
        s.stop()
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_full_disk_stops_the_recording_with_an_alarm_and_the_meeting_goes_on(full_disk_server, cli, browser,
                                                                               summit_audio, tmp_path):
    server = full_disk_server
    r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk"], "recording": True})
    assert r.status == 201, r.body
    ev = r.json()
    code = ev["code"]
    out, stats = tmp_path / "floor.wav", tmp_path / "floor.json"
    listener = cli.start("listen", "--server", server.url, "--event", code, "--output", out, "--stats-json", stats,
                         "--duration", 120)
    dt.wait_listeners(server, code, "floor", 1)
    ingest = cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
                       summit_audio / "ru-01.wav")

    desk = browser(phone=False, window=(1366, 900), lang="en-US")
    desk.get(f"{server.url}/dashboard/{code}")
    _, _, _, By = selenium()
    click(desk, "#token")
    desk.find_element(By.ID, "token").send_keys(server.token)
    click(desk, "#token-submit")
    alarm = poll("the dashboard shows that the recording stopped",
                 lambda: desk.execute_script(
                     "const a = document.getElementById('recording-alarm');"
                     "return a && !a.hidden ? a.innerText : null;"),
                 lambda text: bool(text), 60)
    assert "the disk is full" in alarm and "No space left on device" in alarm, alarm
    screenshot(desk, "dashboard-recording-disk-full.png")
    assert "recording of" in server.log() and "No space left on device" in server.log(), "logged for the technician"

    # The meeting goes on: ten more seconds on the floor, still served, then the listener stops.
    heard_at_alarm = dt.wav_seconds(out)
    deadline = time.monotonic() + 60
    while dt.wav_seconds(out) < heard_at_alarm + 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.api("GET", "/healthz", token=None).status == 200
    assert listener.interrupt() == 0, listener.stderr
    ingest.kill()
    st = dt.read_stats(stats)
    assert dt.wav_seconds(out) >= heard_at_alarm + 10, f"the floor stopped reaching the listener: {st}"
    assert st["lost"] == 0 and st["dropped_by_server"] == 0, f"the listener lost audio: {st}"
    print(f"listener: {st['packets']} packets, delay p50 {st['delay_ms']['p50']} ms, p99 {st['delay_ms']['p99']} ms")
    assert server.api("GET", f"/api/events/{code}/recordings").status == 200, "the recordings still list"
