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
    """Insert many records, each with its `<kind>.add` entry and reason, in one bulk insert
    per kind and one chained audit append (bulk ingest). The log reads exactly as if
    `add_audited` had been called for each `(repo, record, reason)` in order.

    Each record is dumped to its JSON form once: the audit digest and the row's JSON columns
    are both taken from it (a second dump was a fifth of a feedback ingest's time)."""
    from dataflywheel.store.audit import append_audit_many

    forms = [record.digest_dict() for _, record, _ in adds]
    by_repo: dict[int, tuple[Repository[Any, Any], list[Record], list[dict[str, Any]]]] = {}
    for (repo, record, _), form in zip(adds, forms, strict=True):
        _, records, json_forms = by_repo.setdefault(id(repo), (repo, [], []))
        records.append(record)
        json_forms.append(form)
    for repo, records, json_forms in by_repo.values():
        repo.add_many(records, json_forms)
    append_audit_many(session, [added_entry(repo, record, actor=actor, reason=why, after=form)
                                for (repo, record, why), form in zip(adds, forms, strict=True)])


def added_entry(repo: Repository[R, Any], record: R, *, actor: str, reason: str | None,
                after: dict[str, Any] | None = None) -> PendingEntry:
    """The pending `<kind>.add` audit entry of `record` (for `append_audit_many`); `after` is
    its `digest_dict()` when the caller has it already."""
    from dataflywheel.store.audit import PendingEntry, digest

    kind = _slug(repo.kind)
    return PendingEntry(actor=actor, action=f"{kind}.add", record_kind=kind,
                        record_id=str(repo.key_of(record)), before_digest=None,
                        after_digest=digest(record.digest_dict() if after is None else after),
                        reason=reason)


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
