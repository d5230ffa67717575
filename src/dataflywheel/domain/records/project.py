"""The project registry: every project of the assembly layer, with its interfaces and estimates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import ProjectStatus


class Layer(StrEnum):
    """The five layers of the assembly view."""

    DATA_SOURCE = "data_source"
    PROCESSING = "processing"
    MODELING = "modeling"
    APPLICATION = "application"
    GOVERNANCE = "governance"


class Project(Record):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    phase: str = "build"
    layers: list[Layer] = Field(default_factory=list)
    owner_id: str
    interfaces_out: list[str] = Field(default_factory=list)
    interfaces_in: list[str] = Field(default_factory=list)
    status: ProjectStatus = ProjectStatus.ACTIVE
    review_hours_estimate: float = Field(default=0.0, ge=0)
    cost_estimate: float = Field(default=0.0, ge=0)
    description: str = ""
    created_at: datetime = Field(default_factory=utcnow)
