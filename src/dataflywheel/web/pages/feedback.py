"""Feedback (`/feedback`): the themes with their leverage scores, where routed feedback went, and
the feedback-loop rate over time; one theme (`/feedback/themes/{theme}`).

The themes are the listing `GET /api/v1/feedback/themes` pages (`flows.feedback.themes.themes`);
the loop rate is `domain.policies.feedback_loop`'s, taken week by week by
`flows.feedback.loop_trend` (its last point is what `GET /api/v1/feedback/metrics` answers) and
drawn as a chart with its data table; the routing table is one GROUP BY over the events. A theme's
page shows the figures of `GET /api/v1/feedback/themes/{theme}` (`flows.feedback.theme_page`:
weekly counts in the database, examples ranked among its latest events) with links to the
requirement or issue it became and the version that absorbed it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import Paging
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.feedback import POLICY as API
from dataflywheel.domain.states import ThemeState
from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.loop_trend import LoopPoint, loop_trend, routing_summary
from dataflywheel.flows.feedback.theme_page import POOL, theme_summary
from dataflywheel.flows.feedback.themes import themes
from dataflywheel.reports.charts import vega_lite
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/feedback"): API[("GET", "/api/v1/feedback/themes")],
    ("GET", "/feedback/themes/{theme}"): API[("GET", "/api/v1/feedback/themes/{theme}")],
}
TREND_WEEKS = 12


def loop_chart(points: list[LoopPoint]) -> dict[str, Any]:
    """The loop rate week by week as a line (a week without routed events has no point)."""
    values = [{"week ending": p.until.date().isoformat(), "loop rate": p.loop_rate,
               "absorbed events": p.absorbed_events, "routed events": p.routed_events}
              for p in points]
    return vega_lite("Feedback-loop rate (absorbed / routed events)", values, layer=[{
        "mark": {"type": "line", "point": True},
        "encoding": {"x": {"field": "week ending", "type": "temporal"},
                     "y": {"field": "loop rate", "type": "quantitative",
                           "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
                     "tooltip": [{"field": k} for k in values[0]] if values else []}}])


@router.get("/feedback", response_class=HTMLResponse, include_in_schema=False)
def feedback(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
             project: Annotated[str | None, Query(max_length=64)] = None,
             state: Annotated[str | None, Query(max_length=32)] = None) -> HTMLResponse:
    """The project's themes by leverage, the routing of all feedback, the loop rate over time."""
    choice = project_choice(ws, who, project or None)
    if state and state not in {s.value for s in ThemeState}:
        raise BadInput(f"unknown theme state {state!r}", field="state", got=state,
                       expected="one of " + ", ".join(s.value for s in ThemeState))
    # the theme records alone: the list shows no trend or examples, so the page never reads the
    # events of its themes (the API's listing joins them: thousands of events per theme)
    page = themes(ws, state=state or None, project_id=choice.current).parents.page(
        paging.limit, paging.cursor)
    points = loop_trend(ws, weeks=TREND_WEEKS)
    return render_page(
        request, "feedback.html", title=f"Feedback {choice.current or ''}".strip(), who=who,
        choice=choice, current=choice.current, page=page, state=state or "",
        states=[s.value for s in ThemeState], limit=paging.limit, now=points[-1],
        loop_spec=loop_chart(points), routes=routing_summary(ws))


@router.get("/feedback/themes/{theme}", response_class=HTMLResponse, include_in_schema=False)
def theme(request: Request, theme: str, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """One theme: its counts, leverage, weekly trend, examples and what it became."""
    view = theme_summary(ws, theme)
    return render_page(request, "feedback_theme.html", title=f"Theme {view.theme.id}", who=who,
                       view=view, pool=POOL)
