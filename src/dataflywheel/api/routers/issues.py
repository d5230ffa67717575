"""The Issue Pool over HTTP: list, show, open, ack, assign, resolve, close, reopen, escalate, tier.

Each route is one call into `flows.issues.lifecycle`, the flow `flywheel issues …` calls, and
answers the JSON that command's `--json` prints. An issue belongs to its project (or to the whole
team when it names none), so its routes are open to the members of that project (`Member`); the
flows apply the Table 24-19 deadlines, the state machine and the post-mortem gate of P0/P1
closes themselves. Escalation sweeps every project's overdue issues, so it is for the team-wide
Data Owner or platform engineer who runs it on a schedule. The post-mortem routes under
`/issues/{issue}/postmortem` are in `api/routers/postmortems.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Holds, Member, Rule
from dataflywheel.api.request_text import NO_NUL, Id, Prose, Ref, Title, Word
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.roles import Role
from dataflywheel.flows.issues import lifecycle as flow
from dataflywheel.flows.issues.lifecycle import Escalation, IssueView

router = APIRouter(prefix="/api/v1", tags=["issues"])

ISSUE = "/api/v1/issues/{issue}"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/issues"): Member(scope="project"),
    ("POST", "/api/v1/issues"): AnyPerson(),
    ("POST", "/api/v1/projects/{project}/issues"): Member(scope="project"),
    ("GET", "/api/v1/issues/tier"): AnyPerson(),
    ("POST", "/api/v1/issues/escalate"): Holds(
        roles=frozenset({Role.DATA_OWNER, Role.PLATFORM_ENGINEER})),
    ("GET", ISSUE): Member(scope="issue"),
    ("POST", ISSUE + "/ack"): Member(scope="issue"),
    ("POST", ISSUE + "/assign"): Member(scope="issue"),
    ("POST", ISSUE + "/resolve"): Member(scope="issue"),
    ("POST", ISSUE + "/close"): Member(scope="issue"),
    ("POST", ISSUE + "/reopen"): Member(scope="issue"),
}



class IssueOpen(BaseModel):
    """What `flywheel issues open` takes; the project comes from the path (none: team-wide)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "near-duplicate spike in the weekly batch", "severity": "P2", "source": "manual",
        "description": "12% near-duplicates in the Wednesday spot check", "links": []}]})

    title: Title
    severity: Word = Field(description="P0, P1, P2 or P3 (Table 24-19)")
    source: Word = Field(default="manual", description="quality_check, experiment, feedback, "
                                                        "spot_check, platform or manual")
    owner: Id | None = None
    reporter: Id | None = None
    links: list[Ref] = Field(
        default_factory=list, max_length=100,
        description="KIND:ID of linked records (batch, version, experiment, requirement, "
                    "error_sample, feedback)")
    description: Prose = ""
    remediate_by: datetime | None = Field(
        default=None, description="a tighter remediation deadline (with a time zone)")


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"note": "looking at it"}]})

    note: Prose | None = None


class AssignTo(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"owner": "data-engineer"}]})

    owner: Id


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "resolution": "deduplicated the batch and redelivered",
        "root_cause": "the near-duplicate threshold was too loose"}]})

    resolution: Prose = Field(min_length=1)
    root_cause: Prose | None = None


class CloseReason(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "not a defect: expected drift"}]})

    reason: Prose | None = Field(default=None, description="needed to dismiss a new issue")


class ReopenReason(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"reason": "came back in the next batch"}]})

    reason: Prose = Field(min_length=1)


class EscalateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"committee": ["data_owner", "legal_compliance", "platform_engineer"]}]})

    committee: list[Word] | None = Field(
        default=None, max_length=10,
        description="roles on the P0 decision committee (default: data_owner, legal_compliance, "
                    "platform_engineer)")


class Tier(BaseModel):
    severity: str


@router.get("/issues", response_model=PageOut[Issue])
def list_issues(
    ws: ActingWorkspace, paging: Paging,
    project: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    state: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    severity: Annotated[str | None, Query(max_length=8, pattern=NO_NUL,
                                          description="risk tier P0–P3")] = None,
    owner: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    opened_from: Annotated[datetime | None, Query(description="opened at or after (with zone)")]
    = None,
    opened_to: Annotated[datetime | None, Query(description="opened before (with zone)")] = None,
) -> Response:
    """One page of issues, most urgent first (the rows of `flywheel issues list --json`)."""
    listing = flow.issues(ws, state=state or None, severity=severity or None,
                          project_id=project or None, owner_id=owner or None,
                          opened_from=opened_from, opened_to=opened_to)
    return page_out(listing.page(paging.limit, paging.cursor))


