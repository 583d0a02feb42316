"""The organizer's desk (/admin) as a technician uses it on the morning of a meeting, in headless Chromium against
the real server: from an empty server to a running event (three languages, a PIN, two interpreters, place cards,
the dashboard, the floor on air, a listener counted), then tomorrow's meeting from it as a template, and the first
one deleted with a confirmation that says what is lost. Screenshots at 390×844, 768×1024 and 1280×800 in kk, ru
and en."""

import os
import stat

import pytest

from chromium import axe_violations, click, poll, screenshot, selenium


def desk_state(d):
    return d.execute_script("return window.dragomanDesk ? window.dragomanDesk.state() : null;")


def add_language(d, query):
    _, _, _, By = selenium()
    box = d.find_element(By.ID, "language-search")
    box.clear()
    box.send_keys(query)
    click(d, "#language-options button")


def issued_links(d):
    """The links shown once above the list after saving: {label: url}."""
    return d.execute_script(
        "const box = document.getElementById('issued'); if (!box || box.hidden) return null;"
        "return Object.fromEntries([...box.querySelectorAll('li')].map(li => [li.querySelector('span').textContent, li.querySelector('a').href]));")


def keys_of(links):
    return {url.split("key=")[1] for url in links.values() if "key=" in url}


def item_text(d, code):
    return d.execute_script("const i = document.querySelector(`[data-code='${arguments[0]}']`); return i ? i.innerText : null;", code)


