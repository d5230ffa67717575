"""The milestone board and the stage plan (`/plan`): the project's flywheel plan with each
stage's owners resolved from the RACI matrix, its milestones judged from the records, and the
runs recorded — `GET /api/v1/system/projects/{project}/plan`, `…/milestones` and
`GET /api/v1/system/runs` (`flows.flywheel`), the milestones the executive dashboard shows.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.system_runs import POLICY as API
from dataflywheel.errors import NotFound
from dataflywheel.flows.flywheel.plan import show_plan
from dataflywheel.flows.flywheel.runs import board, list_runs
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/plan"): API[("GET", "/api/v1/system/projects/{project}/plan")],
}


@router.get("/plan", response_class=HTMLResponse, include_in_schema=False)
def plan(request: Request, ws: ActingWorkspace, who: Caller,
         project: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    """The project's stage plan, milestone board and runs (a project without a plan says so)."""
    choice = project_choice(ws, who, project or None)
    current = choice.current
    stages = milestones = None
    no_plan = None
    if current is not None:
        try:
            stages, milestones = show_plan(ws, current), board(ws, current)
        except NotFound as exc:  # a project may have no flywheel plan loaded yet
            no_plan = str(exc)
    runs = list_runs(ws, current) if current is not None else []
    return render_page(request, "plan.html", title=f"Plan {current or ''}".strip(), who=who,
                       choice=choice, current=current, stages=stages, milestones=milestones,
                       no_plan=no_plan, runs=runs)
