"""The Demand Pool over HTTP: list, show, add, and each move of a requirement's lifecycle.

Each route is one call into the flow `flywheel requirements …` uses (`flows.demand`), and answers
what that command prints with `--json`: a requirement (`Requirement`), a list of them, an SLA
status, or the escalated ids. The actor is the token's person: an approver or an accepting person
named in a body must be that person (the CLI's `require_named` rule), never someone else.

Who may call: any member of the requirement's project reads it and moves it through triage,
amendment, commitment, start and delivery (the flows guard a P0's triage: the Data Owner
approves it); only the person the requirement names as Accountable accepts or rejects its
delivery (`Named`, which an administrator does not bypass).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Named, Rule
from dataflywheel.domain.policies.sla import SlaStatus
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.states import RequirementState
from dataflywheel.errors import BadInput
from dataflywheel.flows.demand import lifecycle
from dataflywheel.flows.demand.requirements import get_requirement, requirements, submit_requirement
from dataflywheel.flows.governance.identity import require_named
from dataflywheel.store.paging import Span, page_of

router = APIRouter(prefix="/api/v1", tags=["requirements"])

ONE = "/api/v1/requirements/{requirement}"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/requirements"): Member(scope="project"),
    ("POST", "/api/v1/requirements/escalate"): AnyPerson(),
    ("GET", "/api/v1/requirements/sla"): Member(scope="project"),
    ("POST", "/api/v1/projects/{project}/requirements"): Member(scope="project"),
    ("POST", "/api/v1/projects/{project}/requirements/commit"): Member(scope="project"),
    ("GET", ONE): Member(scope="requirement"),
    ("GET", ONE + "/sla"): Member(scope="requirement"),
    ("POST", ONE + "/triage"): Member(scope="requirement"),
    ("POST", ONE + "/amend"): Member(scope="requirement"),
    ("POST", ONE + "/start"): Member(scope="requirement"),
    ("POST", ONE + "/deliver"): Member(scope="requirement"),
    ("POST", ONE + "/accept"): Named(scope="requirement", letter="accountable"),
    ("POST", ONE + "/reject"): Named(scope="requirement", letter="accountable"),
}

PersonId = Annotated[str, Field(min_length=1, max_length=100)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class RequirementIn(BaseModel):
    """A new requirement of the path's project (`flywheel requirements add`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Chinese math word problems, 10k", "requester_id": "algorithm-engineer",
        "priority": "P1", "kind": "new_data", "target_metric": "GSM8K-zh +2 points",
        "acceptance_criteria": "10k problems, duplicate rate < 1 %, 200 spot-checked",
        "deadline": "2031-01-15T00:00:00+00:00", "responsible_id": "data-engineer",
        "accountable_id": "data-owner", "description": "For the next SFT round."}]})

    title: str = Field(min_length=1, max_length=300)
    requester_id: PersonId
    priority: Priority
    kind: RequirementKind = RequirementKind.NEW_DATA
    target_metric: str | None = Field(default=None, max_length=500)
    acceptance_criteria: str | None = Field(default=None, max_length=2000)
    deadline: AwareDatetime | None = None
    responsible_id: PersonId | None = None
    accountable_id: PersonId | None = None
    description: str = Field(default="", max_length=5000)


class TriageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"approver": None}]})

    approver: PersonId | None = Field(default=None, description=(
        "the Data Owner approving a P0: must be the caller (leave it out otherwise)"))


class AmendIn(BaseModel):
    """What a returned requirement lacked; it is submitted again (`flywheel requirements amend`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "acceptance_criteria": "10k problems, duplicate rate < 1 %",
        "target_metric": "GSM8K-zh +2 points"}]})

    target_metric: str | None = Field(default=None, max_length=500)
    acceptance_criteria: str | None = Field(default=None, max_length=2000)
    accountable_id: PersonId | None = None
    responsible_id: PersonId | None = None
    deadline: AwareDatetime | None = None


class CommitIn(BaseModel):
    """Triaged requirements of the project for a week's task list, all or none."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "requirements": ["REQ-0001"], "week": "2031-W02"}]})

    requirements: list[Annotated[str, Field(max_length=40)]] = Field(min_length=1, max_length=200)
    week: str = Field(pattern=r"^[0-9]{4}-W[0-9]{2}$", description="ISO week, e.g. 2026-W48")


class DeliverIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "versions": ["cleaned-text-v1"]}]})

    versions: list[Annotated[str, Field(max_length=200)]] = Field(
        max_length=100, description="the dataset versions carrying the delivery (at least one: "
                                    "the flow says so when there is none)")


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "the spot check found 4 % off-topic problems"}]})

    reason: Text


class Escalated(BaseModel):
    escalated: list[str]


