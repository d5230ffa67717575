"""The audit log read a page at a time, newest first, filtered by who acted and on what — what
the web page `/audit` and `GET /api/v1/audit/entries` show.

Why its own read: `store.paging` pages in ascending key order, and a log is read from its end.
The page is a keyset on `seq` descending (`WHERE seq < :last ORDER BY seq DESC LIMIT n`): an
index seek on the primary key whatever the log's length, and an entry appended while someone
pages never shifts a page. Filters are WHERE clauses; the cursor is `store.paging`'s opaque form
of the last `seq`, checked when read back (a bad one is `BadInput`). Reads only: the chain's
integrity is `flows.integrity.verify_audit_log`.
"""

from __future__ import annotations

from sqlalchemy import select

from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import AuditEntry
from dataflywheel.store.paging import Page, check_limit, decode_cursor, encode_cursor
from dataflywheel.store.tables.audit import AuditEntryRow


def audit_entries(ws: Workspace, *, actor: str | None = None, kind: str | None = None,
                  record: str | None = None, limit: int | None = None,
                  cursor: str | None = None) -> Page[AuditEntry]:
    """One page of entries, newest first, after `cursor`: of one actor, record kind or record
    id when named. `remaining` is not counted (a count would scan the log)."""
    limit = check_limit(limit)
    stmt = select(AuditEntryRow)
    for column, value in ((AuditEntryRow.actor, actor), (AuditEntryRow.record_kind, kind),
                          (AuditEntryRow.record_id, record)):
        if value is not None:
            stmt = stmt.where(column == value)
    if cursor is not None:
        stmt = stmt.where(AuditEntryRow.seq < _last_seq(cursor))
    with ws.db.session() as s:
        rows = list(s.scalars(stmt.order_by(AuditEntryRow.seq.desc()).limit(limit + 1)))
        entries = [AuditEntry.model_validate(row) for row in rows[:limit]]
    following = encode_cursor([entries[-1].seq]) if len(rows) > limit else None
    return Page(entries, following, None)


def _last_seq(cursor: str) -> int:
    (seq,) = decode_cursor(cursor, 1)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise BadInput("not a cursor of this list", field="cursor", got=cursor,
                       expected="the cursor a previous page printed",
                       hint="start again without a cursor")
    return seq
