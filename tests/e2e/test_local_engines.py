"""`dragoman serve` runs the local Whisper worker itself: started when an event with a machine booth opens,
started again when it dies, and gone when the server goes, even after `kill -9`. Needs what scripts/setup
installs (the worker's Python packages and the Whisper models in vendor/whisper)."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

import dragoman_testing as dt

WORKER = dt.REPO / "workers" / "whisper" / "worker.py"
MODEL = dt.REPO / "vendor" / "whisper" / "base" / "model.bin"


def workers_of(pid: int) -> list[tuple[int, int]]:
    """(pid, port) of every Whisper worker whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        args = [a.decode(errors="replace") for a in cmdline]
        if parent == pid and any(a.endswith("worker.py") for a in args) and "--port" in args:
            found.append((int(entry.name), int(args[args.index("--port") + 1])))
    return found


def answering_worker(server_pid: int, timeout: float, not_pid: int | None = None) -> tuple[int, int]:
    """Waits for a worker of the server that answers GET /health; returns (pid, port)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        seen = [w for w in workers_of(server_pid) if w[0] != not_pid]
        for pid, port in seen:
            try:
                if dt.http("GET", f"http://127.0.0.1:{port}/health", timeout=2).status == 200:
                    return pid, port
            except OSError:
                pass
        time.sleep(0.2)
    raise AssertionError(f"no Whisper worker of the server answered /health within {timeout} s (workers: {seen})")


def gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] == "Z":  # a zombie has exited
            return True
        time.sleep(0.1)
    return False


pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="the Whisper models are not installed (run scripts/setup)")


@pytest.fixture
def server(dragoman_bin, tmp_path, artifacts):
    """A server with its defaults for local engines: it runs the Whisper worker itself."""
    s = dt.Server(dragoman_bin, tmp_path / "server", local_engines=True)
    artifacts.keep(s.log_path)
    s.start()
    yield s
    s.stop()


def open_machine_event(server: dt.Server) -> str:
    r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "en"], "machine": ["en"]})
    assert r.status == 201, r.body
    code = r.json()["code"]
    assert server.api("GET", f"/api/events/{code}", token=None).status == 200  # opens the live event
    return code


def test_serve_starts_the_local_worker_for_a_machine_booth_and_restarts_it_when_it_dies(server):
    open_machine_event(server)
    pid, port = answering_worker(server.proc.pid, timeout=60)
    assert re.search(r"started the Whisper worker", server.log()), server.log()

    os.kill(pid, signal.SIGKILL)
    new_pid, _ = answering_worker(server.proc.pid, timeout=60, not_pid=pid)
    assert new_pid != pid
    assert "the Whisper worker stopped (signal 9)" in server.log(), server.log()

    server_pid = server.proc.pid
    assert server.stop() == 0
    assert gone(new_pid, timeout=10), "the worker outlived the server's orderly stop"
    assert not workers_of(server_pid)


def test_the_worker_does_not_outlive_a_killed_server(server):
    open_machine_event(server)
    pid, _ = answering_worker(server.proc.pid, timeout=60)
    server.stop(sig=signal.SIGKILL)
    assert gone(pid, timeout=10), "the worker outlived a server killed with SIGKILL"