@router.get("/requirements", response_model=PageOut[Requirement])
def list_requirements(
    ws: ActingWorkspace, paging: Paging,
    project: Annotated[str | None, Query(max_length=100)] = None,
    state: RequirementState | None = None, priority: Priority | None = None,
    created_since: AwareDatetime | None = None, created_until: AwareDatetime | None = None,
    updated_since: AwareDatetime | None = None, updated_until: AwareDatetime | None = None,
) -> Response:
    """One page of the Demand Pool, most urgent first (priority, deadline, age): the rows of
    `flywheel requirements list --json`, optionally of one project, state or priority, created or
    last updated in [since, until)."""
    listing = requirements(ws, project_id=project or None, state=state, priority=priority,
                           created=_span(created_since, created_until, "created"),
                           updated=_span(updated_since, updated_until, "updated"))
    return page_out(listing.page(paging.limit, paging.cursor))


def _span(since: AwareDatetime | None, until: AwareDatetime | None, what: str) -> Span | None:
    if since is None and until is None:
        return None
    if since is not None and until is not None and until <= since:
        raise BadInput(f"empty {what} range", field=f"{what}_until",
                       expected=f"after {what}_since ({since.isoformat()})", got=until.isoformat())
    return Span(since, until)


@router.post("/projects/{project}/requirements", response_model=Requirement, status_code=201)
def add(project: str, body: RequirementIn, ws: ActingWorkspace) -> Requirement:
    """Submit a requirement to the project (state `submitted`, the next REQ id)."""
    return submit_requirement(ws, project_id=project, **body.model_dump())


@router.post("/projects/{project}/requirements/commit", response_model=list[Requirement])
def commit(project: str, body: CommitIn, ws: ActingWorkspace) -> list[Requirement]:
    """Commit triaged requirements of the project to a week's task list (all or none)."""
    others = [r for r in body.requirements if get_requirement(ws, r).project_id != project]
    if others:
        raise BadInput(f"{', '.join(others)} not of project {project}", field="requirements",
                       expected=f"requirements of {project} only", kept="nothing was committed",
                       hint="commit each project's requirements in its own request")
    return lifecycle.commit_week(ws, body.requirements, week=body.week)


@router.post("/requirements/escalate", response_model=Escalated)
def escalate(ws: ActingWorkspace) -> dict[str, list[str]]:
    """Notify the Data Owner of every P0 still undelivered after 48 h (once per requirement)."""
    return {"escalated": lifecycle.escalate_overdue(ws)}


@router.get("/requirements/sla", response_model=PageOut[SlaStatus])
def sla_listing(ws: ActingWorkspace, paging: Paging,
                project: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """One page of the team-wide SLA view — every requirement's clock and its five dimensions,
    breaches first (`flywheel requirements sla --json`), optionally of one project."""
    statuses = lifecycle.sla_report(ws, project_id=project or None)
    return page_out(page_of(statuses, lifecycle.sla_order, limit=paging.limit,
                            cursor=paging.cursor))


@router.get("/requirements/{requirement}", response_model=Requirement)
def show(requirement: str, ws: ActingWorkspace) -> Requirement:
    """One requirement (`flywheel requirements show --json`)."""
    return get_requirement(ws, requirement)


@router.get("/requirements/{requirement}/sla", response_model=SlaStatus)
def sla(requirement: str, ws: ActingWorkspace) -> SlaStatus:
    """The requirement's SLA clock and its five dimensions (its row of `flywheel requirements
    sla --json`)."""
    return lifecycle.requirement_sla(ws, requirement)


@router.post("/requirements/{requirement}/triage", response_model=Requirement)
def triage(requirement: str, body: TriageIn, ws: ActingWorkspace) -> Requirement:
    """Triage a submitted requirement, or return it with what it lacks (the Monday rule)."""
    if body.approver is not None:
        require_named(ws, body.approver, "approver")
    return lifecycle.triage(ws, requirement, approver=body.approver)


@router.post("/requirements/{requirement}/amend", response_model=Requirement)
def amend(requirement: str, body: AmendIn, ws: ActingWorkspace) -> Requirement:
    """Complete a returned requirement and submit it again."""
    return lifecycle.resubmit(ws, requirement, updates=body.model_dump(exclude_none=True))


@router.post("/requirements/{requirement}/start", response_model=Requirement)
def start(requirement: str, ws: ActingWorkspace) -> Requirement:
    """Start work on a committed (or rejected) requirement."""
    return lifecycle.start(ws, requirement)


@router.post("/requirements/{requirement}/deliver", response_model=Requirement)
def deliver(requirement: str, body: DeliverIn, ws: ActingWorkspace) -> Requirement:
    """Mark the requirement delivered in the given dataset versions."""
    return lifecycle.deliver(ws, requirement, version_ids=body.versions)


@router.post("/requirements/{requirement}/accept", response_model=Requirement)
def accept(requirement: str, ws: ActingWorkspace) -> Requirement:
    """Accept the delivery: the requirement's Accountable person only."""
    return lifecycle.decide(ws, requirement, accept=True, by=ws.actor)


@router.post("/requirements/{requirement}/reject", response_model=Requirement)
def reject(requirement: str, body: RejectIn, ws: ActingWorkspace) -> Requirement:
    """Reject the delivery with a reason (the Accountable person only); work resumes with start."""
    return lifecycle.decide(ws, requirement, accept=False, by=ws.actor, reason=body.reason)
