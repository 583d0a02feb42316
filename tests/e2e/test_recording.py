"""Recording a meeting: every channel to an Ogg/Opus file as it happens, on one clock, listed and downloadable by
the organizer; a `kill -9` of the server loses at most the last second, and the files up to then are valid
(checked with opus-tools, which scripts/setup installs) and known after the restart."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time

import pytest

import dragoman_testing as dt

pytestmark = pytest.mark.skipif(shutil.which("opusinfo") is None, reason="opus-tools is not installed (run scripts/setup)")


def recordings(server, code):
    r = server.api("GET", f"/api/events/{code}/recordings")
    assert r.status == 200, r.body
    return r.json()


def channel_tracks(listing):
    """The recordings of what the channels carried (not the booths' microphone tracks)."""
    return [r for r in listing["recordings"] if r["track"] == "channel"]


def wait_for(what, probe, cond, timeout):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = probe()
        if cond(value):
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s; last: {value}")


def test_every_channel_is_recorded_and_a_killed_server_loses_at_most_a_second(server, cli, summit_audio, tmp_path):
    r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk"], "recording": True})
    assert r.status == 201 and r.json()["recording"] is True, r.body
    ev = r.json()
    code = ev["code"]
    assert server.api("GET", f"/api/events/{code}", token=None).json()["recording"] is True, "phones are told"
    console = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "ru"})
    assert console.status == 201
    cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
              summit_audio / "ru-01.wav")
    listing = wait_for("four seconds recorded on every channel", lambda: recordings(server, code),
                       lambda l: len(l["recordings"]) == 5 and all(r["seconds"] >= 4 for r in l["recordings"]), 30)
    assert {r["channel"] for r in channel_tracks(listing)} == {"floor", "ru", "kk"}
    assert {r["channel"] for r in listing["recordings"] if r["track"] == "booth"} == {"ru", "kk"}, \
        "each booth's microphone has its own track"
    lengths = [r["seconds"] for r in listing["recordings"]]
    assert max(lengths) - min(lengths) <= 1.5, f"the channels are recorded on one clock: {lengths}"

    before = {r["file"]: r["seconds"] for r in recordings(server, code)["recordings"]}
    server.stop(sig=signal.SIGKILL)
    folder = server.data_dir / "recordings" / code
    for name, seconds in before.items():
        info = subprocess.run(["opusinfo", str(folder / name)], capture_output=True, text=True, timeout=30)
        assert "Playback length" in info.stdout, f"{name}: {info.stdout}\n{info.stderr}"
        decoded = tmp_path / f"{name}.wav"
        dec = subprocess.run(["opusdec", "--quiet", str(folder / name), str(decoded)], capture_output=True, text=True, timeout=60)
        assert dec.returncode == 0, dec.stderr
        audio, rate = dt.read_wav(decoded)
        assert len(audio) / rate >= seconds - 0.05, f"{name}: {len(audio) / rate:.2f} s decoded, {seconds} s listed before the kill"

    floor = next(name for name in before if name.startswith("floor-"))
    audio, rate = dt.read_wav(tmp_path / f"{floor}.wav")
    assert dt.rms(audio[rate:]) > 0.01, "the floor's recording carries the floor's speech"
    source, _ = dt.read_wav(summit_audio / "ru-01.wav")
    ncc, _ = dt.aligned_ncc(source, audio, max_lag=len(audio))
    assert ncc > 0.8, f"the floor's recording is the floor (NCC {ncc:.2f} with what was sent)"

    server.start()
    after = recordings(server, code)
    assert set(before) <= {r["file"] for r in after["recordings"]}, "the files recorded before the kill are known after the restart"
    download = server.api("GET", f"/api/events/{code}/recordings/{floor}")
    assert download.status == 200 and download.body[:4] == b"OggS", download.status
    assert server.api("GET", f"/api/events/{code}/recordings/..%2Fdragoman.sqlite").status == 404
    assert server.api("GET", f"/api/events/{code}/recordings", token=None).status == 401

    assert server.api("DELETE", f"/api/events/{code}/recordings").status == 204
    assert not any(r["file"] in before for r in recordings(server, code)["recordings"]), "deleted for good"


class MachineServer(dt.Server):
    """`dragoman serve` with its recognizer at `whisper_url`."""

    def __init__(self, binary, workdir, whisper_url):
        super().__init__(binary, workdir)
        self.whisper_url = whisper_url

    @property
    def command(self):
        return super().command + ["--whisper-url", self.whisper_url, "--floor-language", "manual"]


