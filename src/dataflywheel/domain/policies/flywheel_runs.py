"""How a stage's evidence becomes its status and score, and a milestone its place on the board.

Pure: the evidence is read from records by `reports.system_evidence`; these rules judge it. The
figures are the chapter's (Listing P10-4): completion rate = completed stages / stages, average
stage score = mean of the stage scores, both rounded to four places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from dataflywheel.domain.policies.flywheel_plan import Gate, GateKind, PlanMilestone, PlanStage
from dataflywheel.domain.records.flywheel import StageResult, StageStatus


@dataclass(frozen=True)
class GateEvidence:
    """What the records say about one gate kind in a window: when each piece of evidence appeared
    (ascending), and how many of the stage's judged outcomes passed."""

    kind: GateKind
    times: tuple[datetime, ...]
    passed: int
    total: int

    @property
    def score(self) -> float:
        """Share of the judged outcomes that passed; 0 when nothing was judged (never a pass)."""
        return round(self.passed / self.total, 4) if self.total else 0.0


def stage_result(stage: PlanStage, evidence: GateEvidence) -> StageResult:
    """The stage's status and score in a run: complete once its gate's evidence reaches `min`."""
    if len(evidence.times) >= stage.gate.min:
        status = StageStatus.COMPLETED
    elif evidence.total or evidence.times:
        status = StageStatus.IN_PROGRESS
    else:
        status = StageStatus.NOT_STARTED
    return StageResult(stage=stage.name, gate=f"{stage.gate.kind.value}>={stage.gate.min}",
                       status=status, score=evidence.score, evidence=len(evidence.times),
                       passed=evidence.passed, total=evidence.total)


def summarise(results: list[StageResult]) -> tuple[float, float]:
    """(stage completion rate, average stage score), as Listing P10-4 computes them."""
    done = sum(r.status is StageStatus.COMPLETED for r in results)
    return (round(done / max(1, len(results)), 4),
            round(sum(r.score for r in results) / max(1, len(results)), 4))


class BoardState(StrEnum):
    DONE = "done"  # evidence reached its threshold on or before the due date
    DONE_LATE = "done_late"  # reached, after the due date
    LATE = "late"  # not reached, and the due date has passed
    DUE = "due"  # not reached, due date still ahead (or today)


class BoardEntry(BaseModel):
    """One row of the milestone board."""

    title: str
    stage: str
    due: date
    state: BoardState
    done_on: date | None
    evidence: int
    needed: int


def board_entry(milestone: PlanMilestone, evidence: GateEvidence, *, today: date) -> BoardEntry:
    """Where a milestone stands: done on the day its `min`-th piece of evidence appeared."""
    gate: Gate = milestone.evidence
    if milestone.due is None:
        raise ValueError(f"milestone {milestone.title!r} is not dated (see flywheel_plan.dated)")
    due = milestone.due
    reached = evidence.times[gate.min - 1].date() if len(evidence.times) >= gate.min else None
    if reached is not None:
        state = BoardState.DONE if reached <= due else BoardState.DONE_LATE
    else:
        state = BoardState.LATE if today > due else BoardState.DUE
    return BoardEntry(title=milestone.title, stage=milestone.stage, due=due, state=state,
                      done_on=reached, evidence=len(evidence.times), needed=gate.min)
