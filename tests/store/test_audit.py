"""The audit chain: appends in the caller's transaction, tamper detection, signed heads, keys."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, datetime, timedelta
from enum import Enum
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

import dataflywheel.store.tables.audit  # noqa: F401 - registers audit_entries on Base.metadata
from dataflywheel.errors import AlreadyExists, BadInput, Conflict, PolicyViolation
from dataflywheel.store.audit import (
    ChainProblem,
    append_audit,
    canonical_json,
    digest,
    entry_hash_of,
    export_head,
    load_or_create_key,
    load_public_key,
    parse_head,
    public_key_hex,
    verify_chain,
    verify_head,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.audit import GENESIS_HASH, AuditEntryRow

T0 = datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC)
AUDIT = AuditEntryRow.__table__


def _append(db: Database, n: int, *, start: int = 1) -> None:
    for i in range(start, start + n):
        with db.unit_of_work() as session:
            append_audit(
                session, actor=f"person-{i % 3}", action="requirement.create",
                record_kind="requirement", record_id=f"REQ-{i:03d}",
                before=None if i % 2 else {"id": f"REQ-{i:03d}", "priority": "P1"},
                after={"id": f"REQ-{i:03d}", "priority": "P0", "title": "数学题 — 解析"},
                reason=f"change {i}", at=T0 + timedelta(minutes=i),
            )


def _rows(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        return [dict(r) for r in session.execute(select(AUDIT).order_by(AUDIT.c.seq)).mappings()]


def _problems(db: Database) -> list[ChainProblem]:
    with db.session() as session:
        return verify_chain(session)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "keys" / "audit.key"


# --- appending -----------------------------------------------------------------------------------


def test_entries_chain_from_the_genesis(database: Database) -> None:
    _append(database, 5)
    rows = _rows(database)
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0]["prev_hash"] == GENESIS_HASH
    for prev, row in pairwise(rows):
        assert row["prev_hash"] == prev["entry_hash"]
    for row in rows:
        assert row["entry_hash"] == entry_hash_of(row)
    assert rows[0]["at"] == T0 + timedelta(minutes=1)
    assert rows[0]["before_digest"] is None
    assert rows[1]["before_digest"] == digest({"priority": "P1", "id": "REQ-002"})
    assert rows[0]["after_digest"] == hashlib.sha256(
        '{"id":"REQ-001","priority":"P0","title":"数学题 — 解析"}'.encode()
    ).hexdigest()
    assert _problems(database) == []


def test_append_returns_the_stored_entry(database: Database) -> None:
    with database.unit_of_work() as session:
        entry = append_audit(session, actor="ana", action="raci.import", record_kind="raci",
                             record_id="default", before=None, after={"items": 10})
    assert entry.seq == 1
    assert entry.prev_hash == GENESIS_HASH
    assert entry.at.tzinfo is not None
    assert abs(entry.at - datetime.now(UTC)) < timedelta(minutes=1)
    assert _rows(database)[0]["entry_hash"] == entry.entry_hash


def test_a_rolled_back_change_leaves_no_entry(database: Database) -> None:
    _append(database, 1)
    with pytest.raises(RuntimeError, match="flow failed"), database.unit_of_work() as session:
        append_audit(session, actor="ana", action="x", record_kind="k", record_id="1",
                     before=None, after={"a": 1})
        raise RuntimeError("flow failed after the audit entry")
    assert [r["seq"] for r in _rows(database)] == [1]
    _append(database, 1, start=2)
    assert [r["seq"] for r in _rows(database)] == [1, 2]
    assert _problems(database) == []


def test_canonical_json_is_order_free_utf8_and_compact() -> None:
    class Tier(Enum):
        P0 = "P0"

    assert canonical_json({"b": 1, "a": [T0, Tier.P0, "é"]}) == (
        '{"a":["2026-11-25T09:00:00.123456+00:00","P0","é"],"b":1}'.encode()
    )
    assert digest({"x": 1, "y": 2}) == digest({"y": 2, "x": 1})
    assert digest(None) is None


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"score": float("nan")}, ("cannot put a value into the audit digest; expected finite "
         "numbers; got 'NaN or infinity (Out of range float values are not JSON compliant)'")),
        ({"blob": object()}, ("cannot put a value into the audit digest; expected JSON-like "
         "values; got 'a value of type object'")),
    ],
)
def test_undigestable_record_is_refused_and_nothing_written(
    database: Database, record: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInput) as err, database.unit_of_work() as session:
        append_audit(session, actor="ana", action="x", record_kind="k", record_id="1",
                     before=None, after=record)
    assert str(err.value) == message
    assert _rows(database) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"actor": ""}, "audit entry field is empty; field 'actor'; expected a non-empty string; got ''"),
        ({"record_id": "x" * 201}, ("audit entry field is too long; field 'record_id'; "
         "expected at most 200 characters; got '" + "x" * 78 + "…")),
        ({"at": datetime(2026, 1, 1)}, ("audit time has no time zone; field 'at'; "
         "expected a timezone-aware datetime; got '2026-01-01T00:00:00'")),
    ],
)
def test_bad_entry_fields_are_refused_and_nothing_written(
    database: Database, kwargs: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"actor": "ana", "action": "x", "record_kind": "k", "record_id": "1",
                            "before": None, "after": {"a": 1}} | kwargs
    _append(database, 1)
    with pytest.raises(BadInput) as err, database.unit_of_work() as session:
        append_audit(session, **args)
    assert str(err.value) == message
    assert [r["seq"] for r in _rows(database)] == [1]


# --- tamper detection ----------------------------------------------------------------------------


def _tamper(db: Database, *statements: Any) -> None:
    with db.unit_of_work() as session:
        for statement in statements:
            session.execute(statement)


def test_an_edited_entry_is_named(database: Database) -> None:
    _append(database, 5)
    stored = _rows(database)[2]
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 3).values(reason="nothing to see"))
    problems = _problems(database)
    assert [(p.seq, p.kind) for p in problems] == [(3, "hash")]
    recomputed = entry_hash_of(stored | {"reason": "nothing to see"})
    assert str(problems[0]) == (
        "audit entry 3: content does not match its hash (edited or forged); "
        f"expected entry_hash {stored['entry_hash']}, got entry_hash {recomputed}"
    )


def test_a_deleted_entry_is_named(database: Database) -> None:
    _append(database, 5)
    _tamper(database, delete(AUDIT).where(AUDIT.c.seq == 3))
    problems = _problems(database)
    assert [(p.seq, p.kind) for p in problems] == [(4, "gap")]
    assert str(problems[0]) == (
        "audit entry 4: entry 3 missing before it (deleted or renumbered); expected seq 3, got seq 4"
    )


def test_a_deleted_and_renumbered_entry_is_named(database: Database) -> None:
    _append(database, 5)
    rows = _rows(database)
    _tamper(database, delete(AUDIT).where(AUDIT.c.seq == 3),
            update(AUDIT).where(AUDIT.c.seq == 4).values(seq=3),
            update(AUDIT).where(AUDIT.c.seq == 5).values(seq=4))
    problems = _problems(database)
    assert problems[0] == ChainProblem(
        3, "link", "does not follow entry 2 (deleted, reordered or inserted)",
        expected=f"prev_hash {rows[1]['entry_hash']}", actual=f"prev_hash {rows[2]['entry_hash']}",
    )


def test_reordered_entries_are_named(database: Database) -> None:
    _append(database, 5)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 2).values(seq=100),
            update(AUDIT).where(AUDIT.c.seq == 4).values(seq=2),
            update(AUDIT).where(AUDIT.c.seq == 100).values(seq=4))
    problems = _problems(database)
    assert problems[0].seq == 2
    assert problems[0].kind == "link"


def test_a_forged_entry_with_a_well_formed_hash_is_named(database: Database) -> None:
    _append(database, 5)
    row = _rows(database)[2]
    forged = row | {"actor": "mallory", "action": "grant.approve", "reason": "approved by the DO"}
    forged["entry_hash"] = entry_hash_of(forged)
    _tamper(database, update(AUDIT).where(AUDIT.c.seq == 3).values(
        actor="mallory", action="grant.approve", reason="approved by the DO",
        entry_hash=forged["entry_hash"]))
    problems = _problems(database)
    assert [(p.seq, p.kind) for p in problems] == [(4, "link")]


def test_a_forged_entry_with_a_made_up_hash_is_named(database: Database) -> None:
    _append(database, 3)
    last = _rows(database)[-1]
    _tamper(database, insert(AUDIT).values(
        seq=4, at=T0, actor="mallory", action="version.release", record_kind="version",
        record_id="v9", before_digest=None, after_digest=None, reason=None,
        prev_hash=last["entry_hash"], entry_hash="f" * 64))
    assert [(p.seq, p.kind) for p in _problems(database)] == [(4, "hash")]


def test_the_chain_cannot_fork_at_the_storage_level(database: Database) -> None:
    _append(database, 2)
    first = _rows(database)[0]
    fork = {"seq": 3, "at": T0, "actor": "b", "action": "x", "record_kind": "k", "record_id": "1",
            "before_digest": None, "after_digest": None, "reason": None,
            "prev_hash": first["entry_hash"]}
    with pytest.raises(AlreadyExists) as info:
        _tamper(database, insert(AUDIT).values(**fork, entry_hash=entry_hash_of(fork)))
    assert isinstance(info.value.__cause__, DBIntegrityError)
    assert [r["seq"] for r in _rows(database)] == [1, 2]


def test_a_stale_transaction_gets_a_conflict_not_a_fork(database: Database) -> None:
    _append(database, 1)
    engine = database.engine
    if engine.dialect.name == "postgresql":
        stale_engine = engine.execution_options(isolation_level="REPEATABLE READ")
    else:
        stale_engine = engine.execution_options(sqlite_begin="DEFERRED")
    with Session(stale_engine) as stale:
        assert stale.execute(select(func.count()).select_from(AUDIT)).scalar() == 1
        _append(database, 1, start=2)  # another writer commits after the stale snapshot
        with pytest.raises(Conflict) as err:
            append_audit(stale, actor="ana", action="x", record_kind="k", record_id="9",
                         before=None, after={"a": 1})
        stale.rollback()
    assert str(err.value).endswith("Kept: nothing from this transaction. Next: retry the command")
    assert [r["seq"] for r in _rows(database)] == [1, 2]
    assert _problems(database) == []


# --- signed heads --------------------------------------------------------------------------------


def _head(db: Database, key_path: Path) -> dict[str, Any]:
    with db.session() as session:
        return export_head(session, key_path)


def _check_head(db: Database, head: dict[str, Any], key_path: Path) -> list[ChainProblem]:
    public = load_or_create_key(key_path).public_key()
    with db.session() as session:
        return verify_head(session, head, public)


def test_a_signed_head_verifies_and_survives_appends(database: Database, key_path: Path) -> None:
    _append(database, 3)
    head = _head(database, key_path)
    rows = _rows(database)
    assert head["seq"] == 3
    assert head["entry_hash"] == rows[-1]["entry_hash"]
    assert head["at"] == "2026-11-25T09:03:00.123456+00:00"
    assert head["public_key"] == public_key_hex(load_or_create_key(key_path).public_key())
    assert _check_head(database, head, key_path) == []
    _append(database, 2, start=4)
    assert _check_head(database, head, key_path) == []


def test_truncation_is_detected_by_the_signed_head(database: Database, key_path: Path) -> None:
    _append(database, 5)
    head = _head(database, key_path)
    _tamper(database, delete(AUDIT).where(AUDIT.c.seq >= 4))
    assert _problems(database) == []  # the chain alone cannot see a cut tail
    problems = _check_head(database, head, key_path)
    assert [(p.seq, p.kind) for p in problems] == [(5, "truncated")]
    assert str(problems[0]) == (
        "audit entry 5: named by the signed head but absent; the log ends at entry 3; "
        f"expected entry_hash {head['entry_hash']}, got no entry"
    )


def test_a_full_rewrite_is_detected_by_the_signed_head(database: Database, key_path: Path) -> None:
    _append(database, 4)
    head = _head(database, key_path)
    rows = _rows(database)
    prev = rows[1]["entry_hash"]
    statements = []
    for row in rows[2:]:  # rewrite entries 3 and 4 with a consistent, recomputed chain
        new = row | {"reason": "rewritten", "prev_hash": prev}
        new["entry_hash"] = prev = entry_hash_of(new)
        statements.append((row["seq"], new))
    for seq, new in reversed(statements):  # keep prev_hash unique while rewriting
        _tamper(database, update(AUDIT).where(AUDIT.c.seq == seq).values(
            reason=new["reason"], prev_hash=new["prev_hash"], entry_hash=new["entry_hash"]))
    assert _problems(database) == []
    problems = _check_head(database, head, key_path)
    assert [(p.seq, p.kind) for p in problems] == [(4, "rewritten")]
    assert problems[0].expected == f"entry_hash {head['entry_hash']}"


def test_an_altered_head_fails_its_signature(database: Database, key_path: Path) -> None:
    _append(database, 3)
    head = _head(database, key_path) | {"seq": 2}
    problems = _check_head(database, head, key_path)
    assert [(p.seq, p.kind) for p in problems] == [(2, "signature")]
    assert "the head's signature does not verify with this public key" in str(problems[0])


def test_a_head_checked_with_another_key_fails(database: Database, tmp_path: Path) -> None:
    _append(database, 1)
    head = _head(database, tmp_path / "a.key")
    problems = _check_head(database, head, tmp_path / "b.key")
    assert [p.kind for p in problems] == ["signature"]


def test_head_of_an_empty_log(database: Database, key_path: Path) -> None:
    head = _head(database, key_path)
    assert (head["seq"], head["entry_hash"], head["at"]) == (0, GENESIS_HASH, None)
    assert _check_head(database, head, key_path) == []


def test_a_malformed_head_is_refused_with_the_field() -> None:
    with pytest.raises(BadInput) as err:
        parse_head({"format": "flywheel-audit-head/1", "seq": -1}, source="head.json")
    assert str(err.value) == (
        "head.json: not a signed audit head; field 'seq'; "
        "expected Input should be greater than or equal to 0. Next: export one with `flywheel audit head`"
    )


# --- the key -------------------------------------------------------------------------------------


def test_key_is_created_private_and_reused(key_path: Path) -> None:
    first = load_or_create_key(key_path)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700
    again = load_or_create_key(key_path)
    assert public_key_hex(first.public_key()) == public_key_hex(again.public_key())
    assert [p.name for p in key_path.parent.iterdir()] == ["audit.key"]


def test_a_key_readable_by_others_is_refused(key_path: Path) -> None:
    load_or_create_key(key_path)
    os.chmod(key_path, 0o644)
    with pytest.raises(PolicyViolation) as err:
        load_or_create_key(key_path)
    assert str(err.value) == (
        f"{key_path}: the audit key is readable by others; expected mode 0600; got '0o644'. "
        f"Next: chmod 600 {key_path}"
    )


def test_a_file_that_is_not_a_key_is_refused_and_kept(key_path: Path) -> None:
    key_path.parent.mkdir(parents=True)
    key_path.write_text("not a key")
    os.chmod(key_path, 0o600)
    with pytest.raises(BadInput) as err:
        load_or_create_key(key_path)
    assert str(err.value).startswith(f"{key_path}: not an Ed25519 private key; expected an unencrypted")
    assert key_path.read_text() == "not a key"


def test_public_keys_load_from_hex_raw_and_pem(key_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    public = load_or_create_key(key_path).public_key()
    hex_form = public_key_hex(public)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for form in (hex_form, bytes.fromhex(hex_form), pem, pem.decode()):
        assert public_key_hex(load_public_key(form)) == hex_form
    with pytest.raises(BadInput) as err:
        load_public_key("abcd")
    assert str(err.value) == (
        "not an Ed25519 public key; expected 64 hex digits, 32 raw bytes or a PEM PUBLIC KEY block"
    )
