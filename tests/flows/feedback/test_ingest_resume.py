"""Bulk ingest: a file killed or failing part-way is resumable from the line it stopped at, every
event ends stored exactly once, and the audit log (appended in batches) still verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from fb_helpers import event
from sqlalchemy import func, select

from dataflywheel.errors import StoreFailure
from dataflywheel.flows.feedback import ingest as ingest_module
from dataflywheel.flows.feedback.ingest import ingest_jsonl, list_events, list_rejections
from dataflywheel.store.audit import verify_chain
from dataflywheel.store.repositories.feedback import IngestCheckpoints
from dataflywheel.store.tables.audit import AuditEntryRow
from dataflywheel.store.tables.feedback import IngestCheckpointRow

SRC = Path(ingest_module.__file__).resolve().parents[3]

# The child ingests in batches of 20 lines and sleeps after each commit, so the parent can kill it
# between two batches (a SIGKILL: no handler, no cleanup, like a crash).
CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from dataflywheel.settings import Settings
    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.flows.feedback import ingest

    home, db, key, path = sys.argv[1:5]
    ingest.CHUNK_LINES = 20
    batch = ingest._ingest_batch
    def slow_batch(*args, **kwargs):
        batch(*args, **kwargs)
        time.sleep(0.2)
    ingest._ingest_batch = slow_batch
    ws = open_workspace(Settings(home=Path(home), db=db or None, login="tester",
                                 audit_key=Path(key)))
    ingest.ingest_jsonl(ws, path)
""")


def _write(path: Path, n: int, *, bad_every: int = 0) -> Path:
    lines = []
    for i in range(1, n + 1):
        item = event(f"E-{i:04d}", days=i % 30)
        if bad_every and i % bad_every == 0:
            item["source"] = "twitter"
        lines.append(json.dumps(item))
    path.write_text("\n".join(lines) + "\n")
    return path


def _checkpoint_line(ws) -> int | None:  # type: ignore[no-untyped-def]
    with ws.db.session() as s:
        return s.scalar(select(func.max(IngestCheckpointRow.line)))


def _adds_per_event(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with ws.db.session() as s:
        rows = s.execute(select(AuditEntryRow.record_id, func.count())
                         .where(AuditEntryRow.action == "feedback_event.add")
                         .group_by(AuditEntryRow.record_id)).all()
    return {record_id: int(n) for record_id, n in rows}


def test_killed_ingest_resumes_from_the_line_it_stopped_at(team, settings, tmp_path):
    path = _write(tmp_path / "events.jsonl", 200, bad_every=15)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(settings.home), settings.db or "",
         str(settings.audit_key), str(path)], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not _checkpoint_line(team):
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the child committed no batch in 60 s"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
        if child.stderr:
            child.stderr.close()
    reached = _checkpoint_line(team)
    assert reached is not None and 0 < reached < 200
    stored_before = {e.id for e in list_events(team)}
    assert len(stored_before) + len(list_rejections(team)) == reached  # whole batches only

    report = ingest_jsonl(team, path)

    assert report.resumed_after == reached
    assert report.to_dict()["resumed_after_line"] == reached
    assert report.total == 200 - reached and not report.duplicates
    assert not set(report.received) & stored_before
    events, rejections = list_events(team), list_rejections(team)
    assert len(events) == 200 - 200 // 15 and len(rejections) == 200 // 15
    assert sorted(r.line for r in rejections) == list(range(15, 201, 15))
    assert set(_adds_per_event(team).values()) == {1}
    assert len(_adds_per_event(team)) == len(events)
    with team.db.session() as s:
        assert verify_chain(s) == []
    assert _checkpoint_line(team) is None  # done: the checkpoint is gone


def test_an_error_part_way_names_what_is_stored_and_the_rerun_start(team, tmp_path,
                                                                     monkeypatch):
    path = _write(tmp_path / "events.jsonl", 100)
    monkeypatch.setattr(ingest_module, "CHUNK_LINES", 30)
    batch, calls = ingest_module._ingest_batch, []

    def failing_third(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 3:
            raise StoreFailure("the database went away")
        batch(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "_ingest_batch", failing_third)
    with pytest.raises(StoreFailure) as failure:
        ingest_jsonl(team, path)
    message = str(failure.value)
    assert f"Kept: lines 1-60 of {path} (committed)" in message
    assert "it continues from line 61" in message
    assert len(list_events(team)) == 60

    monkeypatch.setattr(ingest_module, "_ingest_batch", batch)
    report = ingest_jsonl(team, path)
    assert report.resumed_after == 60 and len(report.received) == 40
    assert len(list_events(team)) == 100


def test_a_finished_file_reruns_from_the_start_as_duplicates(team, tmp_path):
    path = _write(tmp_path / "events.jsonl", 5)
    assert len(ingest_jsonl(team, path).received) == 5
    again = ingest_jsonl(team, path)
    assert again.resumed_after is None and "resumed_after_line" not in again.to_dict()
    assert len(again.duplicates) == 5


def test_changed_bytes_do_not_resume_from_another_file_s_checkpoint(team, tmp_path):
    path = _write(tmp_path / "events.jsonl", 5)
    with team.db.unit_of_work() as s:  # a checkpoint left by an interrupted run of other bytes
        from datetime import UTC, datetime
        IngestCheckpoints(s).save("0" * 64, origin=str(path), line=3, at=datetime.now(UTC))
    report = ingest_jsonl(team, path)
    assert report.resumed_after is None and len(report.received) == 5


def test_a_batch_with_repeated_ids_keeps_the_first_and_judges_the_rest(team, tmp_path):
    lines = [event("E-1"), event("E-1"), event("E-1", text="other content")]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    report = ingest_jsonl(team, path)
    assert report.received == ["E-1"] and report.duplicates == ["E-1"]
    assert [r.reason for r in report.rejected] == ["event id E-1 already exists with other content"]
    with team.db.session() as s:
        assert verify_chain(s) == []
