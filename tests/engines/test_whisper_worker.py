"""The local Whisper worker (workers/whisper) over HTTP, as OpenAI's audio API: shapes, formats, errors,
limits, silence. Recognition quality of Russian and English is tested from Swift (WhisperWorkerTests) and
measured by scripts/bench-whisper. Needs scripts/setup."""

from __future__ import annotations

import io
import json
import math
import struct
import sys
import threading
import wave
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workers" / "whisper"))

import worker as ww  # noqa: E402
from whisper_support import Worker, speak, wer  # noqa: E402

ENGLISH = "Today we will discuss the budget for next year."


def silence_wav(seconds=1.0, rate=16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack("<h", 0) * int(rate * seconds))
    return out.getvalue()


def warble_wav(seconds=4.0, rate=16000) -> bytes:
    """A tone whose pitch wobbles three times a second: not speech, and Whisper tiny.en, decoding it at
    temperature 0, finds its own text unlikely (average log probability below -1), so OpenAI's ladder would
    decode it again at higher temperatures."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = bytearray()
        for n in range(int(rate * seconds)):
            t = n / rate
            frequency = 200 + 300 * math.sin(2 * math.pi * 3 * t)
            frames += struct.pack("<h", int(9830 * math.sin(2 * math.pi * frequency * t)))
        w.writeframes(bytes(frames))
    return out.getvalue()


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> bytes:
    return speak("espeak-ng:en-us", ENGLISH, tmp_path_factory.mktemp("speech") / "en.wav").read_bytes()


@pytest.fixture(scope="module")
def worker():
    # tiny.en loads fast; --queue 0 makes "busy" easy to reach; 1 MiB bodies at most.
    w = Worker("--model", "tiny.en", "--queue", "0", "--max-body-mb", "1", "--queue-timeout-s", "60")
    yield w
    w.stop()


def error_of(body: bytes) -> dict:
    err = json.loads(body)["error"]
    assert set(err) >= {"message", "type", "code"}, err
    return err


# --- pure helpers -------------------------------------------------------------------------------------------

def test_multipart_is_parsed_with_binary_content():
    body = (b'--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\nbase\r\n'
            b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n'
            b"\x00\r\n--\xff\r\n--xyz--\r\n")
    fields = ww.parse_multipart(body, 'multipart/form-data; boundary="xyz"')
    assert fields["model"] == (None, b"base")
    assert fields["file"] == ("a.wav", b"\x00\r\n--\xff")


def test_multipart_errors_are_api_errors():
    with pytest.raises(ww.APIError) as e:
        ww.parse_multipart(b"{}", "application/json")
    assert e.value.status == 400


def test_hallucination_rules():
    speech = {"no_speech_prob": 0.1, "avg_logprob": -0.3, "compression_ratio": 1.2}
    assert ww.hallucination(speech, 0.6, -1.0, 2.4) is None
    assert ww.hallucination({**speech, "no_speech_prob": 0.9, "avg_logprob": -1.5}, 0.6, -1.0, 2.4) == "no-speech"
    assert ww.hallucination({**speech, "no_speech_prob": 0.9}, 0.6, -1.0, 2.4) is None  # confident text stays
    assert ww.hallucination({**speech, "compression_ratio": 3.1}, 0.6, -1.0, 2.4) == "repetition"


def test_a_request_may_decode_twice_the_densest_speech_and_no_more():
    assert ww.token_budget(5.0, 20) == 108  # 8 + 20 tokens a second
    assert ww.token_budget(0.5, 20) == 18
    assert ww.token_budget(12.0, 20) is None  # beyond what a prompt leaves of the context: Whisper's own limit
    assert ww.token_budget(5.0, 0) is None


def test_a_loop_at_the_end_of_a_decode_is_cut_back_to_one_round():
    assert ww.without_repeated_tail(" Қан ақстан мен тас Қы Қы Қы Қы") == " Қан ақстан мен тас Қы"
    assert ww.without_repeated_tail("a b c d b c d b c d") == "a b c d"
    assert ww.without_repeated_tail("we say yes yes") == "we say yes yes"  # twice is speech
    assert ww.without_repeated_tail("") == ""


def test_candidate_languages_are_read_as_whisper_codes():
    assert ww.candidate_codes("kk, ru,en") == {"kk", "ru", "en"}
    assert ww.candidate_codes("Kazakh,xx,") == {"kk"}  # names as the language field takes them; unknown ones left out
    assert ww.candidate_codes("") == set()


def test_srt_and_vtt_rendering():
    result = {"text": "Hi there", "segments": [{"start": 0.0, "end": 1.5, "text": " Hi there"}]}
    assert ww.render(result, "srt")[1].decode() == "1\n00:00:00,000 --> 00:00:01,500\nHi there\n"
    assert ww.render(result, "vtt")[1].decode().startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHi there")


def test_a_missing_model_names_where_it_looked(tmp_path):
    with pytest.raises(ValueError, match=r"model 'base' not found: looked in .*base.*scripts/setup"):
        ww.find_model("base", [str(tmp_path)])


def test_wer():
    assert wer("Добрый день, уважаемые коллеги!", "добрый день уважаемые коллеги") == 0
    assert wer("добрый день уважаемой коллеги", "Добрый день, уважаемые коллеги.") == 0.25
    assert wer("день коллеги мои", "Добрый день, уважаемые коллеги.") == 0.75


# --- the worker over HTTP ------------------------------------------------------------------------------------

def test_health_and_models(worker):
    status, health = worker.get("/health")
    assert status == 200 and health["status"] == "ok" and health["models"] == ["tiny.en"]
    status, models = worker.get("/v1/models")
    assert models == {"object": "list", "data": [{"id": "tiny.en", "object": "model", "created": 0, "owned_by": "dragoman"}]}


def test_transcription_json_text_and_verbose_json(worker, english):
    status, headers, body = worker.post("/v1/audio/transcriptions", {"model": "whisper-1"}, english)
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert wer(json.loads(body)["text"], ENGLISH) < 0.2
    assert set(json.loads(body)) == {"text"}

    status, headers, body = worker.post("/v1/audio/transcriptions", {"model": "tiny.en", "response_format": "text"}, english)
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert wer(body.decode(), ENGLISH) < 0.2

    status, _, body = worker.post("/v1/audio/transcriptions",
                                  {"model": "tiny.en", "response_format": "verbose_json", "language": "en",
                                   "temperature": "0", "prompt": "budget"}, english)
    assert status == 200
    verbose = json.loads(body)
    assert verbose["task"] == "transcribe" and verbose["language"] == "english"
    assert 2 < verbose["duration"] < 6
    seg = verbose["segments"][0]
    assert {"id", "seek", "start", "end", "text", "tokens", "temperature", "avg_logprob", "compression_ratio",
            "no_speech_prob"} <= set(seg)
    assert seg["no_speech_prob"] < 0.5 and seg["end"] > seg["start"]


def decoded_temperatures(worker, audio) -> set[float]:
    status, _, body = worker.post("/v1/audio/transcriptions",
                                  {"response_format": "verbose_json", "temperature": "0"}, audio)
    assert status == 200, body
    verbose = json.loads(body)
    segments = verbose["segments"] + [s for s in verbose.get("dropped_segments", []) if "temperature" in s]
    assert segments, f"the warble gave no segment at all: {verbose}"
    return {s["temperature"] for s in segments}


def test_a_request_is_decoded_once_unless_openais_ladder_is_asked_for(worker):
    warble = warble_wav()
    assert decoded_temperatures(worker, warble) == {0.0}
    laddered = Worker("--model", "tiny.en", "--temperature-fallback")
    try:
        assert max(decoded_temperatures(laddered, warble)) > 0
    finally:
        laddered.stop()


def test_silence_gives_no_text_and_says_why(worker):
    status, _, body = worker.post("/v1/audio/transcriptions", {"response_format": "verbose_json"}, silence_wav())
    assert status == 200
    verbose = json.loads(body)
    assert verbose["text"] == "" and verbose["segments"] == []
    assert verbose["dropped_segments"][0]["reason"] == "silence"


def test_request_errors_are_openai_shaped(worker, english):
    status, _, body = worker.post("/v1/audio/transcriptions", {"model": "large-v9"}, english)
    assert status == 404 and error_of(body)["code"] == "model_not_found"
    status, _, body = worker.post("/v1/audio/transcriptions", {"response_format": "xml"}, english)
    assert status == 400 and error_of(body)["param"] == "response_format"
    status, _, body = worker.post("/v1/audio/transcriptions", {"model": "tiny.en"})
    assert status == 400 and error_of(body)["param"] == "file"
    status, _, body = worker.post("/v1/audio/transcriptions", {}, b"not audio at all" * 10)
    assert status == 400 and "decode" in error_of(body)["message"]
    status, _, body = worker.post("/v1/audio/translations", {"model": "tiny.en"}, english)
    assert status == 400 and "English-only" in error_of(body)["message"]
    status, _, body = worker.post("/v1/audio/transcriptions", {}, raw=b"{}", content_type="application/json")
    assert status == 400 and error_of(body)["type"] == "invalid_request_error"
    status, _, body = worker.post("/v1/audio/nothing", {}, english)
    assert status == 404


def test_a_body_over_the_limit_is_refused_with_413_while_the_client_still_sends(worker):
    status, _, body = worker.post("/v1/audio/transcriptions", {}, silence_wav(40))  # 1.28 MB > 1 MiB
    assert status == 413 and error_of(body)["code"] == "request_too_large"


def test_a_flood_is_refused_with_503_and_retry_after(worker, tmp_path):
    long_speech = speak("espeak-ng:en-us", " ".join([ENGLISH] * 5), tmp_path / "long.wav").read_bytes()
    results = []

    def send():
        results.append(worker.post("/v1/audio/transcriptions", {}, long_speech))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r[0] for r in results)
    assert set(statuses) <= {200, 503} and 200 in statuses and 503 in statuses, statuses
    refused = next(r for r in results if r[0] == 503)
    assert refused[1]["Retry-After"] == "1" and error_of(refused[2])["code"] == "overloaded"
    assert worker.get("/health")[1]["busy"] == 0
