"""The summit through the machine booths, end to end: the real server, the real Whisper worker (Whisper base) and a
protocol-faithful LibreTranslate stand-in; the floor language left to the ear. See tests/e2e/machine_summit.py for the
set-up, and docs/benchmarks.md ("Machine booth: the summit end to end") for the figures scripts/bench-machine measures
with the same flow.

The bounds are made for a two-core machine where Whisper base runs at about real time: the machine may fall behind and
skip stale segments (that is its design), so the test asks for what must hold whatever is skipped, and for what a
working pipeline always achieves on the summit (the switch into Kazakh, the Kazakh stretch lasts 27 s)."""

from __future__ import annotations

import pytest

from machine_summit import CHANNELS, VOICE_PEAK, figures, run_summit, whisper_model_missing

# The floor language follows the ear: each switch is decided by speech in the new language that ends within this long
# of the language's first sentence's start (speech time, on the floor file's clock; how long the machine takes to
# get to that speech is its lag, printed and benchmarked, which a busy machine lengthens). Kazakh: 27 s is the whole
# Kazakh stretch (kk-01 to kk-04): a pipeline that does not hear Kazakh in it cannot pass. Whisper base may mishear
# kk-01 as Polish or English, and skips what has gone stale, so the later sentences must be able to decide it.
MAX_SWITCH_TO_KK_S = 27
# English: en-01 (3.5 s, the last sentence) is identified at 0.98; it decides the switch on its own.
MAX_SWITCH_TO_EN_S = 5
# Russian opens the summit: the first sure 2 s of it switch the floor; 17 s is the whole Russian stretch (ru-01 to
# ru-03), as Whisper base often hears the synthetic Russian as other languages.
MAX_SWITCH_TO_RU_S = 17
# A switch and the floor line of the segment that decided it are sent together.
MAX_LINE_AFTER_SWITCH_S = 2
# The machine's voice follows its caption: synthesis (espeak-ng, in process) and the voice's next 20 ms frame.
MAX_VOICE_AFTER_CAPTION_S = 5
# A caption's speech must overlap a sentence of the timeline, give or take the VAD's padding of a segment.
SILENCE_SLACK_S = 0.35


@pytest.fixture(scope="module")
def summit(dragoman_bin, summit_audio, tmp_path_factory):
    missing = whisper_model_missing()
    if missing:
        pytest.skip(f"the Whisper base model is not installed: {missing}")
    import dragoman_testing as dt

    workdir = tmp_path_factory.mktemp("machine-summit")
    cli = dt.Cli(dragoman_bin, workdir / "cli-transcript.log")
    kept = []
    # Partial lines whatever a hearing costs: on two cores Whisper base takes 1.4 s for any hearing, above the
    # server's default limit (0.6 s), which would leave partials to the first sentence only.
    run = run_summit(dragoman_bin, cli, summit_audio, workdir, keep=kept.append,
                     server_args=["--partial-hearing-limit", "10"])
    run.kept = kept + [workdir / "cli-transcript.log"] + [workdir / f"listen-{c}.jsonl" for c in CHANNELS]
    run.figures = figures(run)
    print(f"machine summit: {run.figures}")  # shown with -s, or -rP for passing tests
    return run


@pytest.fixture
def keep_on_failure(summit, artifacts):
    for path in summit.kept:
        artifacts.keep(path)
    yield


def require_kazakh_heard(summit) -> None:
    """The machine rightly skips speech that has gone stale when it cannot keep up (a Whisper worker several times
    slower than real time, on cores another build takes). When it skipped every Kazakh sentence, nothing that follows
    from hearing Kazakh can be checked on this run: it is skipped, saying so; order and silences are still checked."""
    kazakh = {s["id"] for s in summit.timeline if s["id"].startswith("kk-")}
    if kazakh and kazakh <= summit.skipped_sentences():
        pytest.skip(f"the machine skipped all Kazakh speech as stale: the Whisper worker ran at RTF "
                    f"{summit.whisper_rtf():.2f} (about 1 on an unshared two-core machine)")
    # Whisper base hears espeak-ng's Kazakh as Kazakh on some CPUs and not on others: on an AMD EPYC it comes back
    # as Turkish, Mongolian or Latvian words, the same outside the server (faster-whisper on kk-01.wav alone, int8
    # or float32). With no Kazakh sentence heard in its own script there is nothing to follow by ear.
    heard = [c for c in summit.finals("floor") if (summit.sentence_of(c) or {}).get("lang") == "kk"]
    if kazakh and not any(in_its_script(c["text"], "kk") for c in heard):
        pytest.skip("Whisper heard no Kazakh sentence as Kazakh on this CPU: "
                    + "; ".join(f"{c.get('language')}: {c['text'][:40]!r}" for c in heard))