def _open(ws: Any, body: IssueOpen, project: str | None) -> Issue:
    links = [flow.parse_link(item) for item in body.links]
    return flow.open_issue(ws, title=body.title, severity=body.severity, source=body.source,
                           project_id=project, owner_id=body.owner, reporter_id=body.reporter,
                           links=links, description=body.description,
                           remediate_by=body.remediate_by)


@router.post("/issues", response_model=Issue, status_code=201)
def open_team_issue(body: IssueOpen, ws: ActingWorkspace) -> Issue:
    """Open a team-wide issue (no project); its deadlines follow its severity."""
    return _open(ws, body, None)


@router.post("/projects/{project}/issues", response_model=Issue, status_code=201)
def open_project_issue(project: str, body: IssueOpen, ws: ActingWorkspace) -> Issue:
    """Open an issue in the project; its deadlines follow its severity."""
    return _open(ws, body, project)


@router.get("/issues/tier", response_model=Tier)
def tier(
    share: Annotated[float, Query(ge=0, le=1, description="share of non-conforming records")],
    purpose: Annotated[str, Query(max_length=32, pattern=NO_NUL,
                                  description="training, evaluation or exploration")],
    pii: bool = False, contamination: bool = False,
) -> dict[str, str]:
    """The severity Table 24-19 gives a failed delivery (`flywheel issues tier --json`)."""
    from dataflywheel.domain.policies.risk import tier_for_failed_batch

    severity = tier_for_failed_batch(share, purpose, pii=pii, contamination=contamination)
    return {"severity": severity.value}


@router.post("/issues/escalate", response_model=list[Escalation])
def escalate(body: EscalateRequest, ws: ActingWorkspace) -> list[Escalation]:
    """Escalate every overdue issue one path level per missed deadline; each level is told once."""
    return flow.escalate_overdue(ws, committee=committee_roles(body.committee))


def committee_roles(names: list[str] | None) -> list[Role]:
    """The committee as roles (the default committee when none are named)."""
    from dataflywheel.domain.policies.risk import COMMITTEE_ROLES
    from dataflywheel.domain.roles import parse_role

    return [parse_role(r) for r in names] if names else list(COMMITTEE_ROLES)


@router.get("/issues/{issue}", response_model=IssueView)
def show(issue: str, ws: ActingWorkspace) -> IssueView:
    """The issue with its links, its post-mortem and its escalation clock."""
    return flow.issue_view(ws, issue)


@router.post("/issues/{issue}/ack", response_model=Issue)
def ack(issue: str, body: Note, ws: ActingWorkspace) -> Issue:
    """Record the response: new → acknowledged."""
    return flow.acknowledge(ws, issue, note=body.note)


@router.post("/issues/{issue}/assign", response_model=Issue)
def assign(issue: str, body: AssignTo, ws: ActingWorkspace) -> Issue:
    """Give the issue an owner, who is notified."""
    return flow.assign(ws, issue, owner_id=body.owner)


@router.post("/issues/{issue}/resolve", response_model=Issue)
def resolve(issue: str, body: Resolution, ws: ActingWorkspace) -> Issue:
    """Fixed or mitigated: acknowledged|assigned → resolved."""
    return flow.resolve(ws, issue, resolution=body.resolution, root_cause=body.root_cause)


@router.post("/issues/{issue}/close", response_model=Issue)
def close(issue: str, body: CloseReason, ws: ActingWorkspace) -> Issue:
    """Close a resolved issue, or dismiss a new one with a reason (P0/P1: published post-mortem)."""
    return flow.close(ws, issue, reason=body.reason)


@router.post("/issues/{issue}/reopen", response_model=Issue)
def reopen(issue: str, body: ReopenReason, ws: ActingWorkspace) -> Issue:
    """closed → acknowledged: the problem came back."""
    return flow.reopen(ws, issue, reason=body.reason)
