"""Importing real result shapes into a workspace: GSM8K model solutions and self-instruct
predictions become feedback events or rejections (the formats alone: tests/integrations)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dataflywheel.domain.states import FeedbackState
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.feedback.ingest import list_events, list_rejections
from dataflywheel.flows.feedback.feedback_import import import_eval_results, import_predictions
from dataflywheel.integrations import evalresults as er

REPO_ROOT = Path(__file__).resolve().parents[3]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
GSM8K = REALDATA / "gsm8k_example_model_solutions.jsonl"
PREDICTIONS = sorted(REALDATA.glob("self_instruct_predictions_*.jsonl"))
AT = datetime(2026, 11, 20, tzinfo=UTC)

needs_realdata = pytest.mark.skipif(not GSM8K.exists(), reason=f"{REALDATA} is absent")


def _head(source: Path, dest: Path, n: int) -> Path:
    with source.open("rb") as src, dest.open("wb") as out:
        for _ in range(n):
            out.write(src.readline())
    return dest


@needs_realdata
def test_gsm8k_import_ingests_wrong_answers_as_events(team, tmp_path):
    head = _head(GSM8K, tmp_path / "gsm8k_head.jsonl", 40)
    summary = import_eval_results(team, head, project_id="P-TEST", occurred_at=AT)
    data = summary.to_dict()
    assert data["lines"] == 40 and data["items_checked"] == 160
    assert data["received"] == data["flagged"] == data["labels"]["incorrect"]
    assert data["rejected"] == 0
    events = list_events(team)
    assert len(events) == data["flagged"]
    assert {e.model_version for e in events} <= {"6b_finetuning", "6b_verification",
                                                 "175b_finetuning", "175b_verification"}
    assert all(e.state is FeedbackState.RECEIVED and e.project_id == "P-TEST" for e in events)
    again = import_eval_results(team, head, project_id="P-TEST", occurred_at=AT)
    assert again.to_dict()["duplicates"] == data["received"]


@needs_realdata
def test_predictions_import_ingests_flagged_predictions(team, tmp_path):
    path = _head(PREDICTIONS[0], tmp_path / PREDICTIONS[0].name, 30)
    summary = import_predictions(team, path, project_id="P-TEST", occurred_at=AT)
    data = summary.to_dict()
    assert data["received"] == data["flagged"] and data["rejected"] == 0
    assert {e.model_version for e in list_events(team)} <= {er.model_of_predictions(path)}


def _gsm_line(**models: object) -> bytes:
    return json.dumps({"question": "What is 10% of 50?", "ground_truth": "A: 5", **models}).encode()


def test_dict_as_string_results_are_parsed_with_literal_eval_never_eval(team, tmp_path):
    path = tmp_path / "res.jsonl"
    path.write_bytes(b"\n".join([
        _gsm_line(m1=str({"is_correct": False, "solution": "A: 6"}), m2={"is_correct": True, "solution": "A: 5"}),
        _gsm_line(m1="{'is_correct': __import__('os').system('touch /tmp/pwned_k')}"),
        _gsm_line(m1=str({"is_correct": "maybe"})),
        b'{"question": "no truth"}',
        b"\xff\xfe",
    ]) + b"\n")
    summary = import_eval_results(team, path, project_id="P-TEST", occurred_at=AT)
    assert not Path("/tmp/pwned_k").exists()
    assert summary.ingest.received == [er._event_id(path.name, 1, "m1")]
    by_line = {r.line: r for r in list_rejections(team)}
    assert by_line[2].reason.startswith("model result 'm1' is not readable: malformed node")
    assert by_line[2].field == "m1"
    assert by_line[3].reason == ("model result 'm1' is not readable: is_correct is 'maybe', "
                                 "expected true or false")
    assert by_line[4].reason == "missing required field(s): ground_truth"
    assert by_line[5].reason == "invalid JSON: JSON is malformed: invalid character (byte 0)"
    [stored] = list_events(team)
    assert stored.payload.attributes["question_type"] == "percentage"


def test_non_result_fields_are_kept_as_attributes(team, tmp_path):
    path = tmp_path / "ids.jsonl"
    path.write_bytes(_gsm_line(id="k12-0001", m1={"is_correct": False, "solution": "A: 6"}) + b"\n"
                     + _gsm_line(id="k12-0002") + b"\n")
    summary = import_eval_results(team, path, project_id="P-TEST", occurred_at=AT)
    [stored] = list_events(team)
    assert stored.payload.attributes["id"] == "k12-0001"
    assert summary.ingest.rejected[0].reason == "no model results (fields with is_correct)"


def test_given_ratings_are_used_and_bad_ratings_rejected(team, tmp_path):
    path = tmp_path / "preds_m.jsonl"
    rows = [{"instruction": "Summarise", "input": "x", "response": "y", "target": "y", "rating": r}
            for r in ("A", "D", "3", "1", "Z")]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = import_predictions(team, path, project_id="P-TEST", occurred_at=AT)
    data = summary.to_dict()
    assert data["labels"] == {"A": 1, "B": 1, "D": 2}
    assert data["received"] == 2 and data["rejected"] == 1
    assert data["rejections"][0]["reason"] == "rating 'Z' is not one of A, B, C, D or 1–4"
    events = list_events(team)
    assert {e.source.value for e in events} == {"human_review"}


def test_import_errors_name_the_file_or_option(team, tmp_path):
    with pytest.raises(NotFound, match="results file not found"):
        import_eval_results(team, tmp_path / "none.jsonl", project_id=None)
    path = tmp_path / "p.jsonl"
    path.write_text("")
    with pytest.raises(BadInput, match="unknown rating; field 'flag_below'; expected one of A, B, C, D"):
        import_predictions(team, path, project_id=None, flag_below="E")


def test_over_long_line_in_results_is_kept_as_a_rejection(team, tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_bytes(_gsm_line(m1={"is_correct": False, "solution": "z" * (er.MAX_LINE + 10)}) + b"\n")
    summary = import_eval_results(team, path, project_id="P-TEST", occurred_at=AT)
    [rejection] = summary.ingest.rejected
    assert rejection.reason.startswith("line is ") and rejection.raw_size > er.MAX_LINE
    assert team.blobs.exists(rejection.raw_sha256)