def in_its_script(text: str, language: str) -> bool:
    """Whether most letters of `text` are in the script `language` is written in (Cyrillic for ru and kk)."""
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in letters if c.isascii())
    return cyrillic > len(letters) / 2 if language in ("ru", "kk") else latin > len(letters) / 2


def switch_time(summit, language: str) -> int:
    change = next((c for c in summit.changes if c["language"] == language), None)
    assert change is not None, f"the floor never switched to {language}: {summit.changes}\n{describe(summit)}"
    return change["at"]


def describe(summit) -> str:
    lines = [f"figures: {summit.figures}", f"floor-language changes: {summit.changes}",
             f"the Whisper worker ran at RTF {summit.whisper_rtf():.2f} (about 1 on an unshared two-core machine; above "
             f"about 2.5 the machine skips most of the summit as stale, Kazakh included)"]
    for channel in CHANNELS:
        for c in summit.captions(channel):
            s = summit.sentence_of(c)
            lines.append(f"  {channel} {c['id']} {'final' if c.get('final') else 'partial'} "
                         f"{summit.seconds(c['start']):.2f}–{summit.seconds(c['end']):.2f} s "
                         f"({s['id'] if s else 'silence'}) {c.get('language')}: {c['text'][:50]!r}")
    return "\n".join(lines)


def test_captions_arrive_in_order_on_every_channel(summit, keep_on_failure):
    assert summit.captions("floor"), f"no captions on the floor\n{describe(summit)}"
    # A booth gets no line when every line the machine got to was heard in the booth's own language (Whisper base
    # hears much of the synthetic Russian as English), but some booth gets lines.
    assert summit.captions("ru") or summit.captions("en"), f"no captions on ru nor en\n{describe(summit)}"
    for channel in CHANNELS:
        captions = summit.captions(channel)
        finals = [c for c in captions if c.get("final")]
        numbers = [int(c["id"].lstrip("m")) for c in finals]
        assert numbers == sorted(set(numbers)), f"{channel}: final caption ids out of order or repeated: {numbers}"
        ends = [c["end"] for c in finals]
        assert ends == sorted(ends) and all(c["start"] < c["end"] for c in finals), \
            f"{channel}: caption times not increasing\n{describe(summit)}"
        arrivals = [c["receivedAt"] for c in captions]
        assert arrivals == sorted(arrivals)
        done = set()
        for c in captions:  # a final replaces the partials of its id; nothing of that id comes after it
            assert c["id"] not in done, f"{channel}: {c['id']} came again after its final line"
            if c.get("final"):
                done.add(c["id"])
        assert {c["id"] for c in captions} == done, f"{channel}: a partial line was never made final"
        assert all(c["channel"] == channel for c in captions)
    # Every line of the booths renders a line of the floor, with the same id and speech.
    floor = {c["id"]: c for c in summit.finals("floor")}
    for channel in ("ru", "en"):
        for c in summit.finals(channel):
            assert c["id"] in floor and (c["start"], c["end"]) == (floor[c["id"]]["start"], floor[c["id"]]["end"]), \
                f"{channel} {c['id']} renders no floor line"
            assert c["source"] == "machine" and c["language"] == channel


