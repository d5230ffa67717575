"""People, their roles, teams, vendors and the server's administrators over HTTP.

The same flows as `flywheel people|roles|teams|vendors|admins`. Reads are team-wide (`AnyPerson`);
people administration — adding people, granting and revoking roles, offboarding, teams, naming
administrators — is `Admin`: "an admin role administers people and tokens but does not bypass A".
The local flows let any bound person add people and grant roles (a workspace on one machine is
trusted); the server's rule is the stricter one. Registering a vendor is the RACI item
`outsourcing_vendor_management`, which the Annotation Engineer is R and A for, so it is theirs.

Not here, on purpose: `people bind`. A login binding says which OS login on the database's machine
acts as a person; through the server a person acts with their own token, so a binding made over
HTTP would name a login that never reaches the server (and `bind`'s "your login" default has no
meaning for a remote caller). `flywheel people bind` refuses when `FLYWHEEL_SERVER` is set, and
`POST /api/v1/people` takes no `login`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import Admin, AdminOnOthers, AnyPerson, Holds, Rule
from dataflywheel.domain.records.people import ID_PATTERN, Person, RoleHolding, Team, Vendor
from dataflywheel.domain.records.tokens import ServerAdmin
from dataflywheel.domain.roles import ROLE_DUTIES, ROLE_TITLES, Role
from dataflywheel.flows.governance.offboarding import offboard, offboarded_json
from dataflywheel.flows.governance.people import (
    add_person,
    add_team,
    add_vendor,
    get_person,
    grant_role,
    people,
    person_json,
    revoke_role,
    teams,
    vendors,
)
from dataflywheel.flows.governance.tokens import admins, grant_admin, revoke_admin

router = APIRouter(prefix="/api/v1", tags=["people"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/people"): AnyPerson(),
    ("POST", "/api/v1/people"): Admin(),
    ("GET", "/api/v1/people/{person}"): AnyPerson(),
    ("POST", "/api/v1/people/{person}/roles"): AdminOnOthers(scope="person"),
    ("POST", "/api/v1/people/{person}/roles/revoke"): Admin(),
    ("POST", "/api/v1/people/{person}/offboard"): Admin(),
    ("GET", "/api/v1/roles"): AnyPerson(),
    ("GET", "/api/v1/teams"): AnyPerson(),
    ("POST", "/api/v1/teams"): Admin(),
    ("GET", "/api/v1/vendors"): AnyPerson(),
    ("POST", "/api/v1/vendors"): Holds(roles=frozenset({Role.ANNOTATION_ENGINEER})),
    ("GET", "/api/v1/admins"): AnyPerson(),
    ("POST", "/api/v1/admins"): Admin(),
    ("POST", "/api/v1/admins/{admin}/revoke"): Admin(),
}

Id = Field(pattern=ID_PATTERN, max_length=64)
Reason = Field(min_length=1, max_length=2000, description="why; kept in the audit log")


class PersonOut(Person):
    """A person with the roles they hold (`role` or `role@project`) and their bound logins."""

    roles: list[str]
    logins: list[str]


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "ana", "name": "Ana Li", "email": "ana@example.com", "roles": ["data_engineer"],
         "project": "P-TEST"}]})

    id: str = Id
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)
    team: str | None = Field(default=None, max_length=64)
    vendor: str | None = Field(default=None, max_length=64)
    roles: list[Role] = Field(default_factory=list, max_length=7)
    project: str | None = Field(default=None, max_length=64,
                                description="hold the roles in this project only")


class PersonAdded(Person):
    """The person added and the roles granted with them (as `flywheel people add --json`)."""

    roles: list[Role]


class RoleGrant(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"role": "quality_evaluator", "project": "P-TEST"}]})

    role: Role
    project: str | None = Field(default=None, max_length=64, description="null: team-wide")


class RoleRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"role": "data_engineer", "project": None, "reason": "moved to the platform team"}]})

    role: Role
    project: str | None = Field(default=None, max_length=64, description="null: team-wide")
    reason: str = Reason


class Offboard(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "left the company"}]})

    reason: str = Reason


class OffboardOut(BaseModel):
    person: str
    active: bool
    roles_removed: list[str]
    logins_unbound: list[str]
    grants_revoked: list[str]
    grants_denied: list[str]
    tokens_revoked: list[str]


class RoleOut(BaseModel):
    id: Role
    title: str
    duties: str


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "T-DATA", "name": "Data team", "lead": "data-owner"}]})

    id: str = Id
    name: str = Field(min_length=1, max_length=200)
    lead: str | None = Field(default=None, max_length=64, description="a person id")


class VendorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"id": "V-ACME", "name": "Acme Labeling", "service": "annotation",
         "contact": "ops@acme.example"}]})

    id: str = Id
    name: str = Field(min_length=1, max_length=200)
    service: str = Field(default="annotation", min_length=1, max_length=64)
    contact: str | None = Field(default=None, max_length=320)


class AdminGrant(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"person": "data-owner"}]})

    person: str = Id


class AdminRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "handed over the server"}]})

    reason: str = Reason


@router.get("/people", response_model=PageOut[PersonOut])
def list_people(ws: ActingWorkspace, paging: Paging) -> Response:
    """One page of people with their roles and logins (`flywheel people list --json` rows)."""
    return page_out(people(ws).page(paging.limit, paging.cursor), person_json)


@router.post("/people", response_model=PersonAdded, status_code=201)
def new_person(body: PersonCreate, ws: ActingWorkspace) -> dict[str, Any]:
    """Add a person with the roles they hold (team-wide, or in `project`), in one transaction."""
    person = Person(id=body.id, name=body.name, email=body.email, team_id=body.team,
                    vendor_id=body.vendor)
    add_person(ws, person, roles=body.roles, project_id=body.project)
    return person.model_dump(mode="json") | {"roles": [r.value for r in body.roles]}


@router.get("/people/{person}", response_model=PersonOut)
def show_person(person: str, ws: ActingWorkspace) -> dict[str, Any]:
    """One person, their roles and logins (`flywheel people show --json`)."""
    return person_json(get_person(ws, person))


@router.post("/people/{person}/roles", response_model=RoleHolding, status_code=201)
def new_role(person: str, body: RoleGrant, ws: ActingWorkspace) -> RoleHolding:
    """Let the person hold a role, team-wide or in one project (409 if they hold it already)."""
    return grant_role(ws, person, body.role, project_id=body.project)


@router.post("/people/{person}/roles/revoke", response_model=RoleHolding)
def end_role(person: str, body: RoleRevoke, ws: ActingWorkspace) -> RoleHolding:
    """Take a role away (404 when they do not hold it there); the holding removed is answered."""
    return revoke_role(ws, person, body.role, project_id=body.project, reason=body.reason)


@router.post("/people/{person}/offboard", response_model=OffboardOut)
def offboard_person(person: str, body: Offboard, ws: ActingWorkspace) -> dict[str, object]:
    """Table 24-21 offboarding, as `flywheel people offboard`: the person's grants closed (active
    revoked, requested denied), roles removed, logins unbound, tokens revoked, the person
    deactivated — one transaction, each step audited under the administrator. Closing a leaver's
    grants needs no sharing Accountable (the flow's module doc says why)."""
    return offboarded_json(offboard(ws, person, reason=body.reason))


@router.get("/roles", response_model=list[RoleOut])
def list_roles() -> list[dict[str, str]]:
    """The seven roles (fixed reference data, so one short answer rather than pages)."""
    return [{"id": r.value, "title": ROLE_TITLES[r], "duties": ROLE_DUTIES[r]} for r in Role]


@router.get("/teams", response_model=PageOut[Team])
def list_teams(ws: ActingWorkspace, paging: Paging) -> Response:
    return page_out(teams(ws).page(paging.limit, paging.cursor))


@router.post("/teams", response_model=Team, status_code=201)
def new_team(body: TeamCreate, ws: ActingWorkspace) -> Team:
    return add_team(ws, Team(id=body.id, name=body.name, lead_id=body.lead))


@router.get("/vendors", response_model=PageOut[Vendor])
def list_vendors(ws: ActingWorkspace, paging: Paging) -> Response:
    return page_out(vendors(ws).page(paging.limit, paging.cursor))


@router.post("/vendors", response_model=Vendor, status_code=201)
def new_vendor(body: VendorCreate, ws: ActingWorkspace) -> Vendor:
    return add_vendor(ws, Vendor(id=body.id, name=body.name, service=body.service,
                                 contact=body.contact))


@router.get("/admins", response_model=list[ServerAdmin])
def list_admins(ws: ActingWorkspace) -> list[ServerAdmin]:
    """Who administers the server (a handful of people, so one answer rather than pages)."""
    return admins(ws)


@router.post("/admins", response_model=ServerAdmin, status_code=201)
def new_admin(body: AdminGrant, ws: ActingWorkspace) -> ServerAdmin:
    """Name another administrator. (Claiming the role in a workspace without one is local only:
    with no administrator nobody passes this route's rule.)"""
    return grant_admin(ws, body.person)


@router.post("/admins/{admin}/revoke", response_model=ServerAdmin)
def end_admin(admin: str, body: AdminRevoke, ws: ActingWorkspace) -> ServerAdmin:
    """Stop a person administering the server (refused, 403, for the last one)."""
    return revoke_admin(ws, admin, reason=body.reason)
