"""The audited write helpers every flow uses, so no change reaches the store without its entry."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import Record
from dataflywheel.store.repositories.base import Repository

R = TypeVar("R", bound=Record)


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    kind: str,
    record_id: str,
    before: Record | dict[str, Any] | None,
    after: Record | dict[str, Any] | None,
    reason: str | None = None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    from dataflywheel.store.audit import append_audit

    append_audit(
        session,
        actor=actor,
        action=action,
        record_kind=kind,
        record_id=record_id,
        before=before.digest_dict() if isinstance(before, Record) else before,
        after=after.digest_dict() if isinstance(after, Record) else after,
        reason=reason,
    )


def add_audited(repo: Repository[R, Any], record: R, *, actor: str, reason: str | None = None) -> R:
    """Insert `record` and its `<kind>.add` audit entry."""
    repo.add(record)
    key = repo.key_of(record)
    audit(repo.session, actor=actor, action=f"{_slug(repo.kind)}.add", kind=_slug(repo.kind),
          record_id=str(key), before=None, after=record, reason=reason)
    return record


def update_audited(
    repo: Repository[R, Any], before: R, after: R, *, actor: str, action: str,
    reason: str | None = None,
) -> R:
    """Write `after` over `before` and the audit entry naming both."""
    repo.update(after)
    audit(repo.session, actor=actor, action=action, kind=_slug(repo.kind),
          record_id=str(repo.key_of(after)), before=before, after=after, reason=reason)
    return after


def _slug(kind: str) -> str:
    return kind.replace(" ", "_").lower()
