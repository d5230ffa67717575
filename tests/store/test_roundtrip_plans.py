"""Plan records through the store on both backends: stages in order, milestones on the board."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pools_seed import NOW, refused, seed_parents
from sqlalchemy import update

from dataflywheel.domain.records.plan import Milestone, Stage
from dataflywheel.domain.records.project import Layer
from dataflywheel.domain.states import MilestoneState, StageState
from dataflywheel.store.repositories.plans import Milestones, Stages
from dataflywheel.store.session import Database
from dataflywheel.store.tables.plans import StageRow


def _stage(stage_id: str, position: int, **changes: Any) -> Stage:
    fields: dict[str, Any] = dict(id=stage_id, project_id="P-K12", name=f"stage {position}",
                                  position=position)
    return Stage.model_validate(fields | changes)


def test_stages_and_milestones_round_trip(database: Database) -> None:
    seed_parents(database)
    records: list[tuple[Any, Any]] = [
        (Stages, _stage("S-1", 0, name="collect", layer=Layer.DATA_SOURCE, state=StageState.ACTIVE,
                        owner_id="ann", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 27),
                        goals=["10k items"], exit_criteria=["dup < 1%"])),
        (Milestones, Milestone(id="M-1", project_id="P-K12", stage_id="S-1", title="k12@1 frozen",
                               description="first version", due_on=date(2026, 11, 27),
                               state=MilestoneState.DONE, owner_id="ann", criteria=["gate passed"],
                               done_at=NOW)),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record


def test_every_milestone_and_stage_state_is_kept(database: Database) -> None:
    seed_parents(database)
    with database.unit_of_work() as s:
        for n, state in enumerate(MilestoneState):
            Milestones(s).add(Milestone(id=f"M-{n}", project_id="P-K12", title="t",
                                        due_on=date(2026, 12, 1), state=state, done_at=NOW))
        for n, stage_state in enumerate(StageState):
            Stages(s).add(_stage(f"S-{n}", n, state=stage_state))
    with database.session() as s:
        kept = [Milestones(s).get(f"M-{n}").state for n in range(len(MilestoneState))]
        assert kept == list(MilestoneState)
        assert [Stages(s).get(f"S-{n}").state for n in range(len(StageState))] == list(StageState)


def test_plan_order_and_overdue_board(database: Database) -> None:
    seed_parents(database)
    with database.unit_of_work() as s:
        for stage_id, position in (("S-b", 2), ("S-a", 0), ("S-c", 1)):
            Stages(s).add(_stage(stage_id, position))
        for mid, due, state in (("M-1", date(2026, 11, 20), "planned"),
                                ("M-2", date(2026, 11, 10), "slipped"),
                                ("M-3", date(2026, 11, 1), "done"),
                                ("M-4", date(2026, 12, 1), "in_progress")):
            Milestones(s).add(Milestone(id=mid, project_id="P-K12", title=mid, due_on=due,
                                        state=state, done_at=NOW))
    with database.session() as s:
        assert [st.id for st in Stages(s).of_project("P-K12")] == ["S-a", "S-c", "S-b"]
        overdue = Milestones(s).overdue(today=date(2026, 11, 23))
        assert [m.id for m in overdue] == ["M-2", "M-1"]


def test_the_database_refuses_bad_plans(database: Database) -> None:
    seed_parents(database)
    with database.unit_of_work() as s:
        Stages(s).add(_stage("S-1", 0))
    refused(database, lambda s: Stages(s).add(_stage("S-2", 0)))  # same position
    refused(database, lambda s: Stages(s).add(_stage("S-2", 1, name="stage 0")))  # same name
    refused(database, lambda s: Stages(s).add(_stage("S-2", 1, project_id="P-404")))
    refused(database, lambda s: s.execute(update(StageRow).values(layer="kitchen")))
    refused(database, lambda s: Milestones(s).add(Milestone(
        id="M-1", project_id="P-K12", stage_id="S-404", title="t", due_on=date(2026, 12, 1))))
    refused(database, lambda s: Milestones(s).add(Milestone(
        id="M-1", project_id="P-K12", owner_id="ghost", title="t", due_on=date(2026, 12, 1))))
    with database.session() as s:
        assert [st.id for st in Stages(s).list()] == ["S-1"] and Milestones(s).list() == []
        assert Stages(s).get("S-1").layer is None
