"""A flywheel run (P10 §10): one revolution of the flywheel over a window, each stage's status and
score derived from records when the run was recorded.

Guarantees: a run's window is ordered (`since < until`); its completion rate and average score are
the ones its stage results give (`policies.flywheel_runs.summarise`), checked on construction.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from dataflywheel.domain.records.base import Record, utcnow

RUN_ID_PATTERN = r"^FWR-[0-9]{4,}$"


class StageStatus(StrEnum):
    COMPLETED = "completed"  # the gate's evidence exists in the window
    IN_PROGRESS = "in_progress"  # the stage has records in the window, not yet its evidence
    NOT_STARTED = "not_started"  # no record of the stage in the window


class StageResult(Record):
    """One stage of a run: its gate, the evidence found, and the score of its outcomes."""

    stage: str
    gate: str
    status: StageStatus
    score: float = Field(ge=0, le=1)
    evidence: int = Field(ge=0)
    passed: int = Field(ge=0)
    total: int = Field(ge=0)


class FlywheelRun(Record):
    id: str = Field(pattern=RUN_ID_PATTERN)
    project_id: str
    since: datetime
    until: datetime
    stages: list[StageResult] = Field(min_length=1)
    completion_rate: float = Field(ge=0, le=1)
    average_score: float = Field(ge=0, le=1)
    recorded_by_id: str
    recorded_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _consistent(self) -> FlywheelRun:
        if self.until <= self.since:
            raise ValueError(f"until {self.until} is not after since {self.since}")
        done = sum(s.status is StageStatus.COMPLETED for s in self.stages)
        rate = round(done / len(self.stages), 4)
        average = round(sum(s.score for s in self.stages) / len(self.stages), 4)
        if (rate, average) != (self.completion_rate, self.average_score):
            raise ValueError(f"completion_rate/average_score {self.completion_rate}/"
                             f"{self.average_score} are not the stages' {rate}/{average}")
        return self
