"""Hostile JSONL for `feedback ingest`: deep nesting, huge numbers, and the file-level cases that
`flywheel check` judges (a directory, a BOM, duplicate keys, an empty file) judged the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.flows.feedback.ingest import list_events, list_rejections

DEEP = b"[" * 5000 + b"]" * 5000
HUGE = b'{"id": "H-1", "n": ' + b"9" * 5000 + b"}"
PLAN = "name: p\nid_field: id\ntext_fields: [source]\n"


def event(event_id: str) -> dict[str, Any]:
    return {"id": event_id, "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
            "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
            "payload": {"sample": "15% of 80", "model_output": "10", "expected_behaviour": "12"}}


def _line(event_id: str) -> bytes:
    return json.dumps(event(event_id)).encode()


def test_deep_nesting_and_huge_integers_are_line_rejects_and_the_good_lines_are_kept(
        team: Any, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "fb.jsonl"
    path.write_bytes(b"\n".join([_line("G-1"), DEEP, HUGE, _line("G-2")]) + b"\n")
    result = cli("feedback", "ingest", str(path), "--json")
    assert result.code == 0, result.err
    reasons = {r["line"]: r["reason"] for r in result.json()["rejections"]}
    assert reasons[2] == "invalid JSON: nested too deeply"
    assert reasons[3].startswith("unsupported JSON value: Integer value out of range")
    assert sorted(reasons) == [2, 3]
    assert [e.id for e in list_events(team)] == ["G-1", "G-2"]
    stored = {r.line: r for r in list_rejections(team)}
    for line, raw in ((2, DEEP), (3, HUGE)):
        with team.blobs.open(stored[line].raw_sha256) as blob:
            assert blob.read() == raw + b"\n"


def _both(cli: Any, tmp_path: Path, target: Path) -> tuple[Any, Any]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    checked = cli("check", str(target), "--plan", str(plan), "--engine", "single", "--json")
    ingested = cli("feedback", "ingest", str(target), "--json")
    return checked, ingested


@pytest.mark.parametrize(("name", "make", "message"), [
    ("dir.jsonl", lambda p: p.mkdir(), "input is a directory; expected a file"),
    ("empty.jsonl", lambda p: p.write_bytes(b""), "input file is empty; expected at least one record"),
    ("blank.jsonl", lambda p: p.write_bytes(b"\n \n"), "input has no records; expected at least one JSON record"),
])
def test_a_file_check_refuses_is_refused_by_ingest_with_the_same_words(
        team: Any, cli: Any, tmp_path: Path, name: str, make: Any, message: str) -> None:
    target = tmp_path / name
    make(target)
    checked, ingested = _both(cli, tmp_path, target)
    for result in (checked, ingested):
        assert result.code == 2, result.err
        assert result.err.startswith(f"error: {target}: {message}"), result.err
    assert list_events(team) == [] and list_rejections(team) == []


def test_a_bom_is_dropped_with_the_same_warning_by_check_and_ingest(
        team: Any, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "bom.jsonl"
    target.write_bytes(b"\xef\xbb\xbf" + _line("B-1") + b"\n")
    checked, ingested = _both(cli, tmp_path, target)
    warning = f"{target}: starts with a UTF-8 byte order mark; it was ignored"
    assert checked.code == 0 and json.loads(checked.out)["warnings"] == [warning]
    assert json.loads(checked.out)["records"] == 1
    assert ingested.code == 0 and ingested.json()["warnings"] == [warning]
    assert ingested.json()["received"] == 1
    assert [e.id for e in list_events(team)] == ["B-1"]


def test_a_duplicate_key_is_rejected_by_check_and_ingest_not_last_one_wins(
        team: Any, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "dup.jsonl"
    dup = _line("D-1").replace(b'{"id": "D-1"', b'{"id": "D-1", "id": "D-2"')
    target.write_bytes(_line("D-0") + b"\n" + dup + b"\n")
    checked, ingested = _both(cli, tmp_path, target)
    check_rejects = json.loads(checked.out)["rejects"]
    assert [(r["line"], r["reason"]) for r in check_rejects] == [(2, "duplicate key 'id'")]
    assert [(r["line"], r["reason"]) for r in ingested.json()["rejections"]] == [
        (2, "duplicate key 'id'")]
    assert [e.id for e in list_events(team)] == ["D-0"]


def test_import_eval_rejects_deep_and_huge_lines_and_keeps_the_good_ones(
        team: Any, tmp_path: Path) -> None:
    from dataflywheel.flows.feedback.feedback_import import import_eval_results

    wrong = json.dumps({"question": "What is 10% of 50?", "ground_truth": "A: 5",
                        "m1": {"is_correct": False, "solution": "A: 6"}}).encode()
    path = tmp_path / "res.jsonl"
    path.write_bytes(b"\n".join([DEEP, HUGE, wrong]) + b"\n")
    summary = import_eval_results(team, path, project_id="P-TEST")
    assert len(summary.ingest.received) == 1 and len(list_events(team)) == 1
    reasons = {r.line: r.reason for r in list_rejections(team)}
    assert reasons[1] == "invalid JSON: nested too deeply"
    assert reasons[2].startswith("unsupported JSON value: Integer value out of range")
