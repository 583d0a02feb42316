"""The listener page's weight: gzip when the browser accepts it, ETags and 304 on reload, and only the page's own
UI language loaded. Figures for each path are in docs/benchmarks.md (scripts/bench-listener-browser)."""

import gzip

from chromium import FAKE_HOST, poll
from dragoman_testing import create_event, http

FIRST_LOAD_BUDGET = 60_000  # bytes over the wire, headers included, for the listener page before Listen


def test_files_are_gzipped_when_accepted_and_revalidated_with_etags(server):
    url = f"{server.url}/app/listener/listener.js"
    plain = http("GET", url)
    packed = http("GET", url, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.status == packed.status == 200
    headers = {k.lower(): v for k, v in packed.headers.items()}
    assert headers.get("content-encoding") == "gzip", packed.headers
    assert "accept-encoding" in headers.get("vary", "").lower()
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 2
    plain_tag = {k.lower(): v for k, v in plain.headers.items()}["etag"]
    assert headers["etag"] != plain_tag, "the gzipped bytes need their own ETag"

    again = http("GET", url, headers={"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert again.status == 304 and again.body == b""
    other = http("GET", f"{server.url}/app/listener/listener.html", headers={"If-None-Match": plain_tag})
    assert other.status == 200, "another file's ETag must not match"
    refused = http("GET", url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in {k.lower() for k in refused.headers} and refused.body == plain.body


def loaded(d):
    return d.execute_script("""
        const all = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
          .filter((e) => !e.name.includes('/api/'));
        return {bytes: all.reduce((a, e) => a + (e.transferSize || 0), 0),
                files: all.map((e) => e.name.replace(/^https?:\\/\\/[^/]+/, ''))};""")


def test_the_plain_http_page_loads_its_own_language_only_within_budget_and_revalidates(server, browser):
    ev = create_event(server, "State visit, Astana", ["ru", "kk", "en"])
    d = browser(map_host=True, lang="ru")
    url = f"http://{FAKE_HOST}:{server.port}/j/{ev['code']}"
    d.get(url)
    d.execute_script("localStorage.setItem('dragoman.ui-lang', JSON.stringify('kk'))")
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.clearBrowserCache", {})
    d.get(url)
    poll("the page in Kazakh", lambda: d.execute_script("return !!window.dragoman && document.documentElement.lang"),
         lambda v: v == "kk", 10)
    # Everything the page loads before Listen: its language and the players of its path (MSE here).
    ready = ("/i18n/", "/listener/mse-player.js", "/shared/webm-opus.js")
    first = poll("the page's files", lambda: loaded(d), lambda v: all(any(r in f for f in v["files"]) for r in ready), 10)
    assert not any("/stream-player.js" in f or "/opus-player.js" in f for f in first["files"]), first["files"]
    tables = sorted(f for f in first["files"] if "/i18n/" in f)
    assert tables == ["/app/i18n/kk.js"], f"only the page's own language should load: {tables}"
    assert first["bytes"] <= FIRST_LOAD_BUDGET, f"first load {first['bytes']} B: {first['files']}"
    print(f"first load: {first['bytes']} B in {len(first['files'])} files")

    d.refresh()
    poll("the page again", lambda: d.execute_script("return !!window.dragoman && document.documentElement.lang"),
         lambda v: v == "kk", 10)
    again = poll("the page's files", lambda: loaded(d), lambda v: all(any(r in f for f in v["files"]) for r in ready), 10)
    assert again["bytes"] < first["bytes"] / 3, f"a reload should revalidate (304), not fetch again: {again}"
    print(f"reload: {again['bytes']} B")
