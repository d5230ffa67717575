"""The fast chain walk (`verify_chain`) and the incremental verify from a signed head
(`verify_after_head`): the same verdicts as the definition, on rows the fast path reads raw."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, text, update

import dataflywheel.store.tables.audit  # noqa: F401 - registers audit_entries on Base.metadata
from dataflywheel.errors import BadInput
from dataflywheel.store import audit, audit_scan
from dataflywheel.store.audit import (
    ChainProblem,
    ChainWalk,
    append_audit,
    entry_hash_of,
    export_head,
    load_or_create_key,
    verify_after_head,
    verify_chain,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.audit import GENESIS_HASH, AuditEntryRow

T0 = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC)
AUDIT = AuditEntryRow.__table__
HOSTILE = ['say "hi"', "back\\slash", "tab\tnew\nline\r", "\x01\x1f\x7f\x08\x0c", "数学题 — «é» 🚀",
           "\u2028\u2029", "</script>", " ", "null"]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 4 rows, so every walk crosses batch boundaries."""
    monkeypatch.setattr(audit_scan, "BATCH", 4)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "audit.key"


def _append(db: Database, n: int, *, start: int = 1) -> None:
    with db.unit_of_work() as session:
        for i in range(start, start + n):
            append_audit(session, actor=f"person-{i % 3}", action="feedback.ingest",
                         record_kind="feedback", record_id=f"FB-{i:04d}",
                         before=None if i % 2 else {"id": i}, after={"id": i, "n": "數"},
                         reason=None if i % 3 else f"lot {i}", at=T0 + timedelta(seconds=i))


