"""The eval-results formats (integrations/evalresults.py): GSM8K model solutions and
self-instruct predictions read into feedback events, ratings derived, question types guessed.
Ingesting them into a workspace is tests/flows/feedback/test_evalresults_import.py."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataflywheel.integrations import evalresults as er

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
GSM8K = REALDATA / "gsm8k_example_model_solutions.jsonl"
PREDICTIONS = sorted(REALDATA.glob("self_instruct_predictions_*.jsonl"))
AT = datetime(2026, 11, 20, tzinfo=UTC)

needs_realdata = pytest.mark.skipif(not GSM8K.exists(), reason=f"{REALDATA} is absent")


@needs_realdata
def test_gsm8k_reader_counts_every_wrong_answer_of_the_whole_file():
    stats = er.ImportStats()
    with GSM8K.open("rb") as fileobj:
        items = list(er.read_gsm8k(fileobj, stem=GSM8K.name, project_id="P-TEST",
                                   occurred_at=AT, stats=stats))
    assert stats.lines == 1319 and all(i.problem is None for i in items)
    assert stats.items_checked == 4 * 1319
    assert stats.flagged == stats.by_label["incorrect"] == sum(len(i.events) for i in items)
    assert stats.by_label["correct"] + stats.by_label["incorrect"] == 4 * 1319
    first = items[0].events[0]
    assert first["payload"]["sample"].startswith("Janet")
    assert first["payload"]["attributes"]["question_type"] == "rate"  # "16 eggs per day"


@needs_realdata
@pytest.mark.parametrize("path", PREDICTIONS, ids=lambda p: p.stem.split("predictions_")[-1])
def test_predictions_reader_derives_ratings_for_every_line(path):
    stats = er.ImportStats()
    with path.open("rb") as fileobj:
        items = list(er.read_predictions(fileobj, stem=path.name, model=er.model_of_predictions(path),
                                         project_id=None, occurred_at=AT, stats=stats))
    assert stats.lines == 252 and stats.items_checked == 252
    assert sum(stats.by_label.values()) == 252
    assert stats.flagged == stats.by_label["C"] + stats.by_label["D"]
    events = [e for i in items for e in i.events]
    assert all(e["payload"]["attributes"]["rating_source"].startswith("derived:") for e in events)


def test_token_f1_and_derived_ratings():
    assert er.token_f1("the cat sat", "the cat sat") == 1.0
    assert er.token_f1("dog", "cat") == 0.0
    assert er.rating_of({"response": "", "target": "x"}) == ("D", "derived:empty-response", 0.0)
    assert er.rating_of({"response": "a b c d", "target": "a b c d"})[0] == "A"


def test_question_type_heuristic():
    assert er.question_type("What is 15% of 80?") == "percentage"
    assert er.question_type("She ate half of the pie") == "fraction"
    assert er.question_type("He drives 60 miles per hour") == "rate"
    assert er.question_type("It costs $4") == "money"
    assert er.question_type("Add 3 and 4") == "arithmetic"
    assert er._model_result("{'is_correct': True}") == {"is_correct": True}
