"""The milestone board and the stage plan (`/plan`): the project's flywheel plan with each
stage's owners resolved from the RACI matrix, its milestones judged from the records, and the
runs recorded — `GET /api/v1/system/projects/{project}/plan`, `…/milestones` and
`GET /api/v1/system/runs` (`flows.flywheel`), the milestones the executive dashboard shows.

Judging the milestones reads every piece of their evidence (10⁴ frozen versions, 10⁵ events), so,
as the executive dashboard does (`web.memo`), a computed board is shown again for a minute, the
page says when it was computed, and `?fresh=true` computes it now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.system_runs import POLICY as API
from dataflywheel.errors import NotFound
from dataflywheel.flows.flywheel.plan import show_plan
from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.flows.flywheel.runs import board, list_runs
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.system_plan import MilestoneBoard, PlanView
from dataflywheel.web.memo import site_memo
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/plan"): API[("GET", "/api/v1/system/projects/{project}/plan")],
}


KEPT_FOR = timedelta(minutes=1)


@dataclass(frozen=True)
class PlanContext:
    """The plan, its milestone board and runs of one project (None, None and the reason when
    it has no plan)."""

    stages: PlanView | None
    milestones: MilestoneBoard | None
    no_plan: str | None
    runs: list[FlywheelRun]


def plan_context(ws: Workspace, project: str) -> PlanContext:
    """The project's plan, board and runs, from the flows the API answers with."""
    runs = list_runs(ws, project)
    try:
        return PlanContext(show_plan(ws, project), board(ws, project), None, runs)
    except NotFound as exc:  # a project may have no flywheel plan loaded yet
        return PlanContext(None, None, str(exc), runs)


@router.get("/plan", response_class=HTMLResponse, include_in_schema=False)
def plan(request: Request, ws: ActingWorkspace, who: Caller,
         project: Annotated[str | None, Query(max_length=64)] = None,
         fresh: bool = False) -> HTMLResponse:
    """The project's stage plan, milestone board and runs (a project without a plan says so);
    `?fresh=true` computes them now instead of reusing the last minute's."""
    choice = project_choice(ws, who, project or None)
    current = choice.current
    if current is None:
        return render_page(request, "plan.html", title="Plan", who=who, choice=choice,
                           current=None)
    memo = site_memo(request.app.state, "plan_memo", KEPT_FOR)
    kept = memo.get(current, lambda: plan_context(ws, current), fresh=fresh)
    return render_page(request, "plan.html", title=f"Plan {current}", who=who, choice=choice,
                       current=current, x=kept.value, computed_at=kept.computed_at,
                       kept_for=int(KEPT_FOR.total_seconds()))