def _rows(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return [dict(r) for r in session.execute(select(AUDIT).order_by(AUDIT.c.seq)).mappings()]


def _tamper(db: Database, *statements: Any) -> None:
    with db.unit_of_work() as session:
        for statement in statements:
            session.execute(statement)


def _problems(db: Database) -> list[ChainProblem]:
    with db.session() as session:
        return verify_chain(session)


def _incremental(db: Database, head: dict[str, Any], key_path: Path) -> ChainWalk:
    public = load_or_create_key(key_path).public_key()
    with db.session() as session:
        return verify_after_head(session, head, public)


def _signed(db: Database, key_path: Path, entries: int, *, then: int = 0) -> dict[str, Any]:
    """Append `entries`, sign the head there, append `then` more; returns the head."""
    _append(db, entries)
    with db.session() as session:
        head = export_head(session, key_path)
    _append(db, then, start=entries + 1)
    return head


@pytest.fixture
def exact_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the entries the walk had to check the exact (slow) way."""
    calls: list[int] = []
    check = audit._check_entry

    def counted(row: Any, prev_seq: int, prev_hash: str) -> ChainProblem | None:
        calls.append(row["seq"])
        return check(row, prev_seq, prev_hash)

    monkeypatch.setattr(audit, "_check_entry", counted)
    yield calls


# --- the fast walk -------------------------------------------------------------------------------


def test_hostile_text_is_hashed_by_the_fast_path_as_the_definition_does(
    database: Database, exact_only: list[int]
) -> None:
    with database.unit_of_work() as session:
        for i, value in enumerate(HOSTILE):
            named = f"x{value}"  # names must not be blank; the reason may be
            append_audit(session, actor=named, action=named, record_kind=named, record_id=named,
                         before=None, after={"v": value}, reason=value,
                         at=T0 + timedelta(microseconds=i * 999_999))
    assert _problems(database) == []
    assert exact_only == []  # every entry matched without the exact fallback


def test_a_value_no_json_holds_is_refused_as_the_definition_refuses(
    database: Database, exact_only: list[int]
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps bytes in a text column")
    _append(database, 3)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 2).values(actor=b"\x00"))
    with pytest.raises(BadInput, match="cannot put a value into the audit digest"):
        _problems(database)
    assert exact_only == [2]


def test_a_time_stored_in_another_form_is_read_as_the_orm_reads_it(
    database: Database, exact_only: list[int]
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the stored text form is SQLite's")
    _append(database, 3)
    row = _rows(database)[1]
    at = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)  # no microseconds stored below
    rehashed = entry_hash_of(row | {"at": at})
    _tamper(database, text("UPDATE audit_entries SET at = '2026-11-25 10:00:00' WHERE seq = 2"))
    problems = _problems(database)
    assert [(p.seq, p.kind) for p in problems] == [(2, "hash")]
    assert problems[0].actual == f"entry_hash {rehashed}"
    assert exact_only == [2]


def test_problems_across_batches_match_the_definition(database: Database) -> None:
    _append(database, 13)
    rows = _rows(database)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 4).values(actor="mallory"),
            delete(AUDIT).where(AUDIT.c.seq == 9))
    problems = _problems(database)
    assert [(p.seq, p.kind) for p in problems] == [(4, "hash"), (10, "gap")]
    assert problems[0].expected == f"entry_hash {rows[3]['entry_hash']}"
    assert problems[0].actual == f"entry_hash {entry_hash_of(rows[3] | {'actor': 'mallory'})}"


# --- the incremental verify ----------------------------------------------------------------------


def test_incremental_passes_on_an_intact_chain_and_walks_only_from_the_head(
    database: Database, key_path: Path
) -> None:
    head = _signed(database, key_path, 10, then=5)
    walk = _incremental(database, head, key_path)
    assert walk == ChainWalk(first_seq=10, last_seq=15, checked=6, problems=[])


def test_incremental_with_nothing_after_the_head_rechecks_the_head_entry(
    database: Database, key_path: Path
) -> None:
    head = _signed(database, key_path, 6)
    assert _incremental(database, head, key_path) == ChainWalk(6, 6, 1, [])


def test_incremental_from_an_empty_log_head_walks_everything(
    database: Database, key_path: Path
) -> None:
    head = _signed(database, key_path, 0, then=5)
    assert head["seq"] == 0
    assert _incremental(database, head, key_path) == ChainWalk(1, 5, 5, [])


def test_incremental_detects_an_edit_after_the_head(database: Database, key_path: Path) -> None:
    head = _signed(database, key_path, 8, then=6)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 12).values(reason="nothing to see"))
    walk = _incremental(database, head, key_path)
    assert [(p.seq, p.kind) for p in walk.problems] == [(12, "hash")]
    assert walk.checked == 7


def test_incremental_detects_an_edit_of_the_head_entry(database: Database, key_path: Path) -> None:
    head = _signed(database, key_path, 8, then=2)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 8).values(actor="mallory"))
    walk = _incremental(database, head, key_path)
    assert [(p.seq, p.kind) for p in walk.problems] == [(8, "hash")]


def test_incremental_refuses_a_head_whose_history_was_rewritten_before_it(
    database: Database, key_path: Path
) -> None:
    head = _signed(database, key_path, 8, then=3)
    rows = _rows(database)
    prev = rows[2]["entry_hash"]
    rewritten = []
    for row in rows[3:]:  # edit entry 4, before the head, and re-chain everything after it
        new = row | {"prev_hash": prev} | ({"reason": "rewritten"} if row["seq"] == 4 else {})
        new["entry_hash"] = prev = entry_hash_of(new)
        rewritten.append(new)
    for new in reversed(rewritten):  # keep prev_hash unique while rewriting
        _tamper(database, update(AUDIT).where(AUDIT.c.seq == new["seq"]).values(
            reason=new["reason"], prev_hash=new["prev_hash"], entry_hash=new["entry_hash"]))
    assert _problems(database) == []  # consistent: only the signed head can tell
    walk = _incremental(database, head, key_path)
    assert [(p.seq, p.kind) for p in walk.problems] == [(8, "rewritten")]
    assert walk.checked == 0  # refused: nothing after an unmatched head is walked


def test_incremental_refuses_a_truncated_head(database: Database, key_path: Path) -> None:
    head = _signed(database, key_path, 6)
    _tamper(database, delete(AUDIT).where(AUDIT.c.seq >= 5))
    walk = _incremental(database, head, key_path)
    assert [(p.seq, p.kind) for p in walk.problems] == [(6, "truncated")]


def test_incremental_does_not_see_a_plain_edit_before_the_head(
    database: Database, key_path: Path
) -> None:
    """The documented limit: entries before the head are not re-checked; the full verify is."""
    head = _signed(database, key_path, 8)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 3).values(actor="mallory"))
    assert _incremental(database, head, key_path).problems == []
    assert [(p.seq, p.kind) for p in _problems(database)] == [(3, "hash")]


def test_the_walk_starts_at_the_genesis(database: Database) -> None:
    _append(database, 2)
    first = _rows(database)[0]
    assert first["prev_hash"] == GENESIS_HASH
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 2).values(prev_hash="e" * 64))
    assert [(p.seq, p.kind) for p in _problems(database)] == [(2, "link")]
