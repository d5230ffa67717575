"""People, teams, vendors and role holdings."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.orm import Session

from dataflywheel.domain.records.people import LoginBinding, Person, RoleHolding, Team, Vendor
from dataflywheel.domain.roles import ROLE_DUTIES, ROLE_TITLES, Role
from dataflywheel.errors import BadInput, NotFound, PolicyViolation, from_validation
from dataflywheel.flows._audit import add_audited, audit
from dataflywheel.flows._listing import Joined, Listing, by_parent
from dataflywheel.flows.governance.identity import bind_in
from dataflywheel.flows.governance.tokens import add_admin_in
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import (
    LoginBindings,
    People,
    Projects,
    RoleHoldings,
    Teams,
    Vendors,
)
from dataflywheel.store.tables.people import RoleHoldingRow, RoleRow


def seed_roles(ws: Workspace) -> None:
    """Write the seven roles (reference data) once, audited."""
    with ws.db.unit_of_work() as s:
        for role in Role:
            if s.get(RoleRow, role.value) is None:
                s.add(RoleRow(id=role.value, title=ROLE_TITLES[role], duties=ROLE_DUTIES[role]))
                audit(s, actor=ws.actor, action="role.add", kind="role", record_id=role.value,
                      before=None, after={"id": role.value, "title": ROLE_TITLES[role]})


def add_person(ws: Workspace, person: Person, *, roles: list[Role] | None = None,
               project_id: str | None = None, login: str | None = None) -> Person:
    """Add a person and, in the same transaction, the roles they hold and the login they act
    under (if given)."""
    with ws.db.unit_of_work() as s:
        _require_links(s, team_id=person.team_id, vendor_id=person.vendor_id)
        add_audited(People(s), person, actor=ws.actor)
        for role in roles or []:
            _grant(s, ws.actor, person.id, role, project_id)
        if login is not None:
            bind_in(s, ws.actor, person.id, login)
    return person


def first_person(person_id: str, name: str, login: str) -> Person:
    """The initialiser as a person record, checked (with their login) before `flywheel init`
    creates anything."""
    try:
        LoginBinding(login=login, person_id=person_id)
        return Person(id=person_id, name=name)
    except ValidationError as exc:
        bad = from_validation(exc, what=f"the initialiser {person_id!r} cannot be a person id")
        raise BadInput(bad.what, field=bad.field, expected=bad.expected, got=bad.got,
                       kept="nothing was created", hint="flywheel init --person ID --name NAME") from None


def add_first_person(ws: Workspace, person: Person) -> Person:
    """Bootstrap at `flywheel init`: the initialiser becomes the first person, bound to the login
    the workspace was opened with, and is the actor of their own entry (nobody else exists yet)."""
    with ws.db.unit_of_work() as s:
        if People(s).list() or LoginBindings(s).list():
            raise PolicyViolation("the workspace has people already; the first person is added once",
                                  kept="nothing was changed", hint="flywheel people add")
        add_audited(People(s), person, actor=person.id, reason="workspace initialiser")
        bind_in(s, person.id, person.id, ws.login)
        add_admin_in(s, person.id, actor=person.id, reason="workspace initialiser")
    return person


def grant_role(ws: Workspace, person_id: str, role: Role, *, project_id: str | None = None) -> RoleHolding:
    with ws.db.unit_of_work() as s:
        People(s).get(person_id)
        return _grant(s, ws.actor, person_id, role, project_id)


def _grant(s: Session, actor: str, person_id: str, role: Role, project_id: str | None) -> RoleHolding:
    if project_id is not None:
        Projects(s).get(project_id)
    holding = RoleHolding(id=RoleHolding.make_id(person_id, role, project_id), person_id=person_id,
                          role=role, project_id=project_id)
    return add_audited(RoleHoldings(s), holding, actor=actor)


def revoke_role(ws: Workspace, person_id: str, role: Role, *, project_id: str | None = None,
                reason: str) -> RoleHolding:
    """Take a role away (e.g. the second Data Owner that leaves no single Accountable), audited."""
    with ws.db.unit_of_work() as s:
        People(s).get(person_id)
        holding = RoleHoldings(s).find(RoleHolding.make_id(person_id, role, project_id))
        if holding is None:
            where = f" in project {project_id}" if project_id else " team-wide"
            raise NotFound(f"{person_id} does not hold {role.value}{where}",
                           kept="nothing was changed", hint=f"flywheel people show {person_id}")
        remove_holding(s, ws.actor, holding, reason=reason)
        return holding


def remove_holding(s: Session, actor: str, holding: RoleHolding, *, reason: str) -> None:
    """Delete one role holding in the caller's transaction, with its audit entry."""
    s.execute(delete(RoleHoldingRow).where(RoleHoldingRow.id == holding.id))
    audit(s, actor=actor, action="role_holding.remove", kind="role_holding", record_id=holding.id,
          before=holding, after=None, reason=reason)


