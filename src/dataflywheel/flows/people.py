"""People, teams, vendors and role holdings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dataflywheel.domain.records.people import Person, RoleHolding, Team, Vendor
from dataflywheel.domain.roles import ROLE_DUTIES, ROLE_TITLES, Role
from dataflywheel.errors import NotFound
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import People, Projects, RoleHoldings, Teams, Vendors
from dataflywheel.store.tables.people import RoleRow


def seed_roles(ws: Workspace) -> None:
    """Write the seven roles (reference data) once, audited."""
    from dataflywheel.flows._audit import audit

    with ws.db.unit_of_work() as s:
        for role in Role:
            if s.get(RoleRow, role.value) is None:
                s.add(RoleRow(id=role.value, title=ROLE_TITLES[role], duties=ROLE_DUTIES[role]))
                audit(s, actor=ws.actor, action="role.add", kind="role", record_id=role.value,
                      before=None, after={"id": role.value, "title": ROLE_TITLES[role]})


def add_person(ws: Workspace, person: Person, *, roles: list[Role] | None = None,
               project_id: str | None = None) -> Person:
    """Add a person and, in the same transaction, the roles they hold."""
    with ws.db.unit_of_work() as s:
        _require_links(s, team_id=person.team_id, vendor_id=person.vendor_id)
        add_audited(People(s), person, actor=ws.actor)
        for role in roles or []:
            _grant(s, ws.actor, person.id, role, project_id)
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


def _require_links(s: Session, *, team_id: str | None, vendor_id: str | None) -> None:
    if team_id is not None and Teams(s).find(team_id) is None:
        raise NotFound(f"team {team_id} does not exist", hint="flywheel teams add ID NAME")
    if vendor_id is not None and Vendors(s).find(vendor_id) is None:
        raise NotFound(f"vendor {vendor_id} does not exist", hint="flywheel vendors add ID NAME")


def list_teams(ws: Workspace) -> list[Team]:
    with ws.db.session() as s:
        return Teams(s).list()


def list_vendors(ws: Workspace) -> list[Vendor]:
    with ws.db.session() as s:
        return Vendors(s).list()
