"""People, teams, vendors, role holdings, projects, RACI and requirements through the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.records.people import Person, RoleHolding, Team, Vendor
from dataflywheel.domain.records.project import Layer, Project
from dataflywheel.domain.records.raci import Letter, RaciAssignment, RaciItem
from dataflywheel.domain.roles import Role
from dataflywheel.errors import AlreadyExists, NotFound, StoreFailure
from dataflywheel.store.repositories.people import (
    People, Projects, RaciAssignments, RaciItems, Requirements, RoleHoldings, Teams, Vendors,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.people import RoleRow

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        s.add(RoleRow(id=Role.DATA_OWNER.value, title="Data Owner", duties=""))
        People(s).add(Person(id="ann", name="Ann", email="ann@example.org", created_at=NOW))
        Projects(s).add(Project(id="P-K12", name="K-12 tutor", owner_id="ann",
                                layers=[Layer.MODELING, Layer.APPLICATION], interfaces_out=["sft"],
                                review_hours_estimate=12.5, cost_estimate=3000, created_at=NOW))


def test_every_core_record_round_trips(database: Database) -> None:
    _seed(database)
    records = [
        (Teams, Team(id="data", name="Data team", lead_id="ann")),
        (Vendors, Vendor(id="v-acme", name="Acme Annotation", contact="ops@acme.test")),
        (RoleHoldings, RoleHolding(id=RoleHolding.make_id("ann", Role.DATA_OWNER, "P-K12"),
                                   person_id="ann", role=Role.DATA_OWNER, project_id="P-K12")),
        (RaciItems, RaciItem(id="training_set_version_release", title="Release")),
        (RaciAssignments, RaciAssignment(
            id="x", item_id="training_set_version_release", letter=Letter.ACCOUNTABLE,
            role=Role.DATA_OWNER, project_id=None)),
        (Requirements, Requirement(
            id="REQ-0001", title="More geometry items", project_id="P-K12", requester_id="ann",
            kind=RequirementKind.NEW_DATA, priority=Priority.P1, target_metric="geometry acc +3pt",
            acceptance_criteria="500 items, dup < 1%", deadline=NOW + timedelta(days=5),
            responsible_id="ann", accountable_id="ann", created_at=NOW, updated_at=NOW)),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            assert repo_type(s).get(repo_type(s).key_of(record)) == record
    with database.session() as s:
        assert People(s).get("ann").created_at == NOW
        assert Projects(s).get("P-K12").layers == [Layer.MODELING, Layer.APPLICATION]


def test_duplicate_id_is_refused_and_nothing_written(database: Database) -> None:
    _seed(database)
    with pytest.raises(AlreadyExists, match="person ann already exists"):
        with database.unit_of_work() as s:
            People(s).add(Person(id="bob", name="Bob"))
            People(s).add(Person(id="ann", name="Another Ann"))
    with database.session() as s:
        assert [p.id for p in People(s).list()] == ["ann"]
        assert People(s).get("ann").name == "Ann"


def test_foreign_keys_are_enforced_by_the_database(database: Database) -> None:
    with pytest.raises(StoreFailure) as info:
        with database.unit_of_work() as s:
            Projects(s).add(Project(id="P-X", name="X", owner_id="ghost"))
    assert isinstance(info.value.__cause__, DBIntegrityError)
    assert "a reference to a record that does not exist" in str(info.value)
    assert "ghost" not in str(info.value) and "INSERT" not in str(info.value)
    with database.session() as s:
        assert Projects(s).list() == []


def test_missing_record_is_not_found_with_a_hint(database: Database) -> None:
    with database.session() as s, pytest.raises(NotFound) as info:
        Requirements(s).get("REQ-9999")
    assert str(info.value) == "requirement REQ-9999 does not exist. Next: flywheel requirements list"


def test_naive_datetimes_are_refused(database: Database) -> None:
    _seed(database)
    with pytest.raises(Exception, match="naive datetime refused"):
        with database.unit_of_work() as s:
            People(s).add(Person(id="bob", name="Bob", created_at=datetime(2026, 1, 1)))