def add_team(ws: Workspace, team: Team) -> Team:
    with ws.db.unit_of_work() as s:
        if team.lead_id is not None:
            People(s).get(team.lead_id)
        return add_audited(Teams(s), team, actor=ws.actor)


def add_vendor(ws: Workspace, vendor: Vendor) -> Vendor:
    with ws.db.unit_of_work() as s:
        return add_audited(Vendors(s), vendor, actor=ws.actor)


def list_people(ws: Workspace) -> list[tuple[Person, list[RoleHolding]]]:
    with ws.db.session() as s:
        holdings = RoleHoldings(s).list()
        return [(p, [h for h in holdings if h.person_id == p.id]) for p in People(s).list()]


PersonWithRoles = tuple[Person, list[RoleHolding], list[LoginBinding]]
"""A person as `flywheel people list` shows them: with their role holdings and bound logins."""


def people(ws: Workspace) -> Joined[Person, PersonWithRoles]:
    """Everyone with their roles and logins, a page of people at a time or streamed (`flywheel
    people list`): the holdings and logins of a page are read in one query each."""
    return Joined(Listing(ws, People), _roles_and_logins)


def _roles_and_logins(s: Session, found: list[Person]) -> list[PersonWithRoles]:
    ids = [p.id for p in found]
    holdings = by_parent(RoleHoldings(s).where_in("person_id", ids), lambda h: h.person_id)
    logins = by_parent(LoginBindings(s).where_in("person_id", ids), lambda b: b.person_id)
    return [(p, holdings.get(p.id, []), logins.get(p.id, [])) for p in found]


def _require_links(s: Session, *, team_id: str | None, vendor_id: str | None) -> None:
    if team_id is not None and Teams(s).find(team_id) is None:
        raise NotFound(f"team {team_id} does not exist", hint="flywheel teams add ID NAME")
    if vendor_id is not None and Vendors(s).find(vendor_id) is None:
        raise NotFound(f"vendor {vendor_id} does not exist", hint="flywheel vendors add ID NAME")


def list_teams(ws: Workspace) -> list[Team]:
    with ws.db.session() as s:
        return Teams(s).list()


def teams(ws: Workspace) -> Listing[Team]:
    """Every team, a page at a time or streamed (`flywheel teams list`)."""
    return Listing(ws, Teams)


def vendors(ws: Workspace) -> Listing[Vendor]:
    """Every vendor, a page at a time or streamed (`flywheel vendors list`)."""
    return Listing(ws, Vendors)


def list_vendors(ws: Workspace) -> list[Vendor]:
    with ws.db.session() as s:
        return Vendors(s).list()


def get_person(ws: Workspace, person_id: str) -> PersonWithRoles:
    """One person with their roles and logins (`flywheel people show`, `GET /api/v1/people/…`)."""
    with ws.db.session() as s:
        found = People(s).find(person_id)
        if found is None:
            raise NotFound(f"person {person_id} does not exist", hint="flywheel people list")
        return _roles_and_logins(s, [found])[0]


def holding_label(holding: RoleHolding) -> str:
    """`role` team-wide, `role@project` in one project: how lists show a holding."""
    return holding.role.value + (f"@{holding.project_id}" if holding.project_id else "")


def person_json(found: PersonWithRoles) -> dict[str, object]:
    """The JSON form of a person that the CLI's `--json` and the API both answer."""
    person, holdings, logins = found
    return person.model_dump(mode="json") | {"roles": [holding_label(h) for h in holdings],
                                             "logins": [b.login for b in logins]}
