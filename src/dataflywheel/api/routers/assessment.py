"""`GET /api/v1/assessment`: the self-assessment `flywheel assess` prints, over HTTP.

The route calls the flow the CLI calls (`flows.assess`), so both judge the same records the same
way: JSON by default, `?format=markdown|html` for the page. The assessment is team-wide (the
checklist judges every project's records), so it needs a team-wide role. Read-only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Member, Rule
from dataflywheel.api.routers.reports import ANSWERS, MEDIA
from dataflywheel.flows.assess import DEFAULT_WINDOW_DAYS, WINDOW_DAYS, assess
from dataflywheel.reports.assessment import Assessment

router = APIRouter(prefix="/api/v1", tags=["metrics"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/assessment"): Member(),
}


@router.get("/assessment", response_model=Assessment, responses=ANSWERS)
def get_assessment(
    ws: ActingWorkspace,
    as_of: Annotated[AwareDatetime | None, Query(
        description="judge the window ending here (default: now)")] = None,
    window_days: Annotated[int, Query(ge=WINDOW_DAYS[0], le=WINDOW_DAYS[1], description=(
        "the window's length in days (default: a quarter)"))] = DEFAULT_WINDOW_DAYS,
    fmt: Annotated[Literal["json", "markdown", "html"], Query(alias="format")] = "json",
) -> Response:
    """The Table 24-26 checklist with its evidence, the Table 24-2 stage, the Table 24-30 answers
    and the Table 24-28 roadmap; 400 for a window outside a week to ten years."""
    from dataflywheel.reports.render import render

    return Response(render(assess(ws, as_of=as_of, window_days=window_days), fmt),
                    media_type=MEDIA[fmt])
