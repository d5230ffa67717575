"""A notice to a person: an escalation, a consultation request, a change announcement."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow


class Notification(Record):
    id: str
    to_person_id: str
    kind: str = Field(description="escalation, consult, inform, notice, ...")
    subject: str
    body: str = ""
    record_kind: str
    record_id: str
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None
