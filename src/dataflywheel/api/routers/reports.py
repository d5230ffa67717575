"""Cadence reports over HTTP: the Monday sync, the Wednesday inspection and the Friday post-mortem
as `flywheel report` makes them; the reports due, and sending them (`flywheel report due`).

Each route calls the flow the CLI calls (`flows.cadence`): the context as JSON by default,
Markdown or HTML with `?format=markdown|html` — the same bytes the CLI prints for the same
records. A team-wide report needs a team-wide role; one project's, a role in it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Holds, Member, Rule
from dataflywheel.domain.roles import Role
from dataflywheel.flows.cadence import (
    friday_report, monday_report, monthly_report, quarterly_report, wednesday_report,
)
from dataflywheel.flows.cadence_schedule import (
    DueList, DueSendResult, due_reports, parse_moment, send_due,
)
from dataflywheel.reports.friday import FridayReview
from dataflywheel.reports.monday import MondaySync
from dataflywheel.reports.monthly import MonthlyReview
from dataflywheel.reports.quarterly import QuarterlyFreeze
from dataflywheel.reports.spec import Format as ReportFormat
from dataflywheel.reports.wednesday import WednesdayInspection

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/reports/monday"): Member(scope="project"),
    ("GET", "/api/v1/reports/wednesday"): Member(scope="project"),
    ("GET", "/api/v1/reports/friday"): Member(scope="project"),
    ("GET", "/api/v1/reports/monthly"): Member(scope="project"),
    ("GET", "/api/v1/reports/quarterly"): Member(scope="project"),
    ("GET", "/api/v1/reports/due"): Member(),
    # sending notifies the whole team: the Data Owner, who runs the cadence, or the Platform
    # Engineer, who runs the schedulers
    ("POST", "/api/v1/reports/due/send"): Holds(roles=frozenset({Role.DATA_OWNER,
                                                                  Role.PLATFORM_ENGINEER})),
}
Moment = Annotated[str | None, Query(max_length=40, description=(
    "an ISO date or date-time; without an offset, in the workspace's time zone"))]
Week = Annotated[str | None, Query(max_length=16, description=(
    "ISO week, e.g. 2026-W48 (default: this week in the workspace's time zone)"))]
Project = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
Format = Annotated[Literal["json", "markdown", "html"], Query(alias="format")]
MEDIA = {"json": "application/json", "markdown": "text/markdown; charset=utf-8",
         "html": "text/html; charset=utf-8"}
ANSWERS: dict[int | str, dict[str, Any]] = {200: {"content": {
    "text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}}}


@router.get("/monday", response_model=MondaySync, responses=ANSWERS)
def monday(ws: ActingWorkspace, week: Week = None, project: Project = None,
           fmt: Format = "json") -> Response:
    """The Monday requirement sync: the week's commitment list, what is returned or waiting for
    triage, the latest conclusions, the deviations; 400 for a week that is not ISO, 404 for an
    unknown project."""
    return _answer(monday_report(ws, week=week or None, project=project or None), fmt)


@router.get("/wednesday", response_model=WednesdayInspection, responses=ANSWERS)
def wednesday(ws: ActingWorkspace, week: Week = None, project: Project = None,
              fmt: Format = "json") -> Response:
    """The Wednesday quality inspection: the trend, the week's batches, the anomaly
    distribution, quality issues by tier, risk alerts, recommendations; 400 for a week that is
    not ISO, 404 for an unknown project."""
    return _answer(wednesday_report(ws, week=week or None, project=project or None), fmt)


@router.get("/friday", response_model=FridayReview, responses=ANSWERS)
def friday(ws: ActingWorkspace, week: Week = None, project: Project = None,
           fmt: Format = "json") -> Response:
    """The Friday delivery post-mortem: versions, SLA records, Issue Pool changes, themes, next
    week's items, unowned blockers; 400 for a week that is not ISO, 404 for an unknown
    project."""
    return _answer(friday_report(ws, week=week or None, project=project or None), fmt)


@router.get("/monthly", response_model=MonthlyReview, responses=ANSWERS)
def monthly(ws: ActingWorkspace, project: Project = None, fmt: Format = "json",
            month: Annotated[str | None, Query(max_length=16, description=(
                "the month, e.g. 2026-11 (default: this month so far)"))] = None) -> Response:
    """The monthly review: improvement plan, month-on-month metrics with their interpretation,
    post-mortems, metric adjustments; 400 for a month that is not YYYY-MM, 404 for an unknown
    project."""
    return _answer(monthly_report(ws, month=month or None, project=project or None), fmt)


@router.get("/quarterly", response_model=QuarterlyFreeze, responses=ANSWERS)
def quarterly(ws: ActingWorkspace, project: Project = None, fmt: Format = "json",
              quarter: Annotated[str | None, Query(max_length=16, description=(
                  "the quarter, e.g. 2026-Q4 (default: this quarter)"))] = None) -> Response:
    """The quarterly version freeze: baselines with lineage, changes and known limitations, the
    candidates, undocumented freezes; 400 for a quarter that is not YYYY-Qn, 404 for an unknown
    project."""
    return _answer(quarterly_report(ws, quarter=quarter or None, project=project or None), fmt)


@router.get("/due", response_model=DueList)
def due(ws: ActingWorkspace, now: Moment = None, since: Moment = None) -> DueList:
    """The team-wide cadence reports due and not sent (`flywheel report due --json`): due in
    [since (default: the workspace's first record), now (default: the clock)]; 400 for a moment
    that is not ISO or a start after the end."""
    zone = ws.settings.timezone
    return due_reports(ws, now=parse_moment(now, field="now", zone=zone) if now else None,
                       since=parse_moment(since, field="since", zone=zone) if since else None)


@router.post("/due/send", response_model=DueSendResult)
def send_due_reports(ws: ActingWorkspace, since: Moment = None) -> DueSendResult:
    """Send each due report once, as the caller (`flywheel report due --send --json`); the
    server's clock decides what is due. What was already sent is not sent again."""
    start = parse_moment(since, field="since", zone=ws.settings.timezone) if since else None
    return send_due(ws, since=start)


def _answer(report: object, fmt: ReportFormat) -> Response:
    from dataflywheel.reports.render import render

    return Response(render(report, fmt), media_type=MEDIA[fmt])
