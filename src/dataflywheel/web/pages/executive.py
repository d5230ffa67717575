"""The executive dashboard (`/`): the flywheel of one project on one page.

The chapter's control panel "that can be understood quickly": the assembly layer's figures (the
project's health and why, its stages, the bottleneck to handle first, the milestones, governance,
review cost and leverage, the control points in place), the Chapter 24 metric layers as eight
weeks of trends, and the week's risks — the Wednesday inspection's alerts, the open P0/P1 issues
and the week's P0/P1 commitments. Every figure comes from the flow the API answers with
(`GET /api/v1/system/projects/{project}/dashboard`, `/api/v1/metrics`, `/api/v1/reports/…`).
A computed dashboard is shown again for a minute (`web.memo`): the page says when it was
computed and offers to compute it anew.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.errors import NotFound
from dataflywheel.flows.assembly.controls import controls_view
from dataflywheel.flows.cadence import monday_report, wednesday_report
from dataflywheel.flows.flywheel.views import cost_model, dashboard
from dataflywheel.flows.metrics import weekly
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.definitions import Layer
from dataflywheel.metrics.measure import MetricsAnswer
from dataflywheel.reports.charts import VEGA_LITE_SCHEMA
from dataflywheel.reports.monday import Commitment
from dataflywheel.reports.system_cost import ProjectCost
from dataflywheel.reports.system_dashboard import Dashboard
from dataflywheel.reports.wednesday import Alert, GradedIssue
from dataflywheel.web.memo import site_memo
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {("GET", "/"): AnyPerson()}
"""Any person: the page shows only projects the person sees (`web.projects`), as the API's
dashboard route answers any person."""

TREND_WEEKS = 8
URGENT = frozenset({"P0", "P1"})
KEPT_FOR = timedelta(seconds=60)
"""How long a computed dashboard is shown again before it is computed anew (`web.memo`)."""


def trend_charts(answers: list[MetricsAnswer]) -> dict[str, dict[str, Any]]:
    """Layer → a Vega-Lite spec of its metrics week by week: small multiples, one per metric,
    each on its own scale (hours, rates and counts do not share an axis)."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for answer in answers:
        week = answer.until.date().isoformat()
        for f in answer.figures:
            if f.value is not None:
                rows[f.layer].append({"week": week, "metric": f.name, "value": f.value,
                                      "samples": f.samples})
    return {layer.value: {
        "$schema": VEGA_LITE_SCHEMA,
        "title": layer.value.replace("_", " "),
        "data": {"values": rows[layer.value]},
        "facet": {"field": "metric", "type": "nominal", "title": None},
        "columns": 3,
        "spec": {"width": 200, "height": 90,
                 "mark": {"type": "line", "point": True},
                 "encoding": {
                     "x": {"field": "week", "type": "temporal", "title": "week ending"},
                     "y": {"field": "value", "type": "quantitative", "title": None},
                     "tooltip": [{"field": "week", "type": "temporal"},
                                 {"field": "value", "type": "quantitative"},
                                 {"field": "samples", "type": "quantitative"}]}},
        "resolve": {"scale": {"y": "independent"}},
    } for layer in Layer if rows[layer.value]}


@dataclass(frozen=True)
class Executive:
    """What the page shows of one project (the same for every person who may see it)."""

    board: Dashboard | None
    no_plan: str | None
    cost: ProjectCost | None
    projects: int
    control_points: int
    missing_controls: list[str]
    week: str
    alerts: list[Alert]
    urgent_issues: list[GradedIssue]
    urgent_commitments: list[Commitment]
    trends: dict[str, dict[str, Any]]


def executive_context(ws: Workspace, project: str) -> Executive:
    """The executive dashboard of `project`, from the flows the API answers with."""
    try:
        board, no_plan = dashboard(ws, project), None
    except NotFound as exc:  # a project without a flywheel plan still has its risks and trends
        board, no_plan = None, str(exc)
    costs = cost_model(ws)
    controls = controls_view(ws)
    week = wednesday_report(ws, project=project)
    sync = monday_report(ws, project=project)
    return Executive(
        board=board, no_plan=no_plan,
        cost=next((c for c in costs.projects if c.project == project), None),
        projects=len(costs.projects), control_points=len(controls["control_points"]),
        missing_controls=controls["missing"], week=week.week, alerts=week.alerts,
        urgent_issues=[i for i in week.issues if i.severity in URGENT],
        urgent_commitments=[c for c in sync.commitments if c.priority in URGENT],
        trends=trend_charts(weekly(ws, weeks=TREND_WEEKS, project=project)))


@router.get("/", response_class=HTMLResponse)
def executive(request: Request, ws: ActingWorkspace, who: Caller, project: str | None = None,
              fresh: bool = False) -> HTMLResponse:
    """The executive dashboard of `?project=` (default: the person's first project);
    `?fresh=true` computes it again now instead of reusing the last minute's."""
    choice = project_choice(ws, who, project)
    if choice.current is None:
        return render_page(request, "executive.html", title="Dashboard", who=who, choice=choice,
                           current=None)
    current = choice.current
    memo = site_memo(request.app.state, "executive_memo", KEPT_FOR)
    kept = memo.get(current, lambda: executive_context(ws, current), fresh=fresh)
    return render_page(request, "executive.html", title=f"Dashboard {current}", who=who,
                       choice=choice, current=current, x=kept.value,
                       computed_at=kept.computed_at, kept_for=int(KEPT_FOR.total_seconds()),
                       layer_names={layer.value: layer.value.replace("_", " ") for layer in Layer})
