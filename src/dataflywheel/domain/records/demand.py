"""A requirement in the Demand Pool."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.states import RequirementState


class Priority(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"


class RequirementKind(StrEnum):
    NEW_DATA = "new_data"
    ANNOTATION = "annotation"
    REMEDIATION = "remediation"
    EXPLORATION = "exploration"


class Requirement(Record):
    id: str = Field(pattern=r"^REQ-[0-9]{4,}$")
    title: str = Field(min_length=1, max_length=300)
    project_id: str
    requester_id: str
    kind: RequirementKind
    priority: Priority
    target_metric: str | None = None
    acceptance_criteria: str | None = None
    deadline: datetime | None = None
    responsible_id: str | None = None
    accountable_id: str | None = None
    state: RequirementState = RequirementState.SUBMITTED
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
