"""The one expire/revoke lifecycle of a time-limited record (compliance exceptions, access grants).

A time-limited record ends once: it expires at `expires_at` (by a sweep or lazily, when a flow
asks) or is revoked earlier by a person. Either way the end goes through one `Lifecycle`:

- `expire` ends it at its `expires_at` (reason "expired at …", audited `<kind>.expire`),
  `revoke` at a given time with a person's reason (audited `<kind>.revoke`);
- the target state is checked by the record's state machine (`IllegalTransition` otherwise);
- the row moves only if it is still in the live state when the UPDATE runs, so two sweepers (or a
  sweep and a revocation) never both end it; `end` returns None, writing nothing, for the loser;
- the move that happened writes one audit entry (`action`, before → after, the reason) in the
  caller's transaction, and the people the record concerns are told (`tell`).

What follows an end is the caller's (an exception's end revokes the grants resting on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import Record
from dataflywheel.domain.states import move
from dataflywheel.flows._audit import audit
from dataflywheel.store.base import Base

R = TypeVar("R", bound=Record)

Tell = Callable[[Session, str, Any, datetime, str], None]
"""`tell(session, actor, record, now, what)`: notify the people `record` concerns that it was
`what` (expired, revoked, …)."""


@dataclass(frozen=True)
class Lifecycle(Generic[R]):
    """How one kind of time-limited record ends."""

    noun: str
    """The record's name in messages: "exception", "access grant"."""
    kind: str
    """The audit entries' record kind: "exception", "access_grant"."""
    row_type: type[Base]
    live: StrEnum
    """The state it ends from: approved (an exception), active (a grant)."""
    expired: StrEnum
    revoked: StrEnum
    tell: Tell

    def moved(self, record: R, target: StrEnum | None, **fields: object) -> R:
        """`record` with `fields` set, moved to `target` (None: staying where it is) if its state
        machine allows the move; the new record is validated whole."""
        state = move(f"{self.noun} {_id(record)}", _state(record), target) if target \
            else _state(record)
        return type(record).model_validate({**record.model_dump(), "state": state, **fields})

    def expire(self, session: Session, record: R, *, at: datetime, actor: str) -> R | None:
        """End live `record` as expired at its `expires_at` (due at `at`), audited as
        `<kind>.expire`; the ended record, or None when someone ended it first."""
        expires_at: datetime = getattr(record, "expires_at")
        return self._end(session, record, target=self.expired, ended_at=expires_at,
                         reason=f"expired at {expires_at.isoformat()}", actor=actor,
                         action=f"{self.kind}.expire", now=at)

    def revoke(self, session: Session, record: R, *, reason: str, at: datetime,
               actor: str) -> R | None:
        """End live `record` early at `at` as revoked, audited as `<kind>.revoke` with `reason`;
        the ended record, or None when someone ended it first."""
        return self._end(session, record, target=self.revoked, ended_at=at, reason=reason,
                         actor=actor, action=f"{self.kind}.revoke", now=at)

    def _end(self, session: Session, record: R, *, target: StrEnum, ended_at: datetime,
             reason: str, actor: str, action: str, now: datetime) -> R | None:
        """End live `record` in state `target` at `ended_at`, audited as `action` with `reason`,
        and tell whom it concerns as of `now`; None (nothing written) when someone was first."""
        after = self.moved(record, target, ended_at=ended_at, end_reason=reason)
        if not move_if_still(session, row_type=self.row_type, key=_id(record), before=record,
                             after=after, from_state=self.live.value, actor=actor, action=action,
                             kind=self.kind, reason=reason,
                             values={"state": target.value, "ended_at": ended_at,
                                     "end_reason": reason}):
            return None
        self.tell(session, actor, after, now, target.value)
        return after


def _id(record: Record) -> str:
    """The id of a time-limited record (every kind has `id` and `state`; `Record` declares neither)."""
    return str(getattr(record, "id"))


def _state(record: Record) -> StrEnum:
    state: StrEnum = getattr(record, "state")
    return state


def move_if_still(session: Session, *, row_type: type[Base], key: str, before: Record,
                  after: Record, from_state: str, values: dict[str, Any], actor: str, action: str,
                  kind: str, reason: str | None) -> bool:
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
