"""The audited write helpers every flow uses, so no change reaches the store without its entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import Record
from dataflywheel.store.repositories.base import Repository

if TYPE_CHECKING:
    from dataflywheel.store.audit import PendingEntry

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


def add_audited_many(session: Session,
                     adds: Sequence[tuple[Repository[Any, Any], Record, str | None]], *,
                     actor: str) -> None:
    """Insert many records, each with its `<kind>.add` entry and reason, in one multi-row INSERT
    per kind and one chained audit append (bulk ingest). The log reads exactly as if
    `add_audited` had been called for each `(repo, record, reason)` in order."""
    from dataflywheel.store.audit import append_audit_many

    by_repo: dict[int, tuple[Repository[Any, Any], list[Record]]] = {}
    for repo, record, _ in adds:
        by_repo.setdefault(id(repo), (repo, []))[1].append(record)
    for repo, records in by_repo.values():
        repo.add_many(records)
    append_audit_many(session, [added_entry(repo, record, actor=actor, reason=why)
                                for repo, record, why in adds])


def added_entry(repo: Repository[R, Any], record: R, *, actor: str,
                reason: str | None) -> PendingEntry:
    """The pending `<kind>.add` audit entry of `record` (for `append_audit_many`)."""
    from dataflywheel.store.audit import PendingEntry, digest

    kind = _slug(repo.kind)
    return PendingEntry(actor=actor, action=f"{kind}.add", record_kind=kind,
                        record_id=str(repo.key_of(record)), before_digest=None,
                        after_digest=digest(record.digest_dict()), reason=reason)


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
