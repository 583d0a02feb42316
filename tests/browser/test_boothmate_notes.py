"""The console's boothmate extraction (Web/booth/boothmate.js), on its own: what a partner in the booth would write
down from one line of the floor's transcript. The module is pure, so it runs in node when this machine has it, and
otherwise in headless Chromium (served by fake_listener.FakeListenerServer, which serves the page files)."""

import json
import shutil
import subprocess

import pytest

from fake_listener import WEB

CASES = [
    ("Рост составил 15 % за год, а экспорт достиг 2,5 млн тонн.", [],
     [("number", "15 %"), ("number", "2,5 млн тонн")]),
    ("В 2025 году на форуме было 1 200 участников.", [],
     [("date", "2025"), ("number", "1 200 участников")]),
    ("Владимир Владимирович сказал, что 15 марта 2026 года откроется завод.", [],
     [("name", "Владимир Владимирович"), ("date", "15 марта 2026")]),
    ("Сегодня Касым-Жомарт Токаев прибыл в Астану.", [],
     [("name", "Касым-Жомарт Токаев"), ("name", "Астану")]),
    ("2030 жылға қарай Қазақстан экспорты 30 пайызға өседі, деді Президент Тоқаев.", [],
     [("date", "2030"), ("name", "Қазақстан"), ("number", "30 пайызға"), ("name", "Президент Тоқаев")]),
    ("The EU will invest $5 billion in Kazakhstan by March 12, 2027, said Ursula von der Leyen.", [],
     [("name", "EU"), ("number", "$5 billion"), ("name", "Kazakhstan"), ("date", "March 12, 2027"),
      ("name", "Ursula von der Leyen")]),
    ("ЕАЭС обсудил 12.03.2026 инвестиции в 300 млрд долларов.", ["инвестиции"],
     [("name", "ЕАЭС"), ("date", "12.03.2026"), ("term", "инвестиции"), ("number", "300 млрд долларов")]),
    ("Мы говорим о зелёном водороде. Это важно.", ["зелёный водород"], [("term", "зелёный водород")]),
    # Nothing a boothmate would write: a sentence's first word alone, a one-digit count.
    ("Спасибо. Сегодня у нас 2 вопроса.", [], []),
    ("", [], []),
]

SCRIPT = """
const { extractNotes, mergeNotes } = await import(MODULE);
const out = CASES.map(([line, terms]) => extractNotes(line, { terms }).map((n) => [n.kind, n.text]));
let strip = [];
strip = mergeNotes(strip, extractNotes('Рост 15 % в 2025 году.'), 1, 3);
strip = mergeNotes(strip, extractNotes('Приехали в Астану 1 200 участников.'), 2, 3);
strip = mergeNotes(strip, extractNotes('Снова 15 %.'), 3, 3);
return { out, strip: strip.map((n) => [n.text, n.at]) };
"""


def run_in_node(module: str) -> dict:
    source = (f"const MODULE = {json.dumps(module)}; const CASES = {json.dumps([c[:2] for c in CASES])};\n"
              f"const result = await (async () => {{ {SCRIPT} }})();\nconsole.log(JSON.stringify(result));")
    r = subprocess.run(["node", "--input-type=module", "-e", source], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def run_in_chromium(browser) -> dict:
    from fake_listener import FakeListenerServer
    with FakeListenerServer() as fake:
        d = browser(phone=False, window=(800, 600))
        d.get(f"{fake.url}/healthz")
        d.set_script_timeout(20)
        return d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f"const MODULE = '/app/booth/boothmate.js'; const CASES = {json.dumps([c[:2] for c in CASES])};"
            f"(async () => {{ {SCRIPT} }})().then(done, (e) => done({{ error: String(e) }}));")


@pytest.mark.parametrize("where", ["node", "chromium"])
def test_boothmate_notes(browser, where):
    if where == "node":
        if not shutil.which("node"):
            pytest.skip("no node on this machine (the chromium run covers the module)")
        result = run_in_node((WEB / "booth" / "boothmate.js").as_uri())
    else:
        result = run_in_chromium(browser)
    assert "error" not in result, result
    for (line, terms, expected), got in zip(CASES, result["out"]):
        assert [tuple(n) for n in got] == expected, f"{line!r} (terms {terms}): {got}"
    # The strip: newest first, at most 3, a note said again moves to the front instead of showing twice.
    assert result["strip"] == [["15 %", 3], ["1 200 участников", 2], ["Астану", 2]], result["strip"]
