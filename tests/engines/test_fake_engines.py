"""The engine fakes of fake_engines.py answer as the real protocols do and fail as their modes say, on the wire."""

from __future__ import annotations

import http.client
import io
import json
import socket
import time
import wave

import pytest

from fake_engines import RUSSIAN, FakeLibreTranslate, FakeOpenAIAudio


def wav(seconds: float = 1.0) -> bytes:
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x10\x00" * int(16000 * seconds))
    return b.getvalue()


def form(fields: dict, audio: bytes) -> tuple[bytes, str]:
    boundary = "dragoman-test"
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="segment.wav"\r\n'
             f"Content-Type: audio/wav\r\n\r\n").encode() + audio + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post(fake, path: str, body: bytes, content_type: str, timeout: float = 3):
    c = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
    c.request("POST", path, body=body, headers={"Content-Type": content_type})
    r = c.getresponse()
    return r.status, r.getheader("Content-Type"), r.read()


def transcribe(fake, response_format="verbose_json", **fields):
    body, ctype = form({"model": "whisper-1", "response_format": response_format, **fields}, wav(1.5))
    return post(fake, "/v1/audio/transcriptions", body, ctype)


def test_the_openai_fake_answers_verbose_json_as_the_whisper_worker_does():
    with FakeOpenAIAudio() as fake:
        status, ctype, body = transcribe(fake)
        answer = json.loads(body)
        assert status == 200 and ctype == "application/json"
        assert answer["text"] == RUSSIAN and answer["language"] == "russian" and answer["duration"] == 1.5
        assert answer["language_probabilities"]["ru"] > 0.9 and answer["segments"][0]["no_speech_prob"] < 0.1
        assert transcribe(fake, "text")[2].decode().strip() == RUSSIAN
        assert json.loads(transcribe(fake, "json")[2]) == {"text": RUSSIAN}
        body, ctype = form({"model": "whisper-1", "response_format": "verbose_json"}, wav(1))
        assert json.loads(post(fake, "/v1/audio/translations", body, ctype)[2])["language"] == "english"
        assert transcribe(fake, "srt")[0] == 400
        assert transcribe(fake, model="gpt-9")[0] == 404
        c = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=3)
        c.request("GET", "/v1/models")
        assert "whisper-1" in [m["id"] for m in json.loads(c.getresponse().read())["data"]]
        c.request("GET", "/health")
        assert json.loads(c.getresponse().read())["status"] == "ok"


def test_the_fakes_fail_as_their_mode_says():
    with FakeOpenAIAudio() as fake:
        fake.mode = "error500"
        status, _, body = transcribe(fake)
        assert status == 500 and json.loads(body)["error"]["type"] == "server_error"
        fake.mode = "garbage"
        status, ctype, body = transcribe(fake)
        assert status == 200 and ctype.startswith("text/html") and body.startswith(b"<html>")
        fake.mode = "truncated"
        status, _, body = transcribe(fake)
        with pytest.raises(ValueError):  # cut JSON, maybe inside a UTF-8 sequence
            json.loads(body)
        fake.mode = "cut"
        with pytest.raises(http.client.IncompleteRead):
            transcribe(fake)
        fake.mode = "hang"
        started = time.monotonic()
        with pytest.raises(socket.timeout):
            post(fake, "/v1/audio/transcriptions", *form({"model": "whisper-1"}, wav()), timeout=0.5)
        assert time.monotonic() - started >= 0.5
        fake.mode = "dead"
        with pytest.raises(ConnectionRefusedError):
            transcribe(fake)
        fake.mode = "healthy"
        assert transcribe(fake)[0] == 200
        port = fake.port
        fake.kill()
        with pytest.raises(ConnectionRefusedError):
            transcribe(fake)
        fake.restart()
        assert fake.port == port and transcribe(fake)[0] == 200


def test_the_libretranslate_fake_translates_and_fails_in_its_shape():
    with FakeLibreTranslate(translations={"kk": "Сәлем"}) as fake:
        request = json.dumps({"q": "Привет", "source": "ru", "target": "kk", "format": "text"}).encode()
        status, _, body = post(fake, "/translate", request, "application/json")
        assert status == 200 and json.loads(body) == {"translatedText": "Сәлем"}
        status, _, body = post(fake, "/translate", b'{"q": "x", "source": "ru"}', "application/json")
        assert status == 400 and "target" in json.loads(body)["error"]
        fake.mode = "error500"
        status, _, body = post(fake, "/translate", request, "application/json")
        assert status == 500 and isinstance(json.loads(body)["error"], str)
