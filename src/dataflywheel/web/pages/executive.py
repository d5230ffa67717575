"""The executive dashboard (`/`): the flywheel of one project on one page.

The chapter's control panel "that can be understood quickly": the assembly layer's figures (the
project's health and why, its stages, the bottleneck to handle first, the milestones, governance,
review cost and leverage, the control points in place), the Chapter 24 metric layers as eight
weeks of trends, and the week's risks — the Wednesday inspection's alerts, the open P0/P1 issues
and the week's P0/P1 commitments. Every figure comes from the flow the API answers with
(`GET /api/v1/system/projects/{project}/dashboard`, `/api/v1/metrics`, `/api/v1/reports/…`).
"""

from __future__ import annotations

from collections import defaultdict
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
from dataflywheel.metrics.definitions import BY_ID, Layer
from dataflywheel.metrics.measure import MetricsAnswer
from dataflywheel.reports.charts import VEGA_LITE_SCHEMA
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {("GET", "/"): AnyPerson()}
"""Any person: the page shows only projects the person sees (`web.projects`), as the API's
dashboard route answers any person."""

TREND_WEEKS = 8
URGENT = frozenset({"P0", "P1"})


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


@router.get("/", response_class=HTMLResponse)
def executive(request: Request, ws: ActingWorkspace, who: Caller,
              project: str | None = None) -> HTMLResponse:
    """The executive dashboard of `?project=` (default: the person's first project)."""
    choice = project_choice(ws, who, project)
    if choice.current is None:
        return render_page(request, "executive.html", title="Dashboard", who=who, choice=choice,
                           current=None)
    current = choice.current
    try:
        board, no_plan = dashboard(ws, current), None
    except NotFound as exc:  # a project without a flywheel plan still has its risks and trends
        board, no_plan = None, str(exc)
    costs = cost_model(ws)
    controls = controls_view(ws)
    week = wednesday_report(ws, project=current)
    sync = monday_report(ws, project=current)
    trends = weekly(ws, weeks=TREND_WEEKS, project=current)
    return render_page(
        request, "executive.html", title=f"Dashboard {current}", who=who, choice=choice,
        current=current, board=board, no_plan=no_plan, cost=next((c for c in costs.projects if c.project == current), None),
        projects=len(costs.projects), control_points=len(controls["control_points"]),
        missing_controls=controls["missing"], alerts=week.alerts,
        urgent_issues=[i for i in week.issues if i.severity in URGENT],
        urgent_commitments=[c for c in sync.commitments if c.priority in URGENT],
        week=week.week, trends=trend_charts(trends), layer_names={
            d.layer.value: d.layer.value.replace("_", " ") for d in BY_ID.values()})
