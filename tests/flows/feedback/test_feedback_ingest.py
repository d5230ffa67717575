"""Ingestion: every event kept — received, triaged, duplicate or rejected with its reason."""

from __future__ import annotations

import json
from pathlib import Path

from fb_helpers import event

from dataflywheel.domain.records.feedback import MAX_PAYLOAD_BYTES
from dataflywheel.domain.states import FeedbackState
from dataflywheel.flows.feedback.ingest import (
    MAX_LINE_BYTES,
    ingest_events,
    ingest_jsonl,
    list_events,
    list_rejections,
)


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_api_ingest_stores_received_events(team):
    report = ingest_events(team, [event("E-1"), event("E-2", days=1)], origin="api-test")
    assert report.received == ["E-1", "E-2"]
    stored = list_events(team)
    assert [e.id for e in stored] == ["E-1", "E-2"]
    assert all(e.state is FeedbackState.RECEIVED for e in stored)
    assert stored[0].origin == "api-test:1"


def test_missing_required_fields_are_rejected_with_reason_and_kept(team):
    bad = event("E-3")
    del bad["source"], bad["payload"]
    report = ingest_events(team, [bad, event("E-4")])
    assert report.received == ["E-4"]
    [rejection] = list_rejections(team)
    assert rejection.reason == "missing required field(s): source, payload"
    assert rejection.field == "source"
    with team.blobs.open(rejection.raw_sha256) as stored:
        assert json.loads(stored.read())["id"] == "E-3"
    assert '"id": "E-3"' in rejection.excerpt


def test_unknown_project_goes_to_triage_with_the_reported_id(team):
    report = ingest_events(team, [event("E-5", project_id="P-NOPE")])
    assert report.triaged == ["E-5"]
    [stored] = list_events(team)
    assert stored.state is FeedbackState.TRIAGE
    assert stored.project_id is None and stored.reported_project_id == "P-NOPE"
    assert stored.triage_reason == "unknown project 'P-NOPE'"


def test_bad_values_unknown_fields_and_non_objects_are_rejected(team):
    report = ingest_events(team, [event("E-6", source="twitter"), event("E-7", colour="red"), [1, 2]])
    reasons = [r.reason for r in report.rejected]
    assert reasons[0].startswith("invalid source: Input should be 'application'")
    assert reasons[1].startswith("unknown field(s): colour; expected only")
    assert reasons[2] == "expected a JSON object, got list"
    assert len(list_rejections(team)) == 3 and list_events(team) == []


def test_duplicate_ids_same_content_counted_other_content_rejected(team):
    ingest_events(team, [event("E-8")])
    report = ingest_events(team, [event("E-8"), event("E-8", text="something else")])
    assert report.duplicates == ["E-8"]
    assert report.rejected[0].reason == "event id E-8 already exists with other content"
    assert len(list_events(team)) == 1


def test_jsonl_invalid_utf8_and_bad_json_lines_are_rejected_rest_ingested(team, tmp_path):
    path = _write(tmp_path / "fb.jsonl", [
        json.dumps(event("J-1")).encode(),
        b'{"id": "J-2", "note": "caf\xe9"}',
        b"",
        b"{not json",
        json.dumps(event("J-3")).encode(),
    ])
    report = ingest_jsonl(team, path)
    assert report.received == ["J-1", "J-3"]
    assert report.blank_lines == 1
    by_line = {r.line: r for r in list_rejections(team)}
    assert sorted(by_line) == [2, 4]
    assert by_line[2].reason == "invalid UTF-8: invalid continuation byte at byte 27 of the line"
    assert "caf\ufffd" in by_line[2].excerpt
    assert by_line[4].reason.startswith("invalid JSON: ")
    assert by_line[2].origin == str(path)
    assert report.total == 4


def test_a_50_mb_payload_line_is_rejected_and_kept_without_parsing(team, tmp_path):
    big = event("J-BIG", text="x" * (50 * 1024 * 1024))
    path = tmp_path / "big.jsonl"
    with path.open("wb") as out:
        out.write(json.dumps(event("J-A")).encode() + b"\n")
        out.write(json.dumps(big).encode() + b"\n")
        out.write(json.dumps(event("J-B")).encode() + b"\n")
    report = ingest_jsonl(team, path)
    assert report.received == ["J-A", "J-B"]
    [rejection] = report.rejected
    assert rejection.line == 2 and rejection.field == "payload"
    assert rejection.raw_size == len(json.dumps(big)) + 1
    assert rejection.reason == (f"line is {rejection.raw_size} bytes; the limit is {MAX_LINE_BYTES} "
                                f"(an event's payload may be at most {MAX_PAYLOAD_BYTES} bytes)")
    assert team.blobs.exists(rejection.raw_sha256)


def test_payload_over_limit_inside_a_line_is_rejected_by_schema(team):
    report = ingest_events(team, [event("E-9", text="y" * (MAX_PAYLOAD_BYTES + 10))])
    assert report.rejected[0].field == "payload"
    assert f"the limit is {MAX_PAYLOAD_BYTES}" in report.rejected[0].reason


def test_reingesting_a_file_is_idempotent(team, tmp_path):
    path = _write(tmp_path / "again.jsonl", [json.dumps(event("R-1")).encode(), b"oops"])
    ingest_jsonl(team, path)
    second = ingest_jsonl(team, path)
    assert second.duplicates == ["R-1"] and len(second.rejected) == 1
    assert len(list_rejections(team)) == 1 and len(list_events(team)) == 1
