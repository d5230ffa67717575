"""`/api/v1/trace`: the self-assessment questions (Table 24-30), answered from records.

`GET /api/v1/trace` answers all of them, as `flywheel trace --json` prints them;
`GET /api/v1/trace/{question}` one (`release`, `experiment`, `guide`, `preventive`, `reuse`,
`expiring`, `fluctuation`, `onboarding`), with the same query parameters (`experiment`, `guide`,
`days`). The questions are
team-wide (who approved the latest release, what expires soon), so any person may ask; the walk
from one record (a batch, a version, a requirement) is lineage, under `/api/v1/lineage`.
Read-only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.metrics.maturity import Answer

router = APIRouter(prefix="/api/v1/trace", tags=["trace"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/trace"): AnyPerson(),
    ("GET", "/api/v1/trace/{question}"): AnyPerson(),
}

Question = Literal["release", "experiment", "guide", "preventive", "reuse", "expiring",
                   "fluctuation", "onboarding"]
Experiment = Annotated[str | None, Query(max_length=64, description=(
    "experiment id for 'which data versions did it use' (default: the latest)"))]
Guide = Annotated[str | None, Query(max_length=200, description=(
    "guide change GUIDE@VERSION whose affected batches, versions and experiments to list, or a "
    "guide name batches carry (default: the newest change)"))]
Days = Annotated[int, Query(ge=0, le=3650,
                            description="window for 'which permissions expire soon'")]


@router.get("", response_model=list[Answer])
def all_answers(ws: ActingWorkspace, experiment: Experiment = None, guide: Guide = None,
                days: Days = 14) -> list[Answer]:
    """Every question with its answer, status and evidence (`flywheel trace --json`)."""
    from dataflywheel.flows.trace import trace

    return trace(ws, experiment_id=experiment, guide=guide, days=days)


@router.get("/{question}", response_model=Answer)
def one_answer(question: Question, ws: ActingWorkspace, experiment: Experiment = None,
               guide: Guide = None, days: Days = 14) -> Answer:
    """One question's answer (its element of `flywheel trace --json`)."""
    from dataflywheel.flows.trace import trace

    return trace(ws, experiment_id=experiment, guide=guide, days=days, only=question)[0]
