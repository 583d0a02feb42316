"""The data folder as an operator handles it: a backup while the server runs, a restore with it stopped, and one
server per folder."""

from __future__ import annotations

import os
import shutil
import time
import subprocess

import pytest

import dragoman_testing as dt
from dragoman_testing import create_event


def test_backup_while_serving_then_restore_brings_the_events_back(server, cli, tmp_path):
    ev = create_event(server, "State visit", ["ru", "kk"], pin="246810")
    r = server.api("POST", f"/api/events/{ev['code']}/interpreters", {"name": "Aigerim", "booth": "kk"})
    assert r.status == 201, r.body
    backup = tmp_path / "backup"
    out = cli.run("backup", "--data-dir", server.data_dir, "--to", backup)
    assert out.returncode == 0, out.stderr
    assert "dragoman.sqlite" in out.stdout and (backup / "dragoman.sqlite").exists()

    refused = cli.run("restore", "--from", backup, "--data-dir", server.data_dir)
    assert refused.returncode != 0 and "stop it first" in refused.stderr, refused

    server.stop()
    shutil.rmtree(server.data_dir)
    out = cli.run("restore", "--from", backup, "--data-dir", server.data_dir)
    assert out.returncode == 0, out.stderr
    server.start()
    r = server.api("GET", f"/api/events/{ev['code']}/interpreters")
    assert r.status == 200 and [i["name"] for i in r.json()["interpreters"]] == ["Aigerim"], r.body
    assert server.api("GET", f"/api/events/{ev['code']}?pin=246810", token=None).status == 200


def test_a_second_server_on_the_same_folder_is_refused(server):
    second = subprocess.run([str(server.binary), "serve", "--host", "127.0.0.1", "--port", str(dt.free_port()),
                             "--no-tls", "--data-dir", str(server.data_dir), "--organizer-token", server.token],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode != 0 and "Another dragoman serve is using the data folder" in second.stderr, second
    assert server.healthz() == 200


def test_the_systemd_unit_is_valid(dragoman_bin, tmp_path):
    """deploy/dragoman.service passes systemd's own check, with the built binary in place of /opt/dragoman."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    root = dt.REPO
    unit = (root / "deploy" / "dragoman.service").read_text()
    unit = unit.replace("/opt/dragoman/dragoman", str(dragoman_bin.resolve()))
    unit = unit.replace("/etc/dragoman/dragoman.env", str(root / "deploy" / "dragoman.env"))
    path = tmp_path / "dragoman.service"
    path.write_text(unit)
    check = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "dragoman.service" not in check.stderr, check.stderr


def test_the_service_configuration_starts_a_server_that_serves(dragoman_bin, tmp_path):
    """dragoman serve started as the unit starts it: the settings of deploy/dragoman.env in the environment and
    $DRAGOMAN_OPTIONS word-split after `serve` (only the data folder, the ports and the address are changed to fit a
    test). Not a terminal, so the token must not reach the log."""
    root = dt.REPO
    unit = (root / "deploy" / "dragoman.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert exec_start.endswith("serve $DRAGOMAN_OPTIONS"), exec_start
    settings = {}
    for line in (root / "deploy" / "dragoman.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    port, tls_port = dt.free_port(), dt.free_port()
    options = settings["DRAGOMAN_OPTIONS"].split()
    options[options.index("--port") + 1] = str(port)
    options[options.index("--tls-port") + 1] = str(tls_port)
    options[options.index("--public-host") + 1] = "127.0.0.1"
    env = {**os.environ, **settings, "DRAGOMAN_DATA_DIR": str(tmp_path / "state"), "DRAGOMAN_OPTIONS": " ".join(options)}
    log = tmp_path / "service.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(dragoman_bin), "serve", "--host", "127.0.0.1", *options], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if dt.http("GET", f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        assert dt.http("GET", f"http://127.0.0.1:{port}/admin", timeout=5).status == 200
        token = (tmp_path / "state" / "organizer-token").read_text().strip()
        assert len(token) >= 16
        assert dt.http("GET", f"http://127.0.0.1:{port}/api/events", token=token, timeout=5).status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    text = log.read_text()
    assert token not in text and "not printed into logs" in text, text
