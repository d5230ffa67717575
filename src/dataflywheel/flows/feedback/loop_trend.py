"""The feedback loop over time, and where routed feedback goes — what the web page `/feedback`
charts and tabulates.

The loop rate is `domain.policies.feedback_loop`'s (events in absorbed themes / events routed),
taken at the end of each of the last weeks: an event counts as routed by then when it was
received by then and is routed now (routing time is not a column; an event is routed in the
run that receives it or at the next `feedback route`), and as absorbed by then when its theme
was absorbed by then. The point at `now` is therefore the rate `GET /api/v1/feedback/metrics`
answers. The routed series is one statement of range counts, one per week, on the index
(state, received_at): every event is counted once, in the database; the absorbed series groups
events by their absorbed theme (few). Never a read of every event into Python: the page stays
fast at 100k events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import accumulate

from pydantic import BaseModel
from sqlalchemy import func, select

from dataflywheel.domain.policies.feedback_loop import loop_metrics_of
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.states import FeedbackState, ThemeState
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.feedback import FeedbackEventRow, ThemeRow

ROUTED = (FeedbackState.ROUTED.value, FeedbackState.THEMED.value)
MAX_WEEKS = 104


class LoopPoint(BaseModel):
    """The loop at the end of one week (the last point: now)."""

    until: datetime
    routed_events: int
    absorbed_events: int
    loop_rate: float | None


class RouteRow(BaseModel):
    """Where events went: a project and stage (none: not routed yet) and its events by state."""

    project_id: str | None
    stage_id: str | None
    events: int
    by_state: dict[str, int]


def loop_trend(ws: Workspace, *, weeks: int = 12, now: datetime | None = None) -> list[LoopPoint]:
    """The loop rate at the end of each of the last `weeks` weeks, oldest first, ending at `now`."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise BadInput("weeks out of range", field="weeks", expected=f"1 to {MAX_WEEKS}", got=weeks)
    now = now or utcnow()
    ends = [now - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    event = FeedbackEventRow
    routed = select(*[select(func.count()).where(
        event.state.in_(ROUTED), event.received_at <= end,
        *([event.received_at > ends[n - 1]] if n else [])).scalar_subquery()
        for n, end in enumerate(ends)])
    # each absorbed theme's routed events, counted on the index (theme_id, state) — a join
    # here made SQLite walk every routed event instead
    absorbed = select(ThemeRow.absorbed_at, select(func.count()).where(
        event.theme_id == ThemeRow.id, event.state.in_(ROUTED)).scalar_subquery()).where(
        ThemeRow.state == ThemeState.ABSORBED.value)
    with ws.db.session() as s:
        routed_by = list(accumulate(int(n or 0) for n in s.execute(routed).one()))
        themes = s.execute(absorbed).all()
    absorbed_by = [sum(n for at, n in themes if at is not None and at <= end) for end in ends]
    return [LoopPoint(until=end, routed_events=r, absorbed_events=a,
                      loop_rate=loop_metrics_of(r, a, []).loop_rate)
            for end, r, a in zip(ends, routed_by, absorbed_by, strict=True)]


def routing_summary(ws: Workspace) -> list[RouteRow]:
    """Events by the project and stage they were routed to, with their states; one GROUP BY.
    The largest first; events in no project (received, in triage, rejected) come last."""
    event = FeedbackEventRow
    stmt = select(event.project_id, event.stage_id, event.state, func.count()).group_by(
        event.project_id, event.stage_id, event.state)
    rows: dict[tuple[str | None, str | None], dict[str, int]] = {}
    with ws.db.session() as s:
        for project, stage, state, count in s.execute(stmt):
            rows.setdefault((project, stage), {})[state] = count
    out = [RouteRow(project_id=p, stage_id=st, events=sum(c.values()), by_state=c)
           for (p, st), c in rows.items()]
    return sorted(out, key=lambda r: (r.project_id is None, -r.events, r.project_id or "",
                                      r.stage_id or ""))
