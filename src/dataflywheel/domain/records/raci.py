"""RACI items and role assignments as stored records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dataflywheel.domain.records.base import Record
from dataflywheel.domain.roles import Role


class Letter(StrEnum):
    RESPONSIBLE = "R"
    ACCOUNTABLE = "A"
    CONSULTED = "C"
    INFORMED = "I"


class RaciItem(Record):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    title: str = Field(min_length=1, max_length=200)


class RaciAssignment(Record):
    """Role `role` is `letter` for `item_id`, team-wide (project_id None) or in one project."""

    id: str
    item_id: str
    letter: Letter
    role: Role
    project_id: str | None = None

    @staticmethod
    def make_id(item_id: str, letter: Letter, role: Role, project_id: str | None) -> str:
        return f"{item_id}:{letter.value}:{role.value}:{project_id or '*'}"


NO_RESPONSE = "no response"
"""What a release records for a Consulted person who gave no answer."""


class ConsultState(StrEnum):
    REQUESTED = "requested"
    ANSWERED = "answered"
    UNANSWERED = "unanswered"


class Consultation(Record):
    """A formal request for a Consulted person's input on one decision, with a deadline.

    The chapter: C "means formally soliciting input before a decision, giving the consulted party
    sufficient time to respond. If the consulted party cannot respond in time, that situation should
    be recorded, not simply skipped." So: answered by the person themself, or unanswered at deadline.
    """

    id: str = Field(pattern=r"^CNS-[0-9]{4,}$")
    item_id: str
    record_kind: str = Field(min_length=1, max_length=64)
    record_id: str = Field(min_length=1, max_length=200)
    person_id: str
    requested_by_id: str
    requested_at: datetime
    due_at: datetime
    state: ConsultState = ConsultState.REQUESTED
    response: str | None = Field(default=None, max_length=4000)
    closed_at: datetime | None = None
