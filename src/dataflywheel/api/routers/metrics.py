"""Metrics over HTTP: the figures `flywheel metrics --json` prints, and the definitions.

`GET /api/v1/metrics` calls `flows.metrics.measure`, the flow the CLI calls, so both give the same
figures for the same window. Team-wide figures (no `project`) need a team-wide role; one project's
figures need a role in that project (`Member(scope="project")`). The definitions are the team's
shared vocabulary: any person reads them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.api.request_text import NO_NUL
from dataflywheel.flows.metrics import compare, definition_list, measure
from dataflywheel.metrics.definitions import MetricDefinition
from dataflywheel.metrics.measure import MetricsAnswer
from dataflywheel.metrics.scorecard import Scorecard

router = APIRouter(prefix="/api/v1", tags=["metrics"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/metrics"): Member(scope="project"),
    ("GET", "/api/v1/metrics/definitions"): AnyPerson(),
    ("GET", "/api/v1/metrics/scorecard"): Member(scope="project"),
}
Word = Annotated[str | None, Query(max_length=64, pattern=NO_NUL)]


@router.get("/metrics", response_model=MetricsAnswer)
def get_metrics(
    ws: ActingWorkspace, layer: Word = None,
    breakdown: Annotated[str | None, Query(max_length=64, pattern=NO_NUL, description=(
        "project, priority, kind, source, vendor, annotator, guide_version, severity, team, "
        "week, contract, raci_item, record_kind, key_metric or question_type"))] = None,
    since: Annotated[AwareDatetime | None, Query(
        description="window start (default: four weeks before `until`)")] = None,
    until: Annotated[AwareDatetime | None, Query(description="window end, exclusive "
                                                             "(default: now)")] = None,
    project: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
) -> MetricsAnswer:
    """Every figure of `layer` (all by default) over [since, until), with its distribution,
    breakdown and example records; 400 for an unknown layer or breakdown or an empty window,
    404 for an unknown project."""
    return measure(ws, layer=layer or None, by=breakdown or None, since=since, until=until,
                   project=project or None)


@router.get("/metrics/definitions", response_model=list[MetricDefinition])
def get_definitions(layer: Word = None) -> list[MetricDefinition]:
    """What every metric means (Table 24-16): formula, unit, source, boundaries, action, history;
    400 for an unknown layer."""
    return definition_list(layer or None)


@router.get("/metrics/scorecard", response_model=Scorecard)
def get_scorecard(
    ws: ActingWorkspace,
    before_since: Annotated[AwareDatetime, Query(description="first period's start")],
    before_until: Annotated[AwareDatetime, Query(description="first period's end, exclusive")],
    after_since: Annotated[AwareDatetime, Query(description="second period's start")],
    after_until: Annotated[AwareDatetime, Query(description="second period's end, exclusive")],
    project: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
) -> Scorecard:
    """The Table 24-24 scorecard over two periods (`flywheel scorecard --json`); 400 for an
    empty period, 404 for an unknown project."""
    return compare(ws, before=(before_since, before_until), after=(after_since, after_until),
                   project=project or None)
