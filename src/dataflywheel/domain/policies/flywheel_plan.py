"""The flywheel's stage plan as data (P10 §7): five stages, each with a goal, outputs, an entry
gate and milestones; owners come from the RACI item the stage names, never typed.

A gate is one of a fixed set of kinds (`GateKind`), each a named condition on records (what counts
as evidence is `reports.system_evidence`); a plan may only raise a gate's threshold (`min`).
Guarantees: `parse_plan` accepts a whole valid document or raises `BadInput` naming the field —
there is no partial plan; stage names and milestone titles are unique; a milestone names a stage
of the plan.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataflywheel.domain.records.project import Layer
from dataflywheel.errors import BadInput

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class GateKind(StrEnum):
    """The conditions a stage's entry gate (or a milestone) may name, each read from records."""

    BATCHES_PASSED = "batches_passed"  # deliveries that passed their contract's checks
    REVIEWS_RECORDED = "reviews_recorded"  # spot-check reviews of delivered records
    VERSION_FROZEN = "version_frozen"  # dataset versions frozen through the release gate
    EXPERIMENTS_COMPLETED = "experiments_completed"  # experiments on frozen versions, finished
    FEEDBACK_PROMOTED = "feedback_promoted"  # feedback themes turned into a requirement or issue


class Gate(BaseModel):
    """`kind` holds once at least `min` pieces of its evidence exist."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: GateKind
    min: int = Field(default=1, ge=1)


class PlanMilestone(BaseModel):
    """A dated point of a stage; `due_days` (days after the plan is loaded) lets a shipped plan
    be dated when it is loaded (`dated`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=300)
    stage: str
    due: date | None = None
    due_days: int | None = Field(default=None, ge=0, le=3660)
    evidence: Gate

    @model_validator(mode="after")
    def _one_due(self) -> PlanMilestone:
        if (self.due is None) == (self.due_days is None):
            raise ValueError("a milestone takes exactly one of `due` (a date) and `due_days`")
        return self


class PlanStage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    goal: str = Field(min_length=1, max_length=2000)
    outputs: list[str] = Field(min_length=1)
    gate: Gate
    raci_item: str = Field(min_length=1, max_length=64)
    layer: Layer | None = None


class FlywheelPlan(BaseModel):
    """The whole plan: stages in flywheel order, and the milestones on the board."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: list[PlanStage] = Field(min_length=1)
    milestones: list[PlanMilestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_and_linked(self) -> FlywheelPlan:
        names = [s.name for s in self.stages]
        titles = [m.title for m in self.milestones]
        for what, values in (("stage name", names), ("milestone title", titles)):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"{what} repeated: {', '.join(repeated)}")
        unknown = sorted({m.stage for m in self.milestones} - set(names))
        if unknown:
            raise ValueError(f"milestone names unknown stage {', '.join(unknown)} "
                             f"(stages: {', '.join(names)})")
        return self


def dated(plan: FlywheelPlan, *, today: date) -> FlywheelPlan:
    """The plan with every `due_days` turned into the date that many days after `today`."""
    from datetime import timedelta

    milestones = [m if m.due is not None else m.model_copy(update={
        "due": today + timedelta(days=m.due_days or 0), "due_days": None})
        for m in plan.milestones]
    return plan.model_copy(update={"milestones": milestones})


def parse_plan(document: Any, *, source: str) -> FlywheelPlan:
    """A plan from a parsed YAML document, or `BadInput` naming the first wrong field."""
    if not isinstance(document, dict):
        raise BadInput("a flywheel plan must be a mapping", path=source,
                       expected="keys `stages` and `milestones`", got=type(document).__name__)
    try:
        return FlywheelPlan.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or None
        raise BadInput("invalid flywheel plan", path=source, field=where,
                       expected=first.get("msg"), kept="the plan in the workspace is unchanged",
                       ) from None
