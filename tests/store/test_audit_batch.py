"""Batch append (`append_audit_many`, the bulk-ingest path): the same chain, the same hashes and
the same refusals as appending the entries one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import dataflywheel.store.tables.audit  # noqa: F401 - registers audit_entries on Base.metadata
from dataflywheel.errors import BadInput
from dataflywheel.store.audit import (
    PendingEntry,
    append_audit,
    append_audit_many,
    digest,
    entry_hash_of,
    verify_chain,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.audit import AuditEntryRow

T0 = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC)
AUDIT = AuditEntryRow.__table__


def _entry(i: int, *, actor: str = "ana") -> PendingEntry:
    after = {"id": f"E-{i}", "payload": {"text": "数学题"}}
    return PendingEntry(actor=actor, action="feedback_event.add", record_kind="feedback_event",
                        record_id=f"E-{i}", before_digest=None, after_digest=digest(after),
                        reason="ingested from f.jsonl")


def _rows(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return [dict(r) for r in session.execute(select(AUDIT).order_by(AUDIT.c.seq)).mappings()]


def test_a_batch_reads_as_the_same_entries_appended_one_by_one(database: Database,
                                                               tmp_path: Any) -> None:
    with database.unit_of_work() as s:
        append_audit(s, actor="ana", action="project.add", record_kind="project", record_id="P-1",
                     before=None, after={"id": "P-1"}, at=T0)
    with database.unit_of_work() as s:
        assert append_audit_many(s, [_entry(i) for i in range(1, 4)], at=T0) == 4
    with database.unit_of_work() as s:
        assert append_audit_many(s, [], at=T0) == 4
    batched = _rows(database)

    other = Database(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    AuditEntryRow.__table__.create(other.engine)
    with other.unit_of_work() as s:
        append_audit(s, actor="ana", action="project.add", record_kind="project", record_id="P-1",
                     before=None, after={"id": "P-1"}, at=T0)
    for i in range(1, 4):
        with other.unit_of_work() as s:
            append_audit(s, actor="ana", action="feedback_event.add", record_kind="feedback_event",
                         record_id=f"E-{i}", before=None,
                         after={"id": f"E-{i}", "payload": {"text": "数学题"}},
                         reason="ingested from f.jsonl", at=T0)
    assert [r["entry_hash"] for r in batched] == [r["entry_hash"] for r in _rows(other)]
    other.dispose()
    with database.session() as s:
        assert verify_chain(s) == []


def test_a_bad_entry_refuses_the_whole_batch(database: Database) -> None:
    with pytest.raises(BadInput, match="audit entry field is empty"), \
            database.unit_of_work() as s:
        append_audit_many(s, [_entry(1), _entry(2, actor=" ")])
    assert _rows(database) == []


HOSTILE = ['say "hi"', "back\\slash", "tab\tnew\nline\r", "\x01\x1f\x7f\x08\x0c", "数学题 — «é» 🚀",
           "\u2028\u2029", "</script>", " ", "null"]


def test_hostile_text_gets_the_hash_of_the_definition(database: Database) -> None:
    """The batch append hashes the body as text (`_body_hash`); every stored hash is the one
    `entry_hash_of` gives over the stored fields."""
    entries = [PendingEntry(actor=f"x{v}", action=f"x{v}", record_kind=f"x{v}",
                            record_id=f"x{v}", before_digest=None, after_digest=None, reason=v)
               for v in HOSTILE]
    with database.unit_of_work() as s:
        append_audit_many(s, entries, at=T0)
    rows = _rows(database)
    assert [r["reason"] for r in rows] == HOSTILE
    assert [r["entry_hash"] for r in rows] == [entry_hash_of(r) for r in rows]
    with database.session() as s:
        assert verify_chain(s) == []


def test_a_reason_no_utf8_holds_is_refused_as_the_definition_refuses(database: Database) -> None:
    bad = PendingEntry(actor="ana", action="a", record_kind="k", record_id="r",
                       before_digest=None, after_digest=None, reason="lone \ud800")
    with pytest.raises(BadInput, match="cannot put a value into the audit digest"), \
            database.unit_of_work() as s:
        append_audit_many(s, [bad], at=T0)
    assert _rows(database) == []
