"""Flywheel runs (P10 §10): each revolution of the flywheel recorded with every stage's status and
score as the records give them, and the milestone board.

Guarantees: a run is derived, never typed — each stage is judged on its gate's evidence in the
run's window `[since, until)` (`reports.system_evidence`, `domain.policies.flywheel_runs`); a run
is written with its `flywheel_run.add` audit entry in one transaction; a window that is empty or
reversed is refused before anything is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.errors import BadInput
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.system_plan import (
    MilestoneBoard,
    judge_run,
    milestone_board,
)
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.people import Projects
from dataflywheel.store.repositories.plans import FlywheelRuns
from dataflywheel.store.tables.plans import FlywheelRunRow

DEFAULT_WINDOW = timedelta(days=7)


def record_run(ws: Workspace, project_id: str, *, since: datetime | None = None,
               until: datetime | None = None, reason: str | None = None) -> FlywheelRun:
    """Record one run. `until` defaults to now; `since` to the end of the project's last run, or
    a week before `until` for the first."""
    until = until or utcnow()
    with ws.db.unit_of_work() as s:
        repo = FlywheelRuns(s)
        if since is None:
            previous = repo.of_project(project_id)
            since = previous[-1].until if previous else until - DEFAULT_WINDOW
        if since >= until:
            raise BadInput("a run's window must end after it starts", field="since",
                           expected=f"a time before until ({until.isoformat()})",
                           got=since.isoformat(), kept="no run was recorded")
        run = judge_run(s, project_id, since=since, until=until, recorded_by=ws.actor,
                        run_id=next_sequential_id(s, FlywheelRunRow, "FWR"))
        return add_audited(repo, run.model_copy(update={"recorded_at": utcnow()}),
                           actor=ws.actor, reason=reason)


def list_runs(ws: Workspace, project_id: str | None = None) -> list[FlywheelRun]:
    """Every run (of one project), oldest first."""
    with ws.db.session() as s:
        repo = FlywheelRuns(s)
        if project_id is None:
            return sorted(repo.list(), key=lambda r: (r.recorded_at, r.id))
        Projects(s).get(project_id)
        return repo.of_project(project_id)


def board(ws: Workspace, project_id: str, *, now: datetime | None = None) -> MilestoneBoard:
    """The project's milestone board as of `now`."""
    with ws.db.session() as s:
        return milestone_board(s, project_id, now=now or utcnow())
