"""Plan records of the assembly layer: the stages of a project's plan and its milestones.

Guarantees: a stage never ends before it starts; a done milestone says when it was done.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, model_validator

from dataflywheel.domain.policies.flywheel_plan import Gate
from dataflywheel.domain.records.base import Record
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.records.project import Layer
from dataflywheel.domain.states import MilestoneState, StageState


class Stage(Record):
    """One stage of a project's plan, in order (`position`), optionally placed on a layer."""

    id: str = Field(pattern=ID_PATTERN)
    project_id: str
    name: str = Field(min_length=1, max_length=200)
    position: int = Field(ge=0)
    layer: Layer | None = None
    state: StageState = StageState.PLANNED
    owner_id: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    goals: list[str] = Field(default_factory=list)
    exit_criteria: list[str] = Field(default_factory=list)
    gate: Gate | None = None  # the flywheel stage's entry gate (issue 20)
    outputs: list[str] = Field(default_factory=list)
    raci_item: str | None = None  # whose R and A own the stage

    @model_validator(mode="after")
    def _ordered_dates(self) -> Stage:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        return self


class Milestone(Record):
    """A dated point on the milestone board, optionally inside a stage."""

    id: str = Field(pattern=ID_PATTERN)
    project_id: str
    stage_id: str | None = None
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    due_on: date
    state: MilestoneState = MilestoneState.PLANNED
    owner_id: str | None = None
    criteria: list[str] = Field(default_factory=list)
    done_at: datetime | None = None
    evidence: Gate | None = None  # what marks it done, read from records (issue 20)

    @model_validator(mode="after")
    def _done_has_time(self) -> Milestone:
        if self.state is MilestoneState.DONE and self.done_at is None:
            raise ValueError("a done milestone needs done_at")
        return self
