"""How scripts/bench-machine hands a booth channel's captions to OmniSTEval: the sentences the booth interprets,
their references, and every word dated when the listener read it and when the speech it renders ended."""

from __future__ import annotations

from machine_summit import SummitRun, simultaneous_log, summit_references

ORIGIN = 1_700_000_000_000_000
TIMELINE = [
    {"id": "ru-01", "lang": "ru", "start": 0.8, "end": 4.0, "text": "…"},
    {"id": "kk-01", "lang": "kk", "start": 5.0, "end": 9.5, "text": "…"},
    {"id": "en-01", "lang": "en", "start": 10.0, "end": 13.5, "text": "…"},
]


def caption(run: SummitRun, text: str, start: float, end: float, read_at: float) -> dict:
    return {"receivedAt": run.at(read_at), "message": {"type": "caption", "final": True, "text": text,
                                                       "start": run.at(start), "end": run.at(end)}}


def test_a_channel_is_scored_on_the_sentences_its_booth_interprets():
    run = SummitRun(timeline=TIMELINE, origin=ORIGIN)
    run.control = {"ru": [
        {"receivedAt": run.at(6.0), "message": {"type": "caption", "final": False, "text": "Уважаемый",
                                                 "start": run.at(5.0), "end": run.at(6.0)}},
        caption(run, "Уважаемый Владимир Владимирович!", 5.0, 9.5, 12.25),
        caption(run, "Делегация ищет наушники.", 10.0, 13.5, 15.5),
    ]}
    log = simultaneous_log(run, "ru")
    # Russian speech the Russian channel hears from the floor: only kk-01 and en-01 are the booth's.
    assert log["segmentation"] == [{"wav": "summit-floor.wav", "offset": 5.0, "duration": 4.5},
                                   {"wav": "summit-floor.wav", "offset": 10.0, "duration": 3.5}]
    references = summit_references()
    assert log["references"] == [references["kk-01"]["ru"], references["en-01"]["ru"]]
    hypothesis = log["hypothesis"]
    assert hypothesis["prediction"] == "Уважаемый Владимир Владимирович! Делегация ищет наушники."  # finals only
    assert hypothesis["elapsed"] == [12250.0] * 3 + [15500.0] * 3
    assert hypothesis["delays"] == [9500.0] * 3 + [13500.0] * 3
    assert hypothesis["source_length"] == 13500.0
    assert len(hypothesis["prediction"].split()) == len(hypothesis["delays"]) == len(hypothesis["elapsed"])