def test_each_recording_has_its_transcript_and_what_the_channel_carried(dragoman_bin, cli, summit_audio, tmp_path, artifacts):
    from whisper_stub import WhisperStub
    sentence = "Экспорт пшеницы вырос на 12 процентов."
    with WhisperStub(sentence, translation="Wheat exports grew by 12 percent.") as stub:
        server = MachineServer(dragoman_bin, tmp_path / "server", stub.url)
        artifacts.keep(server.log_path)
        server.start()
        try:
            r = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "en"], "machine": ["en"], "recording": True})
            ev = r.json()
            code = ev["code"]
            assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "ru"}).status == 200
            cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
                      summit_audio / "ru-01.wav")

            def files():
                return {r["channel"]: r["file"] for r in channel_tracks(recordings(server, code))}

            def vtt(channel):
                name = files().get(channel)
                return server.api("GET", f"/api/events/{code}/recordings/{name[:-5]}.vtt").body.decode() if name else ""

            wait_for("the floor's transcript", lambda: vtt("floor"), lambda text: sentence in text, 60)
            wait_for("the English channel's transcript", lambda: vtt("en"), lambda text: "Wheat exports grew" in text, 60)
            floor_vtt = vtt("floor")
            assert floor_vtt.startswith("WEBVTT\n\n") and " --> " in floor_vtt, floor_vtt
            base = files()["en"][:-5]
            srt = server.api("GET", f"/api/events/{code}/recordings/{base}.srt").body.decode()
            assert srt.startswith("1\n") and "," in srt.split("\n")[1] and "Wheat exports grew" in srt, srt
            text = server.api("GET", f"/api/events/{code}/recordings/{base}.txt").body.decode()
            assert text.startswith("[00:00:") and "Wheat exports grew" in text, text
            document = server.api("GET", f"/api/events/{code}/recordings/{base}.json").json()
            assert document["channel"] == "en" and document["lines"][0]["source"] == "machine", document
            assert all(0 <= line["start"] < line["end"] < 120 for line in document["lines"]), document["lines"]
            kinds = [e["message"]["source"]["kind"] for e in document["events"] if e["message"]["type"] == "carrying"]
            assert "machine" in kinds, f"the audit trail says the machine carried the English channel: {document['events']}"
        finally:
            server.stop()


def test_the_booth_microphone_track_holds_what_the_interpreter_said_on_air(server, cli, summit_audio, tmp_path):
    """The Russian interpreter goes on air while the floor speaks Kazakh: the booth's track holds their voice; the
    Kazakh booth, where nobody spoke, holds silence."""
    ev = server.api("POST", "/api/events", {"name": "Summit", "languages": ["ru", "kk"], "recording": True}).json()
    code = ev["code"]
    key = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "ru"}).json()["key"]
    assert server.api("POST", f"/api/events/{code}/floor-language", {"language": "kk"}).status == 200
    cli.start("ingest", "--server", server.url, "--event", code, "--token", ev["floorToken"], "--loop",
              summit_audio / "kk-01.wav")
    voice = summit_audio / "ru-02.wav"
    interpreter = cli.start("interpret", "--server", server.url, "--event", code, "--key", key, "--booth", "ru", voice)
    assert interpreter.wait(timeout=90) == 0, interpreter.stderr
    spoken, rate = dt.read_wav(voice)
    tracks = wait_for("the booth tracks hold the whole speech",
                      lambda: {r["channel"]: r for r in recordings(server, code)["recordings"] if r["track"] == "booth"},
                      lambda t: set(t) == {"ru", "kk"} and t["ru"]["seconds"] >= len(spoken) / rate + 1, 30)
    server.stop()
    folder = server.data_dir / "recordings" / code
    levels = {}
    for booth in ("ru", "kk"):
        decoded = tmp_path / f"booth-{booth}.wav"
        dec = subprocess.run(["opusdec", "--quiet", str(folder / tracks[booth]["file"]), str(decoded)],
                             capture_output=True, text=True, timeout=60)
        assert dec.returncode == 0, dec.stderr
        audio, _ = dt.read_wav(decoded)
        levels[booth] = audio
    ncc, _ = dt.aligned_ncc(spoken, levels["ru"], max_lag=len(levels["ru"]))
    assert ncc > 0.8, f"the Russian booth's track is the interpreter's voice: NCC {ncc:.2f}"
    assert dt.rms(levels["kk"]) < 0.001, f"nobody spoke in the Kazakh booth: RMS {dt.rms(levels['kk']):.4f}"