def test_partial_lines_show_a_sentence_while_it_is_spoken(summit, keep_on_failure):
    # Partial lines are heard only while the recognizer would otherwise wait: with Whisper at several times real time
    # (cores another build takes) it never does, and there may be none. Where it keeps up, sentences of the summit
    # (3–8 s) have partial lines, some of which reach the floor's listeners before the sentence ends.
    if summit.whisper_rtf() > 0.8:
        pytest.skip(f"the Whisper worker ran at RTF {summit.whisper_rtf():.2f}: no time was left for partial lines")
    partials = summit.partials("floor")
    assert partials, f"no partial line on the floor\n{describe(summit)}"
    early = [c for c in partials if (s := summit.sentence_of(c)) and c["receivedAt"] < summit.at(s["end"])]
    assert early, f"no partial line reached the floor before its sentence ended\n{describe(summit)}"
    finals = {c["id"] for c in summit.captions("floor") if c.get("final")}
    assert {c["id"] for c in partials} <= finals, "a partial line was neither replaced nor withdrawn"


def test_no_caption_lies_in_a_silence(summit, keep_on_failure):
    for channel in CHANNELS:
        for c in summit.captions(channel):
            start, end = summit.seconds(c["start"]), summit.seconds(c["end"])
            assert any(start < s["end"] + SILENCE_SLACK_S and end > s["start"] - SILENCE_SLACK_S
                       for s in summit.timeline), \
                f"{channel} {c['id']} renders {start:.2f}–{end:.2f} s, a silence of the timeline\n{describe(summit)}"


def test_the_floor_language_follows_the_switches_by_ear(summit, keep_on_failure):
    require_kazakh_heard(summit)
    languages = [c["language"] for c in summit.changes]
    order = ["ru", "kk", "en"]
    assert "kk" in languages and languages == [lang for lang in order if lang in languages], \
        f"floor-language changes {summit.changes}: the summit goes ru → kk → en\n{describe(summit)}"
    # Each switch must come, unless the machine skipped (as stale) speech of that language; never before the
    # language is spoken, and decided by speech in the language within the bound.
    skipped = summit.skipped_sentences()
    for lang, bound in (("ru", MAX_SWITCH_TO_RU_S), ("kk", MAX_SWITCH_TO_KK_S), ("en", MAX_SWITCH_TO_EN_S)):
        sentences = [s for s in summit.timeline if s["lang"] == lang]
        change = next((c for c in summit.changes if c["language"] == lang), None)
        if change is None:
            # Not required when the machine skipped that speech as stale, or the run ended before its turn came (a
            # line still queued at the end of the wait): then no line of the floor renders it.
            # Nor when Whisper made nothing of it: the summit's synthetic Russian often comes back as Thai, German or
            # French words, which no ear can follow; a line in the language's own script is what "heard" means.
            heard = [c for c in summit.finals("floor") if (summit.sentence_of(c) or {}).get("lang") == lang
                     and in_its_script(c["text"], lang)]
            assert any(s["id"] in skipped for s in sentences) or not heard, \
                f"the floor never switched to {lang}, though the machine heard {lang} speech and skipped none\n" \
                f"{describe(summit)}"
            continue
        delay = (change["at"] - summit.at(sentences[0]["start"])) / 1e6
        print(f"the switch to {lang} came {delay:.2f} s after {sentences[0]['id']} began (Whisper RTF "
              f"{summit.whisper_rtf():.2f})")
        assert delay > 0, f"the switch to {lang} came before {sentences[0]['id']} began\n{describe(summit)}"
        # The switch is made on hearing a segment, and sent just before that segment's floor line: the line that
        # decided it is the first floor line in the language from then on, and comes with it.
        deciding = next((c for c in summit.finals("floor")
                         if c.get("language") == lang and c["receivedAt"] >= change["at"]), None)
        assert deciding is not None and deciding["receivedAt"] - change["at"] <= MAX_LINE_AFTER_SWITCH_S * 1e6, \
            f"the switch to {lang} came with no floor line heard as {lang}\n{describe(summit)}"
        # By ear: the speech that decided it lies within the bound of the language's start. How long the machine
        # took to get to that speech is its lag, which a busy machine lengthens (the caption delay, printed).
        heard_by = summit.seconds(deciding["end"]) - sentences[0]["start"]
        lag = (deciding["receivedAt"] - summit.at(summit.seconds(deciding["end"]))) / 1e6
        print(f"  decided by {deciding['id']} ({(summit.sentence_of(deciding) or {}).get('id')}), whose speech ended "
              f"{heard_by:.2f} s after {sentences[0]['id']} began and was captioned {lag:.2f} s later")
        assert (summit.sentence_of(deciding) or {}).get("lang") == lang, \
            f"the switch to {lang} was decided by {deciding['id']}, which is not {lang} speech\n{describe(summit)}"
        assert heard_by <= bound, \
            f"the switch to {lang} was decided by speech ending {heard_by:.2f} s after {sentences[0]['id']} began " \
            f"(bound {bound} s)\n{describe(summit)}"


