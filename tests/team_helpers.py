"""Building blocks of the shared fixtures (`tests/conftest.py`) that other fixture files reuse:
the `team` workspace's people and project, and an AUTOCOMMIT engine for CREATE/DROP DATABASE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace


def make_team(ws: Workspace) -> Workspace:
    """`team`'s people and project, added to `ws` (also used to build seeded templates)."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import add_person
    from dataflywheel.flows.demand.projects import add_project

    for role in Role:
        person_id = role.value.replace("_", "-")  # bound to the login of the same name
        add_person(ws, Person(id=person_id, name=role.value.title()), roles=[role], login=person_id)
    add_project(ws, Project(id="P-TEST", name="Test project", owner_id="data-owner"))
    return ws


def admin_engine(url: str) -> Any:
    from sqlalchemy import create_engine, make_url

    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
