"""The data folder as an operator handles it: a backup while the server runs, a restore with it stopped, and one
server per folder."""

from __future__ import annotations

import shutil
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
