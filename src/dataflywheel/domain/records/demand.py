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
    returned_reason: str | None = None
    approved_by_id: str | None = Field(default=None, description="Data Owner who approved a P0")
    committed_week: str | None = Field(default=None, pattern=r"^[0-9]{4}-W[0-9]{2}$")
    decision_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    committed_at: datetime | None = Field(default=None, description="first put on a week's list")
    started_at: datetime | None = Field(default=None, description="first picked up (in progress)")
    delivered_at: datetime | None = None


class RequirementDelivery(Record):
    """Requirement `requirement_id` was delivered in dataset version `version_id`."""

    requirement_id: str
    version_id: str
    linked_by_id: str | None = None
    linked_at: datetime = Field(default_factory=utcnow)