def test_from_an_empty_server_to_a_running_meeting_and_tomorrows_from_it(server, cli, browser, summit_audio):
    _, _, _, By = selenium()
    d = browser(phone=False, window=(1280, 800), exact_viewport=True, lang="en-US")
    d.get(f"{server.url}/admin#token={server.token}")
    poll("the empty list", lambda: desk_state(d) and d.find_element(By.ID, "events-empty").is_displayed(), bool, 10)

    click(d, "#new-event")
    d.find_element(By.ID, "event-name").send_keys("State visit, Astana")
    add_language(d, "русск")  # found by its own name
    add_language(d, "Kazakh")  # by its name in the page language
    add_language(d, "en")  # by its code
    chosen = d.execute_script("return [...document.querySelectorAll('#chosen-languages li')].map(li => li.dataset.language)")
    assert chosen == ["ru", "kk", "en"], chosen
    d.find_element(By.ID, "machine-en").click()
    pin = d.find_element(By.ID, "event-pin")
    pin.send_keys("1234")
    assert d.find_element(By.ID, "pin-hint").get_attribute("data-strength") == "weak"
    pin.clear()
    pin.send_keys("493817")
    assert d.find_element(By.ID, "pin-hint").get_attribute("data-strength") == "good"
    for name, booth in (("Aigerim", "ru"), ("Pavel", "ru")):
        click(d, "#add-interpreter")
        rows = d.find_elements(By.CSS_SELECTOR, "#interpreter-rows li")
        rows[-1].find_element(By.CSS_SELECTOR, "input").send_keys(name)
        rows[-1].find_element(By.CSS_SELECTOR, f"select option[value='{booth}']").click()
    click(d, "#add-term")
    cells = d.find_elements(By.CSS_SELECTOR, "#glossary-rows tr:last-child input")
    for cell, text in zip(cells, ("пшеница", "бидай", "wheat")):
        cell.send_keys(text)
    d.find_element(By.CSS_SELECTOR, "#floor-language option[value='ru']").click()
    d.find_element(By.ID, "event-recording").click()
    screenshot(d, "organizer-new-meeting-1280x800.png", full=True)
    click(d, "#form-save")

    events = poll("the new meeting in the list", lambda: desk_state(d), lambda s: s and s["view"] == "list" and len(s["events"]) == 1, 15)
    code = events["events"][0]
    made = server.api("GET", "/api/events").json()["events"][0]
    assert made["languages"] == ["ru", "kk", "en"] and made["machine"] == ["en"] and made["pinRequired"] is True, made
    assert "pin" not in made and "floorToken" not in made, f"the server shows a secret again: {made}"
    # The floor link and both console links, shown this once, above the list.
    links = poll("the links shown once", lambda: issued_links(d), bool, 5)
    floor_url = links["Floor microphone: "]
    assert floor_url.startswith(made["floorURL"] + "#token="), links
    floor_token = floor_url.split("#token=")[1]
    consoles = {label.split(" (")[0].removeprefix("Console of "): url for label, url in links.items() if "key=" in url}
    assert sorted(consoles) == ["Aigerim", "Pavel"] and len(keys_of(links)) == 2, links
    screenshot(d, "organizer-links-shown-once-1280x800.png", full=True)
    click(d, "#issued-done")
    assert issued_links(d) is None
    assert made["glossary"] == [{"ru": "пшеница", "kk": "бидай", "en": "wheat"}] and made["recording"] is True, made
    people = server.api("GET", f"/api/events/{code}/interpreters").json()["interpreters"]
    assert sorted((p["name"], p["booth"]) for p in people) == [("Aigerim", "ru"), ("Pavel", "ru")], people
    assert [c["language"] for c in server.api("GET", f"/api/events/{code}/floor-language").json()["changes"]] == ["ru"]

    # Place cards, from the desk's link.
    click(d, f"[data-code='{code}'] a[href$='?view=cards']")
    poll("four place cards", lambda: d.execute_script("return document.querySelectorAll('#cards .place-card').length"),
         lambda n: n == 4, 15)

    # The floor goes on air and a delegate listens: the desk shows both.
    cli.start("ingest", "--server", server.url, "--event", code, "--token", floor_token, "--loop", summit_audio / "summit-floor.wav")
    cli.start("listen", "--server", server.url, "--event", code, "--channel", "kk", "--pin", "493817", "--output", "/dev/null",
              "--duration", "60")
    d.get(f"{server.url}/admin")
    poll("the floor on air and a listener on the desk", lambda: item_text(d, code),
         lambda text: text and "Floor on air" in text and "listeners: 1" in text, 20)
    # The listener writes into /dev/null as a shell's > would; it must not replace the device with a file.
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode), "dragoman listen --output /dev/null replaced /dev/null"

    # The recordings, one per channel and one per human booth's microphone, listed under the meeting and downloaded
    # with the token.
    click(d, f"[data-code='{code}'] button[data-action='recordings']")
    files = poll("six recordings listed", lambda: d.execute_script(
        "return [...document.querySelectorAll(`[data-code='${arguments[0]}'] .org-recordings button`)].map(b => b.dataset.file)", code),
        lambda f: len(f) == 6, 10)
    assert sorted(f.split("-")[0] for f in files) == ["booth.kk", "booth.ru", "en", "floor", "kk", "ru"], files

    # Editing the meeting without touching the PIN keeps it (the form cannot show it: the server keeps a hash).
    click(d, f"[data-code='{code}'] button[data-action='edit']")
    poll("the PIN kept", lambda: d.find_element(By.ID, "pin-hint").get_attribute("data-strength"), lambda v: v == "kept", 5)
    assert d.find_element(By.ID, "event-pin").get_attribute("value") == ""
    click(d, "#form-save")
    poll("the list again", lambda: desk_state(d), lambda s: s["view"] == "list", 15)
    assert server.api("GET", f"/api/events/{code}", token=None, headers={"X-Dragoman-Pin": "493817"}).status == 200

    # Tomorrow's meeting from today's: same languages, machine booth, glossary and interpreters' names.
    click(d, f"[data-code='{code}'] button[data-action='template']")
    poll("the copy in the form", lambda: desk_state(d), lambda s: s["view"] == "form" and s["form"]["mode"] == "create", 5)
    assert d.find_element(By.ID, "event-name").get_attribute("value") == "State visit, Astana (copy)"
    click(d, "#form-save")
    poll("two meetings", lambda: desk_state(d), lambda s: s["view"] == "list" and len(s["events"]) == 2, 15)
    copy = next(e for e in server.api("GET", "/api/events").json()["events"] if e["code"] != code)
    assert copy["languages"] == ["ru", "kk", "en"] and copy["machine"] == ["en"] and copy["glossary"] == made["glossary"], copy
    assert copy.get("pin") is None and not copy["pinRequired"], "a template does not copy the PIN"
    copied_people = server.api("GET", f"/api/events/{copy['code']}/interpreters").json()["interpreters"]
    assert sorted(p["name"] for p in copied_people) == ["Aigerim", "Pavel"]
    copied_links = poll("the copy's links shown once", lambda: issued_links(d), bool, 5)
    assert len(keys_of(copied_links)) == 2 and not keys_of(copied_links) & keys_of(links), "the copy's interpreters get new keys"
    assert all("key" not in p for p in copied_people + people), "a key shown again after it was made"

    # Deleting the first says what is lost, and does it only when confirmed.
    click(d, f"[data-code='{code}'] button[data-action='delete']")
    text = poll("the confirmation", lambda: d.execute_script(
        "const dl = document.getElementById('delete-dialog'); return dl.open ? dl.innerText : null"), bool, 5)
    assert "2 interpreter keys" in text and "1 people listening" in text, text
    screenshot(d, "organizer-delete-1280x800.png")
    click(d, "#delete-dialog button[value='delete']")
    poll("one meeting left", lambda: desk_state(d), lambda s: s["view"] == "list" and s["events"] == [copy["code"]], 15)
    assert server.api("GET", f"/api/events/{code}").status == 404


