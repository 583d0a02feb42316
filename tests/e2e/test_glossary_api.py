"""The organizer keeps a glossary per event over the API: checked, stored across a restart, and trimmed to the
event's languages when one is removed."""

from __future__ import annotations


def test_the_glossary_is_checked_kept_and_follows_the_languages(server):
    body = {"name": "Summit", "languages": ["ru", "kk", "en"], "machine": ["en"],
            "glossary": [{"ru": "пшеница", "kk": "бидай", "en": "wheat"}, {"kk": "Тоқаев", "en": "Tokayev"}]}
    r = server.api("POST", "/api/events", body)
    assert r.status == 201, r.body
    code = r.json()["code"]
    assert r.json()["glossary"] == body["glossary"]

    bad = server.api("PATCH", f"/api/events/{code}", {"glossary": [{"de": "Weizen"}]})
    assert bad.status == 400 and "'de' is not a language of the event" in bad.body.decode(), bad.body

    server.restart()
    events = server.api("GET", "/api/events").json()["events"]
    assert [e["glossary"] for e in events if e["code"] == code] == [body["glossary"]]

    r = server.api("PATCH", f"/api/events/{code}", {"languages": ["ru", "en"]})
    assert r.status == 200, r.body
    assert r.json()["glossary"] == [{"ru": "пшеница", "en": "wheat"}, {"en": "Tokayev"}]
