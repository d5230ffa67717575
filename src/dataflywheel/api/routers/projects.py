"""The project registry over HTTP: list, show, register, move a project's status; its checks
passed; import and export of the registry file (`PROJECT_SPECS` shape).

The same flows as `flywheel projects`. The registry is read team-wide (`AnyPerson`: the assembly
view maps every project). Registering a project and moving its status are the Data Owner's: the
Data Owner "owns the data strategy" and is Accountable for the governance items each project is
scoped by, so registering one takes a team-wide Data Owner and moving one a Data Owner of that
project (or team-wide). The local flows check neither (one trusted machine); the server's rules are
the stricter ones.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Holds, Rule
from dataflywheel.api.request_text import Document, Ref
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.records.project import REGISTRY_ROLE_PATTERN, Layer, Project
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ProjectStatus
from dataflywheel.flows.demand.projects import add_project, get_project, projects, set_project_status

router = APIRouter(prefix="/api/v1", tags=["projects"])

DATA_OWNER = frozenset({Role.DATA_OWNER})
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/projects"): AnyPerson(),
    ("POST", "/api/v1/projects"): Holds(roles=DATA_OWNER),
    ("GET", "/api/v1/projects/{project}"): AnyPerson(),
    ("POST", "/api/v1/projects/{project}/status"): Holds(roles=DATA_OWNER, scope="project"),
    ("GET", "/api/v1/projects/{project}/checks"): AnyPerson(),
    ("POST", "/api/v1/registry/import"): Holds(roles=DATA_OWNER),
    ("GET", "/api/v1/registry/export"): AnyPerson(),
}



class ProjectCreate(BaseModel):
    """A project to register: the record's own fields (what `flywheel projects add` validates)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "P-NEW", "name": "Reasoning data", "owner_id": "data-owner", "phase": "build",
         "layers": ["data_source", "processing"], "interfaces_out": ["sft-jsonl"],
         "interfaces_in": [], "review_hours_estimate": 12.0, "cost_estimate": 3000.0,
         "description": "math and code reasoning traces"}]})

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    owner_id: str = Field(min_length=1, max_length=64)
    phase: str = Field(default="build", min_length=1, max_length=64)
    layers: list[Layer] = Field(default_factory=list, max_length=5)
    interfaces_out: list[str] = Field(default_factory=list, max_length=100)
    interfaces_in: list[str] = Field(default_factory=list, max_length=100)
    review_hours_estimate: float = Field(default=0.0, ge=0, le=1e9)
    cost_estimate: float = Field(default=0.0, ge=0, le=1e15)
    description: str = Field(default="", max_length=10_000)
    deliverables: list[Ref] = Field(default_factory=list, max_length=100)
    registry_role: str | None = Field(default=None, pattern=REGISTRY_ROLE_PATTERN)
    needs_human_review: bool = False
    needs_governance_control: bool = False


class RegistryImport(BaseModel):
    """A registry file's text (YAML or JSON), as `flywheel projects import FILE` reads it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"document": "- project_id: P-IMPORTED\n  name: Imported\n  owner_id: data-owner\n"
                     "  phase: acquisition\n  interfaces_out: [foundation_corpus]\n"
                     "  checks: {passed: 3, total: 3}\n"}]})

    document: Document


class ChecksOut(BaseModel):
    project_id: str
    passed: int
    total: int
    source: Literal["records", "imported", "none"]
    all_passed: bool


class StatusMove(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": "paused", "reason": "waiting for the vendor contract"}]})

    status: ProjectStatus
    reason: str | None = Field(default=None, max_length=2000)


@router.get("/projects", response_model=PageOut[Project])
def list_projects(ws: ActingWorkspace, paging: Paging,
                  status: ProjectStatus | None = None) -> Response:
    """One page of projects (`flywheel projects list --json` rows), optionally in one status."""
    return page_out(projects(ws, status=status).page(paging.limit, paging.cursor))


@router.post("/projects", response_model=Project, status_code=201)
def new_project(body: ProjectCreate, ws: ActingWorkspace) -> Project:
    """Register a project (its owner must be a person; 409 if the id is taken)."""
    return add_project(ws, Project.model_validate(body.model_dump()))


@router.get("/projects/{project}", response_model=Project)
def show_project(project: str, ws: ActingWorkspace) -> Project:
    return get_project(ws, project)


@router.post("/projects/{project}/status", response_model=Project)
def move_project(project: str, body: StatusMove, ws: ActingWorkspace) -> Project:
    """Move the project to another status; an illegal move is a 409 naming the legal ones."""
    return set_project_status(ws, project, body.status, reason=body.reason)


@router.get("/projects/{project}/checks", response_model=ChecksOut)
def project_checks(project: str, ws: ActingWorkspace) -> dict[str, object]:
    """The project's checks passed and their source (`flywheel projects checks ID --json`)."""
    from dataflywheel.flows.demand.projects import project_checks as checks

    return checks(ws, project)


@router.post("/registry/import", response_model=list[Project], status_code=201)
def import_registry(body: RegistryImport, ws: ActingWorkspace) -> list[Project]:
    """Register every project of the document, all or none (`flywheel projects import`)."""
    from dataflywheel.flows.demand.project_registry import import_registry as run, parse_registry

    return run(ws, parse_registry(body.document, source="document"), source="document")


@router.get("/registry/export", response_class=PlainTextResponse)
def export_registry(ws: ActingWorkspace, format: Literal["yaml", "json"] = "yaml") -> str:
    """The registry file, byte for byte what `flywheel projects export --format F` prints."""
    from dataflywheel.flows.demand.project_registry import export_entries, render_registry

    return render_registry(export_entries(ws), format)
