"""The flywheel as a run system over HTTP (issue 20): the stage plan, runs, milestone board,
bottlenecks, cost model, org model and executive dashboard — the flows `flywheel system …` calls.

Reads are team-wide (`AnyPerson`: the assembly view maps every project). Loading a project's plan
is its Data Owner's (the Data Owner owns the data strategy and the plan names whose RACI items own
each stage); recording a run is any member of the project's (a run is derived from records, never
typed). Bottlenecks here use the shipped rules; a team's own rules file is the CLI's `--rules`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Holds, Member, Rule
from dataflywheel.api.routers.reports import ANSWERS, MEDIA
from dataflywheel.domain.policies.flywheel_plan import FlywheelPlan, parse_plan
from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.domain.roles import Role
from dataflywheel.flows.flywheel.plan import default_plan, load_plan, show_plan
from dataflywheel.flows.flywheel.runs import board, list_runs, record_run
from dataflywheel.flows.flywheel.views import bottlenecks, cost_model, dashboard, org_model
from dataflywheel.reports.system_bottlenecks import BottleneckRow
from dataflywheel.reports.system_cost import CostModel
from dataflywheel.reports.system_dashboard import Dashboard
from dataflywheel.reports.system_org import OrgModel
from dataflywheel.reports.system_plan import MilestoneBoard, PlanView

router = APIRouter(prefix="/api/v1/system", tags=["system"])

P = "/api/v1/system/projects/{project}"
POLICY: dict[tuple[str, str], Rule] = {
    ("POST", P + "/plan"): Holds(roles=frozenset({Role.DATA_OWNER}), scope="project"),
    ("GET", P + "/plan"): AnyPerson(),
    ("POST", P + "/runs"): Member(scope="project"),
    ("GET", "/api/v1/system/runs"): AnyPerson(),
    ("GET", P + "/milestones"): AnyPerson(),
    ("GET", "/api/v1/system/bottlenecks"): AnyPerson(),
    ("GET", "/api/v1/system/cost"): AnyPerson(),
    ("GET", "/api/v1/system/org"): AnyPerson(),
    ("GET", P + "/dashboard"): AnyPerson(),
}
Since = Annotated[AwareDatetime | None, Query(description="window start (default: a week "
                                                          "before until)")]
Until = Annotated[AwareDatetime | None, Query(description="window end (default: now)")]


class PlanLoad(BaseModel):
    """A plan document (what `flywheel system plan load FILE` reads), or none for the shipped."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"plan": {"stages": [{"name": "ingestion", "goal": "accept contract-checked batches",
                              "outputs": ["passed batches"], "gate": {"kind": "batches_passed"},
                              "raci_item": "data_collection_and_cleaning",
                              "layer": "data_source"}],
                  "milestones": [{"title": "First batch accepted", "stage": "ingestion",
                                  "due": "2027-01-15", "evidence": {"kind": "batches_passed"}}]},
         "reason": "our own plan"}, {"plan": None}]})

    plan: dict[str, Any] | None = None
    reason: str | None = Field(default=None, max_length=2000)


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"since": "2026-11-01T00:00:00+00:00", "until": "2026-12-01T00:00:00+00:00",
         "reason": "November's revolution"}]})

    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/projects/{project}/plan", response_model=FlywheelPlan)
def post_plan(project: str, body: PlanLoad, ws: ActingWorkspace) -> FlywheelPlan:
    """Replace the project's plan (validated whole; 400 naming the field, nothing changed)."""
    plan = default_plan() if body.plan is None else parse_plan(body.plan, source="body.plan")
    return load_plan(ws, project, plan, reason=body.reason or "loaded over HTTP")


@router.get("/projects/{project}/plan", response_model=PlanView)
def get_plan(project: str, ws: ActingWorkspace) -> PlanView:
    return show_plan(ws, project)


@router.post("/projects/{project}/runs", response_model=FlywheelRun, status_code=201)
def post_run(project: str, body: RunCreate, ws: ActingWorkspace) -> FlywheelRun:
    """Record one run judged from the records of the window (400 for a reversed window)."""
    return record_run(ws, project, since=body.since, until=body.until, reason=body.reason)


@router.get("/runs", response_model=list[FlywheelRun])
def get_runs(ws: ActingWorkspace, project: str | None = None) -> list[FlywheelRun]:
    return list_runs(ws, project)


@router.get("/projects/{project}/milestones", response_model=MilestoneBoard)
def get_milestones(project: str, ws: ActingWorkspace,
                   now: Annotated[AwareDatetime | None, Query()] = None) -> MilestoneBoard:
    return board(ws, project, now=now)


@router.get("/bottlenecks", response_model=list[BottleneckRow])
def get_bottlenecks(ws: ActingWorkspace, since: Since = None,
                    until: Until = None) -> list[BottleneckRow]:
    return bottlenecks(ws, since=since, until=until)[1]


@router.get("/cost", response_model=CostModel)
def get_cost(ws: ActingWorkspace) -> CostModel:
    return cost_model(ws)


@router.get("/org", response_model=OrgModel)
def get_org(ws: ActingWorkspace) -> OrgModel:
    return org_model(ws)


@router.get("/projects/{project}/dashboard", response_model=Dashboard, responses=ANSWERS)
def get_dashboard(project: str, ws: ActingWorkspace, since: Since = None, until: Until = None,
                  fmt: Annotated[Literal["json", "markdown", "html"],
                                 Query(alias="format")] = "json") -> Response:
    """The executive dashboard: JSON by default, `?format=markdown|html` for the page."""
    from dataflywheel.reports.render import render

    context: Dashboard = dashboard(ws, project, since=since, until=until)
    return Response(render(context, fmt), media_type=MEDIA[fmt])
