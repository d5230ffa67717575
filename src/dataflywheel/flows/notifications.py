"""Sending notices to people, inside the caller's transaction, audited."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.notification import Notification
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Notifications


def notify(session: Session, *, actor: str, to: str, kind: str, subject: str, record_kind: str,
           record_id: str, body: str = "", at: datetime | None = None) -> Notification:
    notice = Notification(id=f"N-{uuid.uuid4().hex[:12]}", to_person_id=to, kind=kind,
                          subject=subject, body=body, record_kind=record_kind, record_id=record_id,
                          created_at=at or utcnow())
    return add_audited(Notifications(session), notice, actor=actor)


def already_notified(session: Session, *, kind: str, record_kind: str, record_id: str) -> bool:
    return bool(Notifications(session).list(kind=kind, record_kind=record_kind, record_id=record_id))


def inbox(ws: Workspace, person_id: str | None = None) -> list[Notification]:
    with ws.db.session() as s:
        repo = Notifications(s)
        found = repo.list(to_person_id=person_id) if person_id else repo.list()
        return sorted(found, key=lambda n: (n.created_at, n.id))