SIZES = ((390, 844), (768, 1024), (1280, 800))


def set_viewport(d, width, height):
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})


def sideways_overflow(d):
    return d.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def whole_page(d, name, width, height):
    """The page from the top at this width, as tall as it is (the screenshot a reviewer scrolls through)."""
    d.execute_script("window.scrollTo(0, 0)")
    set_viewport(d, width, max(height, min(int(d.execute_script("return document.documentElement.scrollHeight")), 4000)))
    screenshot(d, name)
    set_viewport(d, width, height)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_desk_in_every_language_on_a_phone_a_tablet_and_a_laptop(server, browser, lang):
    server.api("POST", "/api/events", {"name": "Саммит", "languages": ["ru", "kk", "en"], "machine": ["en"]})
    d = browser(phone=False, window=(1280, 800), exact_viewport=True, lang=lang)
    d.get(f"{server.url}/admin#token={server.token}")
    d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify(arguments[0]))", lang)
    d.refresh()
    poll("the list in its language", lambda: d.execute_script(
        "return [document.documentElement.lang, document.querySelectorAll('.org-event').length]"), lambda v: v == [lang, 1], 10)
    assert axe_violations(d) == [], "axe-core finds no accessibility problem on the list"
    for width, height in SIZES:
        set_viewport(d, width, height)
        assert d.execute_script("return window.innerWidth") == width
        assert sideways_overflow(d) <= 0, f"the list scrolls sideways by {sideways_overflow(d)} px at {width}×{height}"
        whole_page(d, f"organizer-list-{lang}-{width}x{height}.png", width, height)
    click(d, "#new-event")
    add_language(d, "kk")
    click(d, "#add-interpreter")
    click(d, "#add-term")
    assert axe_violations(d) == [], "axe-core finds no accessibility problem on the form"
    for width, height in SIZES:
        set_viewport(d, width, height)
        assert sideways_overflow(d) <= 0, f"the form scrolls sideways by {sideways_overflow(d)} px at {width}×{height}"
        whole_page(d, f"organizer-form-{lang}-{width}x{height}.png", width, height)
