"""The guarded state move every time-limited record (exceptions, access grants) expires through.

Guarantee: the row moves only if it is still in `from_state` when the UPDATE runs, so two
sweepers (or a sweep and a lazy expiry) never both expire it; the audit entry is written in the
caller's transaction only for the move that happened.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import Record
from dataflywheel.flows._audit import audit
from dataflywheel.store.base import Base


def move_if_still(session: Session, *, row_type: type[Base], key: str, before: Record,
                  after: Record, from_state: str, values: dict[str, Any], actor: str, action: str, kind: str,
                  reason: str | None) -> bool:
    """Write `values` to row `key` (whose record is `before`) if its state is still
    `from_state`, with one audit entry (`action`, before → after); False (nothing written) when
    someone moved it first."""
    table: Any = row_type
    result = session.execute(
        update(table).where(table.id == key, table.state == from_state)
        .values(**values))
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit(session, actor=actor, action=action, kind=kind, record_id=key,
          before=before, after=after, reason=reason)
    return True
