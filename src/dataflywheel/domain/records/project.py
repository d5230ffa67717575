"""The project registry: every project of the assembly layer, with its interfaces and estimates.

Guarantees: imported check results come as a pair (`imported_checks_passed` of
`imported_checks_total`, passed never above total) or not at all; they stand for a project's
"checks passed" only where it has no records of its own (`flows/demand/project_checks.py`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import ProjectStatus


REGISTRY_ROLE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
"""A registry role is a snake_case word, e.g. `assembly_layer`."""


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
    deliverables: list[str] = Field(default_factory=list)
    registry_role: str | None = Field(default=None, pattern=REGISTRY_ROLE_PATTERN)
    needs_human_review: bool = False
    needs_governance_control: bool = False
    imported_checks_passed: int | None = Field(default=None, ge=0)
    imported_checks_total: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _imported_checks_pair(self) -> Project:
        passed, total = self.imported_checks_passed, self.imported_checks_total
        if (passed is None) != (total is None):
            raise ValueError("imported checks need both passed and total, or neither")
        if passed is not None and total is not None and passed > total:
            raise ValueError(f"imported checks passed {passed} exceed their total {total}")
        return self
