"""Repositories of the plan: stages, milestones and flywheel runs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.domain.records.plan import Milestone, Stage
from dataflywheel.domain.states import MilestoneState
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.plans import FlywheelRunRow, MilestoneRow, StageRow


class Stages(Repository[Stage, StageRow]):
    record_type, row_type, kind = Stage, StageRow, "stage"

    def of_project(self, project_id: str) -> list[Stage]:
        """The project's stages in plan order."""
        rows = self.session.scalars(
            select(StageRow).where(StageRow.project_id == project_id).order_by(StageRow.position)
        ).all()
        return [self.to_record(r) for r in rows]


class Milestones(Repository[Milestone, MilestoneRow]):
    record_type, row_type, kind = Milestone, MilestoneRow, "milestone"

    def overdue(self, *, today: date) -> list[Milestone]:
        """Milestones not done whose due date is before `today`, earliest first."""
        rows = self.session.scalars(
            select(MilestoneRow).where(MilestoneRow.due_on < today,
                                       MilestoneRow.state != MilestoneState.DONE.value)
            .order_by(MilestoneRow.due_on, MilestoneRow.id)
        ).all()
        return [self.to_record(r) for r in rows]


class FlywheelRuns(Repository[FlywheelRun, FlywheelRunRow]):
    record_type, row_type, kind = FlywheelRun, FlywheelRunRow, "flywheel_run"

    def of_project(self, project_id: str) -> list[FlywheelRun]:
        """The project's runs, oldest first."""
        rows = self.session.scalars(
            select(FlywheelRunRow).where(FlywheelRunRow.project_id == project_id)
            .order_by(FlywheelRunRow.recorded_at, FlywheelRunRow.id)).all()
        return [self.to_record(r) for r in rows]

    def latest(self) -> FlywheelRun | None:
        """The run recorded last, any project (the dashboard's)."""
        row = self.session.scalars(select(FlywheelRunRow).order_by(
            FlywheelRunRow.recorded_at.desc(), FlywheelRunRow.id.desc()).limit(1)).first()
        return None if row is None else self.to_record(row)
