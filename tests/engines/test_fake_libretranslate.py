"""The LibreTranslate stand-in the machine booth's end-to-end test translates with: its answers and errors have
LibreTranslate's shapes, summit sentences come back as their reference translations, and every request is kept."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_libretranslate import FakeLibreTranslate  # noqa: E402


def call(url, path, body=None, content_type="application/json", method=None):
    data = None
    if body is not None:
        data = json.dumps(body).encode() if content_type == "application/json" else body
    request = urllib.request.Request(url + path, data=data, method=method or ("POST" if data else "GET"),
                                     headers={"Content-Type": content_type} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_summit_sentences_come_back_as_their_references_and_the_rest_marked():
    with FakeLibreTranslate() as fake:
        # Close, not equal: a recognizer's transcript with a letter and the punctuation wrong.
        status, answer = call(fake.url, "/translate", {"q": "Кұрметті Владимир Владимирович Астанаға қош келдіңіз",
                                                       "source": "kk", "target": "ru", "format": "text"})
        assert (status, answer) == (200, {"translatedText": "Уважаемый Владимир Владимирович! Добро пожаловать в Астану."})
        status, answer = call(fake.url, "/translate", {"q": "Something else entirely", "source": "en", "target": "ru"})
        assert (status, answer) == (200, {"translatedText": "[ru] Something else entirely"})
        form = urllib.parse.urlencode([("q", "one"), ("q", "two"), ("source", "en"), ("target", "kk")]).encode()
        status, answer = call(fake.url, "/translate", form, "application/x-www-form-urlencoded")
        assert (status, answer) == (200, {"translatedText": ["[kk] one", "[kk] two"]})
        status, languages = call(fake.url, "/languages")
        assert status == 200 and {"ru", "kk", "en"} <= {lang["code"] for lang in languages}
        assert all(set(lang) == {"code", "name", "targets"} for lang in languages)
        done = fake.translations()
        assert [r["target"] for r in done] == ["ru", "ru", "kk"] and all(r["answered"] >= r["received"] for r in done)


def test_errors_have_libretranslates_shape_and_status():
    with FakeLibreTranslate(api_key="secret") as fake:
        assert call(fake.url, "/translate", {"q": "a", "source": "en", "target": "ru"}) == \
            (403, {"error": "Please contact the server operator to get an API key"})
        assert call(fake.url, "/translate", {"q": "a", "source": "en", "target": "ru", "api_key": "no"}) == \
            (403, {"error": "Invalid API key"})
        assert call(fake.url, "/translate", {"source": "en", "target": "ru", "api_key": "secret"}) == \
            (400, {"error": "Invalid request: missing q parameter"})
        assert call(fake.url, "/translate", {"q": "a", "source": "xx", "target": "ru", "api_key": "secret"}) == \
            (400, {"error": "xx is not supported"})
        assert call(fake.url, "/translate", {"q": "a", "source": "en", "target": "ru", "format": "pdf",
                                             "api_key": "secret"}) == (400, {"error": "pdf format is not supported"})
        assert call(fake.url, "/languages", {"q": "a"})[0] == 405
        assert [r["status"] for r in fake.requests] == [403, 403, 400, 400, 400, 405]
