"""OpenLineage run events for deliver, check and freeze: one JSON line per event in the workspace's
events file, START then COMPLETE per run, in the shape of the OpenLineage 2-0-2 RunEvent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lineage_schema import valid_event

from dataflywheel.domain.records.data import Batch, BatchFile, DatasetVersion, FileFormat
from dataflywheel.domain.states import BatchState, VersionState
from dataflywheel.errors import WorkspaceError
from dataflywheel.integrations import openlineage as ol
from dataflywheel.settings import Settings

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

def _settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


def _batch(state: BatchState = BatchState.PASSED) -> Batch:
    return Batch(id="B-1", dataset_id="raw", contract_version_id="c@1.0.0", requirement_id="REQ-1",
                 delivered_by_vendor_id="v-1", state=state, row_count=10,
                 nonconforming_count=0 if state is BatchState.PASSED else 4,
                 report_sha256="ab" * 32 if state is BatchState.PASSED else None,
                 failure_reason=None if state is BatchState.PASSED else "duplicates 40 %",
                 received_at=T0, checked_at=T0)


def test_each_emit_appends_a_start_and_a_complete_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    f = BatchFile(batch_id="B-1", position=0, name="a.jsonl", sha256="cd" * 32, size_bytes=9,
                  format=FileFormat.JSONL)
    ol.emit_delivery(settings, batch=_batch(), files=[f])
    ol.emit_check(settings, batch=_batch(BatchState.FAILED), metrics={"blanks_ok": False})
    version = DatasetVersion(id="raw-v1", dataset_id="raw", number=1, state=VersionState.FROZEN,
                             manifest_sha256="ef" * 32, frozen_at=T0, created_by_id="p")
    ol.emit_freeze(settings, version=version, batch_ids=["B-1"])
    lines = (tmp_path / ".flywheel" / "lineage" / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert events == ol.read_events(settings) and len(events) == 6
    for event in events:
        valid_event(event)
    assert [(e["job"]["name"], e["eventType"]) for e in events] == [
        ("deliver", "START"), ("deliver", "COMPLETE"), ("check", "START"), ("check", "COMPLETE"),
        ("freeze", "START"), ("freeze", "COMPLETE")]
    assert events[0]["run"]["runId"] == events[1]["run"]["runId"] != events[2]["run"]["runId"]
    deliver = events[1]
    assert [i["name"] for i in deliver["inputs"]] == ["file/" + "cd" * 32]
    assert [o["name"] for o in deliver["outputs"]] == ["batch/B-1"]
    check = events[3]["inputs"][0]["inputFacets"]
    assertions = check["dataQualityAssertions"]["assertions"]
    assert [(a["assertion"], a["success"]) for a in assertions] == [
        ("contract_check_plan", False), ("blanks_ok", False)]
    assert check["dataQualityMetrics"]["rowCount"] == 10
    freeze = events[5]
    assert freeze["outputs"][0]["name"] == "dataset/raw@1"
    assert freeze["outputs"][0]["facets"]["version"]["datasetVersion"] == "ef" * 32
    assert freeze["eventTime"] == T0.isoformat()


def test_another_transport_receives_the_events_and_no_file_is_written(tmp_path: Path) -> None:
    sent: list[Any] = []

    class Memory:
        def emit(self, event: Any) -> None:
            sent.append(event)

    ol.emit_delivery(_settings(tmp_path), batch=_batch(), files=[], transport=Memory())
    assert [e.eventType.value for e in sent] == ["START", "COMPLETE"]
    assert not (tmp_path / ".flywheel" / "lineage").exists()


def test_an_unwritable_events_file_is_a_clear_error(tmp_path: Path) -> None:
    lineage = tmp_path / ".flywheel" / "lineage"
    lineage.mkdir(parents=True)
    (lineage / "events.jsonl").mkdir()  # a directory where the file should be
    with pytest.raises(WorkspaceError) as err:
        ol.emit_delivery(_settings(tmp_path), batch=_batch(), files=[])
    assert "cannot append OpenLineage events: Is a directory" in str(err.value)
    assert "Kept: the records were committed; the lineage events were not written" in str(err.value)


def test_a_corrupt_events_file_is_named_with_its_line(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ol.emit_delivery(settings, batch=_batch(), files=[])
    with ol.events_path(settings).open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(WorkspaceError, match=r"events.jsonl:3: unreadable OpenLineage event"):
        ol.read_events(settings)
