"""`dragoman listen --captions`: a channel's captions on a terminal, as each line becomes final. The server side is the
protocol-faithful fake of tests/browser (the captions themselves come from machine booths; see MachineBoothTests)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from fake_listener import FakeListenerServer  # noqa: E402


def test_listen_prints_final_captions_only(cli, tmp_path):
    with FakeListenerServer(carrying={"ru": {"kind": "machine", "language": "ru"}}) as fake:
        listen = cli.start("listen", "--server", fake.url, "--event", fake.code, "--channel", "ru", "--captions",
                           "--duration", 20, "--output", tmp_path / "ru.wav")
        deadline = time.monotonic() + 15
        while not fake.open_sockets("ru") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.open_sockets("ru"), f"the listener did not connect: {listen.stderr}"
        fake.caption("ru", "m1", "Уважаемые", final=False)
        fake.caption("ru", "m1", "Уважаемые коллеги, добро пожаловать.", final=True)
        fake.caption("kk", "k1", "Құрметті әріптестер", final=True)  # another channel: not for this listener
        fake.caption("ru", "m2", "Сегодня мы обсудим бюджет.", final=True)
        deadline = time.monotonic() + 10
        while "бюджет" not in listen.stdout and time.monotonic() < deadline:
            time.sleep(0.05)
        for s in fake.open_sockets("ru"):
            s.send_close()
        listen.wait(timeout=60)
    lines = [line for line in listen.stdout.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    assert lines[0].endswith("ru  Уважаемые коллеги, добро пожаловать.") and lines[1].endswith("ru  Сегодня мы обсудим бюджет."), lines
    assert all(len(line.split("  ")[0]) == 8 for line in lines), lines  # HH:mm:ss


def test_captions_and_audio_on_stdout_are_refused(cli):
    out = cli.run("listen", "--event", "K7QM2X", "--captions", "--output", "-")
    assert out.returncode != 0 and "--captions prints on stdout" in out.stderr, out
