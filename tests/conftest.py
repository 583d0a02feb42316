"""Fixtures of the end-to-end and browser tests. They run the built binary `.build/debug/dragoman` (build it with
`swift build`, or run everything with `scripts/test`). Test artifacts go to `artifacts/` at the repository root."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dragoman_testing as dt  # noqa: E402
from dragoman_testing import create_event  # noqa: E402,F401  (re-exported: `from conftest import create_event`)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers each phase's report on the item, so that fixtures know at teardown whether the test failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


class Artifacts:
    """Files a test leaves for people: `save` copies now, `keep` copies at the end if the test failed.
    Everything lands in artifacts/<test>/ (screenshots named by the brief go to artifacts/ itself)."""

    def __init__(self, root: Path, name: str):
        self.dir = root / name
        self._kept: list[tuple[Path, str | None]] = []

    def save(self, path: Path, name: str | None = None) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        dest = self.dir / (name or Path(path).name)
        if Path(path).exists():
            shutil.copyfile(path, dest)
        return dest

    def keep(self, path: Path, name: str | None = None) -> None:
        self._kept.append((Path(path), name))

    def path(self, name: str) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir / name

    def flush(self, failed: bool) -> None:
        if failed:
            for p, name in self._kept:
                if p.is_dir():
                    shutil.copytree(p, self.dir / (name or p.name), dirs_exist_ok=True)
                elif p.exists():
                    self.save(p, name)


@pytest.fixture(scope="session")
def dragoman_bin() -> Path:
    b = dt.BIN
    if not (b.is_file() and b.stat().st_mode & 0o111):
        pytest.fail(f"{b} is missing: build it first with `swift build` in {dt.REPO} "
                    f"(or run scripts/test, which builds and then runs these tests)", pytrace=False)
    return b


@pytest.fixture
def artifacts(request) -> Artifacts:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{Path(request.node.path).stem}-{request.node.name}").strip("-")
    a = Artifacts(dt.ARTIFACTS, name)
    shutil.rmtree(a.dir, ignore_errors=True)
    yield a
    a.flush(dt.node_failed(request.node))


@pytest.fixture
def cli(dragoman_bin, tmp_path, artifacts) -> dt.Cli:
    """Runs `dragoman` subcommands; background ones are killed at the end; the transcript is kept on failure."""
    c = dt.Cli(dragoman_bin, tmp_path / "cli-transcript.log")
    started: list[dt.Background] = []
    original = c.start

    def start(*args, **kw):
        bg = original(*args, **kw)
        started.append(bg)
        return bg

    c.start = start
    artifacts.keep(c.transcript)
    yield c
    for bg in started:
        bg.kill()
        artifacts.keep(bg.out_path)
        artifacts.keep(bg.err_path)


@pytest.fixture
def server(dragoman_bin, tmp_path, artifacts) -> dt.Server:
    """A running `dragoman serve` on free loopback ports with a fresh data folder; stopped at the end.
    Has url, tls_url, token, data_dir, port, tls_port, log_path, restart(), api(), healthz()."""
    s = dt.Server(dragoman_bin, tmp_path / "server")
    artifacts.keep(s.log_path)
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def summit_audio() -> Path:
    """The folder with summit-floor.wav/json, summit-booth-ru.wav/json, one WAV per sentence (<id>.wav) and per
    Russian booth sentence (booth-ru-<id>.wav); cached in .build/summit-audio."""
    return dt.summit_audio()