def test_each_switch_alerts_a_channel_once(summit, keep_on_failure):
    require_kazakh_heard(summit)
    changes = {c["at"]: c["language"] for c in summit.changes}
    for channel in ("ru", "en"):
        alerts = [e["message"] for e in summit.control[channel] if e["message"].get("type") == "alert"]
        ats = [a["at"] for a in alerts]
        assert len(ats) == len(set(ats)), f"{channel}: an alert came twice for one switch: {alerts}"
        assert all(changes.get(a["at"]) == a["floorLanguage"] for a in alerts), \
            f"{channel}: an alert for no logged change: {alerts} vs {summit.changes}"
    # Where the switch changes what the channel carries, the alert is there: Russian gets the machine at kk.
    kk_at = switch_time(summit, "kk")
    assert any(e["message"].get("type") == "alert" and e["message"]["at"] == kk_at for e in summit.control["ru"]), \
        "the Russian channel got no alert for the switch to Kazakh"


def test_the_booths_carry_the_machine_voice_while_the_floor_speaks_another_language(summit, keep_on_failure):
    require_kazakh_heard(summit)
    kk_at = switch_time(summit, "kk")
    for channel in ("ru", "en"):
        listener = summit.pcm[channel]
        carrying = [(t, m) for t, m in listener.control if m.get("type") == "carrying"]
        machine = [(t, m) for t, m in carrying if m["source"]["kind"] == "machine"]
        assert all(m["floorLanguage"] not in (None, channel) for _, m in machine), \
            f"{channel} carried the machine while the floor spoke {channel} or nothing known"
        if channel == "ru":
            assert any(t >= kk_at for t, _ in machine), \
                f"ru did not carry the machine after the switch to Kazakh: {[m['source'] for _, m in carrying]}"
        # Every line that reaches the channel while the machine carries it is spoken there: sound within
        # MAX_VOICE_AFTER_CAPTION_S of the caption (the voice is synthesized and queued right after it).
        spoken = 0
        for c in summit.finals(channel):
            state = [m for t, m in carrying if t <= c["receivedAt"]]
            if not state or state[-1]["source"]["kind"] != "machine":
                continue
            window = [p for p in listener.packets
                      if c["receivedAt"] <= p[0] <= c["receivedAt"] + MAX_VOICE_AFTER_CAPTION_S * 1e6]
            assert any(p[2] > VOICE_PEAK and p[3] == "machine" for p in window), \
                f"{channel} {c['id']} {c['text'][:40]!r} was captioned while the machine carried {channel}, " \
                f"but no machine voice followed within {MAX_VOICE_AFTER_CAPTION_S} s"
            spoken += 1
        if channel == "ru":
            assert spoken, f"no line reached ru while the machine carried it\n{describe(summit)}"
    # While the floor speaks Russian, the Russian channel carries the floor, not the machine.
    ru = summit.pcm["ru"]
    before_kk = [m for t, m in ru.control if m.get("type") == "carrying" and t < kk_at - 1_000_000]
    assert all(m["source"]["kind"] == "floor" for m in before_kk), before_kk


def test_kazakh_is_heard_and_translated(summit, keep_on_failure):
    require_kazakh_heard(summit)
    kazakh = [c for c in summit.finals("floor") if c.get("language") == "kk"]
    assert kazakh, f"no floor line was heard as Kazakh\n{describe(summit)}"
    assert all(any(ch in "әғқңөұүһі" for ch in c["text"].lower()) for c in kazakh), \
        "a line heard as Kazakh without Kazakh letters"
    asked = [r for r in summit.translator_requests if r.get("path") == "/translate"]
    assert any(r["source"] == "kk" and r["target"] == "ru" and r["status"] == 200 for r in asked), asked
    ru = {c["id"]: c["text"] for c in summit.finals("ru")}
    assert any(c["id"] in ru for c in kazakh), "no Kazakh line reached the Russian channel"
