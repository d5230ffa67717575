"""Per-item results files (GSM8K shape) → metrics and error samples by question type."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exp_helpers import spec_dict

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.experiments.experiment_results import read_item_results
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.issues import Issues


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _item(question: str, **models: bool) -> dict[str, Any]:
    return {"question": question, "ground_truth": "2 + 2 = <<2+2=4>>4\n4 * 3 = <<4*3=12>>12\nA: 12",
            **{k: {"is_correct": v, "solution": "..."} for k, v in models.items()}}


def test_results_give_accuracy_by_category_and_error_samples(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", [
        _item("What percent is 5 of 20?", m=False), _item("What is 7 plus 5?", m=True),
        _item("What is 9 minus 5?", m=False)])
    results = read_item_results(path, model_key="m")
    assert (results.total, results.correct) == (3, 1)
    assert results.metrics() == {"accuracy": 0.333333, "accuracy.arithmetic": 0.5,
                                 "accuracy.percentage": 0.0}
    assert [(e.record_id, e.category, e.detail) for e in results.errors] == [
        ("line-1", "percentage", {"line": 1, "steps": 2}),
        ("line-3", "arithmetic", {"line": 3, "steps": 2})]


@pytest.mark.parametrize(("lines", "options", "expected"), [
    (['{"question": "q", "m": {"is_correct": true}}', "{not json"], {},
     ("r.jsonl:2: not JSON (Expecting property name enclosed in double quotes); "
     "expected one JSON object per line")),
    (['[1, 2]'], {}, "r.jsonl:1: not a JSON object; expected one JSON object per line; got 'list'"),
    (['{"question": "q", "x": {"is_correct": true}}'], {},
     "r.jsonl:1: item has no results for model 'm'; field 'm'; expected one of x"),
    (['{"question": "q", "m": {"is_correct": "yes"}}'], {},
     ("r.jsonl:1: is_correct is not a boolean; field 'm.is_correct'; expected true or false; "
     "got 'yes'")),
    (['{"id": "a", "question": "q", "m": {"is_correct": true}}',
      '{"id": "a", "question": "q", "m": {"is_correct": true}}'], {"id_field": "id"},
     "r.jsonl:2: item id 'a' appears twice; field 'id'; expected unique ids"),
    (['{"question": 3, "m": {"is_correct": true}}'], {},
     ("r.jsonl:1: item has no question text to derive its type from; field 'question'; "
     "expected a string (or --category-field)")),
    (['{"question": "q", "m": {"is_correct": true}}'], {"category_field": "type"},
     "r.jsonl:1: item has no category; field 'type'"),
    (["", "  "], {}, "r.jsonl: results file has no items; expected one JSON object per line"),
])
def test_bad_results_files_name_line_and_field(tmp_path: Path, lines: list[str],
                                               options: dict[str, str], expected: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadInput) as info:
        read_item_results(path, model_key="m", **options)
    assert str(info.value) == str(tmp_path) + "/" + expected


def test_missing_results_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="results file not found"):
        read_item_results(tmp_path / "absent.jsonl", model_key="m")


@pytest.mark.realdata
@pytest.mark.slow
def test_realdata_gsm8k_solutions_become_error_samples_and_a_regression(lab: Workspace) -> None:
    from exp_helpers import realdata_or_skip

    path = realdata_or_skip("gsm8k_example_model_solutions.jsonl")
    strong = read_item_results(path, model_key="175b_verification")
    weak = read_item_results(path, model_key="6b_finetuning")
    assert strong.total == weak.total == 1319
    assert len(strong.errors) == 1319 - strong.correct
    assert set(strong.totals) == {"arithmetic", "fraction_ratio", "money", "percentage",
                                  "rate_time"}
    assert strong.metrics()["accuracy"] > weak.metrics()["accuracy"]
    base = log_experiment(lab, parse_create(spec_dict(
        model_version="175b-verifier", metrics=strong.metrics(),
        error_samples=[e.model_dump() for e in strong.errors]))).experiment
    logged = log_experiment(lab, parse_create(spec_dict(
        model_version="6b-finetuned", baseline_experiment_id=base.id,
        versions=[{"version_id": "gsm-v2", "role": "eval"}], metrics=weak.metrics(),
        error_samples=[e.model_dump() for e in weak.errors])))
    assert logged.issue is not None and "accuracy" in {d.name for d in logged.regressions}
    wrong_before = {e.record_id for e in strong.errors}
    fresh = [e for e in weak.errors if e.record_id not in wrong_before]
    with lab.db.session() as s:
        linked = [ln for ln in Issues(s).links(logged.issue.id) if ln.error_sample_id]
    assert len(linked) == len(fresh) > 0
