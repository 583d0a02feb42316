"""Confidential meetings on the organizer's desk, the console and the phone, in headless Chromium against the real
server: ticking "Confidential meeting" unticks and locks "Record every channel", "Name interpreters in the record"
shows only while recording is on, the saved meeting carries a Confidential badge, and the interpreter's console and
the listener page say Confidential."""

from chromium import click, poll, selenium


def desk_state(d):
    return d.execute_script("return window.dragomanDesk ? window.dragomanDesk.state() : null;")


def test_the_desk_makes_a_confidential_meeting_and_the_console_and_phone_say_so(server, browser):
    _, _, _, By = selenium()
    d = browser(phone=False, window=(1280, 800), exact_viewport=True, lang="en-US")
    d.get(f"{server.url}/admin#token={server.token}")
    poll("the desk", lambda: desk_state(d), bool, 10)

    click(d, "#new-event")
    d.find_element(By.ID, "event-name").send_keys("Closed talks")
    box = d.find_element(By.ID, "language-search")
    box.send_keys("ru")
    click(d, "#language-options button")
    recording = d.find_element(By.ID, "event-recording")
    confidential = d.find_element(By.ID, "event-confidential")
    names = d.find_element(By.ID, "names-in-record-field")
    assert not names.is_displayed(), "names in the record are offered only with recording"
    recording.click()
    assert recording.is_selected() and names.is_displayed()
    confidential.click()
    assert confidential.is_selected() and not recording.is_selected() and not recording.is_enabled()
    assert not names.is_displayed()
    hint = d.execute_script("return document.getElementById('event-confidential').closest('label').nextElementSibling.innerText")
    assert hint == "Nothing is recorded or streamed outside the room; captions are not kept.", hint
    click(d, "#form-save")

    poll("the meeting in the list", lambda: desk_state(d), lambda s: s and s["view"] == "list" and len(s["events"]) == 1, 15)
    made = server.api("GET", "/api/events").json()["events"][0]
    assert made["confidential"] is True and made["recording"] is False, made
    code = made["code"]
    badge = poll("the badge", lambda: d.execute_script(
        "const b = document.querySelector(`[data-code='${arguments[0]}'] [data-badge='confidential']`); return b ? b.innerText : null", code),
        bool, 10)
    assert badge == "Confidential", badge

    person = server.api("POST", f"/api/events/{code}/interpreters", {"name": "Aigerim", "booth": "ru"}).json()
    d.get(f"{server.url}/booth/{code}?key={person['key']}")
    poll("the console says Confidential", lambda: d.execute_script(
        "const r = document.getElementById('recorded'), s = document.getElementById('streamed');"
        " return r && s ? [r.innerText, s.innerText] : null"), lambda v: v == ["Confidential", "Confidential"], 20)

    phone = browser(lang="en-US")
    phone.get(f"{server.url}/j/{code}")
    poll("the phone says Confidential", lambda: phone.execute_script(
        "const c = document.getElementById('event-code'); return c ? c.innerText : ''"), lambda t: "Confidential" in t, 20)
