"""The one allocator of sequential ids (`REQ-0001`, `ISS-0042`, version numbers) and the one writer
lock it takes.

Why one lock: an id is "one more than what is stored", which is only true if no other writer can
store the same id between the read and the commit. PostgreSQL's default READ COMMITTED lets two
transactions read the same count, so every allocation takes the transaction-scoped advisory lock
the audit chain already takes (`WRITERS_LOCK_KEY`): a single lock for ids and the audit head means
no two writers can wait on each other in opposite orders. SQLite has one writer at a time already
(`BEGIN IMMEDIATE`); the no-op write below takes that lock in a transaction that began as a read.

Guarantees: with every create going through `next_sequential_id`, concurrent creates on either
backend all succeed, and the ids of a kind are contiguous from 1 (records are never deleted).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dataflywheel.errors import Conflict, WorkspaceError
from dataflywheel.store.base import Base
from dataflywheel.store.repositories.base import existing_keys
from dataflywheel.store.tables.audit import AuditEntryRow

# Constant key of the PostgreSQL advisory lock that serialises writers ("flyw" in ASCII).
WRITERS_LOCK_KEY = 0x666C7977
_AUDIT = cast(Table, AuditEntryRow.__table__)


def lock_writers(session: Session) -> None:
    """Take the writers' lock for the rest of the caller's transaction (re-entrant, never early
    released), so what it reads next is what it will write after."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(WRITERS_LOCK_KEY)))
    elif dialect == "sqlite":
        try:
            session.execute(update(_AUDIT).where(text("0")).values(seq=_AUDIT.c.seq))
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            raise Conflict("another writer changed the workspace since this transaction began "
                           "reading", kept="nothing from this transaction",
                           hint="retry the command") from None
    else:
        raise WorkspaceError("the store supports SQLite and PostgreSQL only", got=dialect)


def next_sequential_id(session: Session, row_type: type[Base], prefix: str) -> str:
    """The next free `PREFIX-NNNN` of `row_type`, reserved for the caller's transaction."""
    lock_writers(session)
    count = session.scalar(select(func.count()).select_from(row_type)) or 0
    candidate = count + 1
    while session.get(row_type, f"{prefix}-{candidate:04d}") is not None:
        candidate += 1  # only after an id was taken by hand (imports, fixtures)
    return f"{prefix}-{candidate:04d}"


def next_number(session: Session, column: Any, *where: ColumnElement[bool]) -> int:
    """One more than the highest `column` among the rows matching `where` (1 for the first)."""
    lock_writers(session)
    top = session.scalar(select(func.max(column)).where(*where))
    return int(top or 0) + 1


def next_sequential_ids(session: Session, row_type: type[Base], prefix: str, n: int) -> list[str]:
    """The next `n` free ids of `row_type`, in order, reserved for the caller's transaction: what
    `n` calls of `next_sequential_id` would give with a record stored after each, in one count
    and one existence query per window instead of a count and a `get` per id (bulk imports)."""
    lock_writers(session)
    candidate = (session.scalar(select(func.count()).select_from(row_type)) or 0) + 1
    found: list[str] = []
    while len(found) < n:
        window = [f"{prefix}-{k:04d}" for k in range(candidate, candidate + n - len(found))]
        taken = existing_keys(session, row_type, window)
        found.extend(key for key in window if key not in taken)
        candidate += len(window)
    return found
