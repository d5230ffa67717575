"""Whether an exception covers a record at a time, and expiry: the part other flows call.

Coverage is asked at a time `at`; an approved exception covers while `at < expires_at`. Every
question first expires, in the caller's session, what is due at `at` (audited `exception.expire`,
the requester told, the access grants resting on it revoked), so what an expired exception
covered is blocked again at once. A cover on a dataset covers its batches and versions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import ExceptionRecord, ExceptionType
from dataflywheel.domain.states import ExceptionState as XS
from dataflywheel.errors import BadInput
from dataflywheel.flows.governance._grant_moves import end_grants_resting_on
from dataflywheel.flows.governance._lifecycle import Lifecycle
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, DatasetVersions
from dataflywheel.store.repositories.governance import Exceptions
from dataflywheel.store.tables.governance import ExceptionCoverRow, ExceptionRow

SYSTEM_ACTOR = "flywheel:expiry"
RECORD_KINDS = ("batch", "version", "dataset")


def tell_requester(s: Session, actor: str, record: ExceptionRecord, now: datetime,
                   what: str) -> None:
    notify(s, actor=actor, to=record.requested_by_id, kind=f"exception.{what}",
           record_kind="exception", record_id=record.id, at=now,
           subject=f"{record.type.value} exception {record.id} {what}",
           body=f"scope: {record.scope}; expires {record.expires_at.isoformat()}")


EXCEPTIONS: Lifecycle[ExceptionRecord] = Lifecycle(
    noun="exception", kind="exception", row_type=ExceptionRow, live=XS.APPROVED,
    expired=XS.EXPIRED, revoked=XS.REVOKED, tell=tell_requester)
"""How an exception ends; `end_grants_resting_on` follows every end."""


def expire_due(session: Session, *, at: datetime, actor: str = SYSTEM_ACTOR) -> list[str]:
    """Move every approved exception whose expiry is at or before `at` to expired, audited, tell
    its requester, and revoke the access grants that rested on it (audited); safe under
    concurrency (a row already moved by someone else is skipped). Returns the ids this call
    expired."""
    expired: list[str] = []
    for record in Exceptions(session).due_to_expire(at=at):
        after = EXCEPTIONS.expire(session, record, at=at, actor=actor)
        if after is None:
            continue
        end_grants_resting_on(session, record.id, why=after.end_reason or "expired",
                              at=record.expires_at, actor=actor)
        expired.append(record.id)
    return expired


def sweep_expired(ws: Workspace, now: datetime | None = None) -> list[str]:
    """Expire, in one transaction, every approved exception past its expiry; returns their ids."""
    with ws.db.unit_of_work() as s:
        return expire_due(s, at=now or utcnow(), actor=ws.actor)


def active_exceptions_covering(session: Session, record_kind: str, record_id: str,
                               at: datetime) -> list[ExceptionRecord]:
    """Active approved exceptions covering the record (or its dataset) at `at`, by id; first
    expires, in `session`, what is due at `at`."""
    if record_kind not in RECORD_KINDS:
        raise BadInput(f"unknown record kind {record_kind!r} for exception coverage",
                       expected="one of " + ", ".join(RECORD_KINDS))
    expire_due(session, at=at)
    column = {"batch": ExceptionCoverRow.batch_id, "version": ExceptionCoverRow.version_id,
              "dataset": ExceptionCoverRow.dataset_id}[record_kind]
    targets = [column == record_id]
    dataset_id = _dataset_of(session, record_kind, record_id)
    if dataset_id is not None:
        targets.append(ExceptionCoverRow.dataset_id == dataset_id)

    covering = select(ExceptionCoverRow.exception_id).where(or_(*targets))
    rows = session.scalars(
        select(ExceptionRow)
        .where(ExceptionRow.id.in_(covering), ExceptionRow.state == XS.APPROVED.value,
               ExceptionRow.expires_at > at)
        .order_by(ExceptionRow.id)
    ).all()
    repo = Exceptions(session)
    return [repo.to_record(r) for r in rows]


def _dataset_of(session: Session, record_kind: str, record_id: str) -> str | None:
    if record_kind == "batch":
        batch = Batches(session).find(record_id)
        return None if batch is None else batch.dataset_id
    if record_kind == "version":
        version = DatasetVersions(session).find(record_id)
        return None if version is None else version.dataset_id
    return None


def active_exception_covering(session: Session, record_kind: str, record_id: str,
                              at: datetime) -> ExceptionRecord | None:
    """The first (lowest id) active approved exception covering the record at `at`, or None."""
    found = active_exceptions_covering(session, record_kind, record_id, at)
    return found[0] if found else None


def covering_exception_kinds(session: Session, version_id: str,
                             at: datetime) -> set[ExceptionType]:
    """Types of the active exceptions covering version `version_id`, its dataset or its batches."""
    found = {e.id: e for e in active_exceptions_covering(session, "version", version_id, at)}
    for batch in DatasetVersions(session).batches_of(version_id):
        found.update({e.id: e for e in active_exceptions_covering(session, "batch", batch.id, at)})
    return {e.type for e in found.values()}


