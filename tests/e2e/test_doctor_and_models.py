"""`dragoman doctor` says which machine-booth engines work here, tried for real, and `dragoman models` lists the
models and installs one from a copy only when its SHA-256 matches."""

from __future__ import annotations

import hashlib
import shutil

import pytest

import dragoman_testing as dt

VENDOR = dt.REPO / "vendor"
SILERO = VENDOR / "models" / "silero_vad.onnx"
WHISPER_BASE = VENDOR / "whisper" / "base"


def test_doctor_names_what_is_missing_and_exits_1_when_machine_booths_cannot_run(cli, tmp_path):
    out = cli.run("doctor", "--vad-model", tmp_path / "nowhere.onnx", "--language-id", f"sherpa={tmp_path / 'no-lid'}",
                  "--whisper-url", f"http://127.0.0.1:{dt.closed_port()}", "--languages", "ru,kk,en", timeout=120)
    assert out.returncode == 1, out
    lines = {line.split()[1]: line for line in out.stdout.splitlines() if line.startswith("  ") and len(line.split()) > 1}
    assert "failed" in lines["voice"] and str(tmp_path / "nowhere.onnx") in lines["voice"], out.stdout
    recognition = next(line for line in out.stdout.splitlines() if "recognition" in line)
    assert recognition.split()[0] == "failed" and "127.0.0.1" in recognition, out.stdout
    identification = next(line for line in out.stdout.splitlines() if "language identification" in line)
    assert identification.split()[0] == "failed" and str(tmp_path / "no-lid") in identification, out.stdout
    assert "Machine booths cannot run on this machine" in out.stdout
    assert "kk: no captions" in out.stdout


@pytest.mark.skipif(not (WHISPER_BASE / "model.bin").exists(), reason="the Whisper models are not installed (run scripts/setup)")
def test_doctor_hears_its_test_sentence_through_the_local_worker(cli):
    out = cli.run("doctor", "--languages", "ru,kk,en", timeout=180)
    assert out.returncode == 0, out
    recognition = next(line for line in out.stdout.splitlines() if "recognition" in line)
    assert recognition.split()[0] == "ready", out.stdout
    assert "came back as “Good morning" in recognition, recognition
    assert "en: captions, translated by Whisper, espeak-ng voice" in out.stdout
    assert "ru: captions, no translation, espeak-ng voice" in out.stdout  # no --translator given


@pytest.mark.skipif(not SILERO.exists(), reason="the silero VAD model is not installed (run scripts/setup)")
def test_models_lists_every_model_with_its_source_and_state(cli):
    out = cli.run("models", "list", "--verify", timeout=120)
    assert out.returncode == 0, out
    for name in ("silero-vad: installed, checksums match", "whisper-base:", "whisper-tiny.en:"):
        assert name in out.stdout, out.stdout
    assert "PyPI silero-vad 6.2.3" in out.stdout and "licence MIT" in out.stdout


@pytest.mark.skipif(not SILERO.exists(), reason="the silero VAD model is not installed (run scripts/setup)")
def test_a_model_is_installed_only_from_a_copy_whose_checksum_matches(cli, tmp_path):
    folder = tmp_path / "vendor"
    damaged = tmp_path / "damaged.onnx"
    data = bytearray(SILERO.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    out = cli.run("models", "install", "silero-vad", "--from", damaged, "--folder", folder)
    assert out.returncode == 1, out
    assert hashlib.sha256(bytes(data)).hexdigest() in out.stderr and "nothing was installed" in out.stderr, out.stderr
    assert not (folder / "models" / "silero_vad.onnx").exists()

    out = cli.run("models", "install", "silero-vad", "--from", SILERO, "--folder", folder)
    assert out.returncode == 0, out
    assert (folder / "models" / "silero_vad.onnx").read_bytes() == SILERO.read_bytes()
    assert not list((folder / "models").glob("*.part")), "no half-copied file is left behind"


@pytest.mark.skipif(not (WHISPER_BASE / "model.bin").exists(), reason="the Whisper models are not installed (run scripts/setup)")
def test_an_incomplete_model_folder_is_refused_naming_the_missing_file(cli, tmp_path):
    copy = tmp_path / "base"
    copy.mkdir()
    for name in ("config.json", "vocabulary.txt"):
        shutil.copy(WHISPER_BASE / name, copy / name)
    out = cli.run("models", "install", "whisper-base", "--from", copy, "--folder", tmp_path / "vendor")
    assert out.returncode == 1 and "model.bin is missing" in out.stderr, out
    out = cli.run("models", "install", "whisper-huge", "--from", copy)
    assert out.returncode != 0 and "known are silero-vad, whisper-base, whisper-tiny.en" in out.stderr, out
