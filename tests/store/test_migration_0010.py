"""Migration 0010 gives requirements committed or started before it their moments from the
audit log (the first `requirement.commit` / `requirement.start` entry), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.demand.lifecycle import commit_week, start, triage
from dataflywheel.flows.demand.requirements import get_requirement, submit_requirement
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store import migrate
from dataflywheel.store.tables.audit import AuditEntryRow


def test_moments_are_backfilled_from_the_audit_log(team: Workspace) -> None:
    now = datetime.now(UTC)
    ids = [submit_requirement(team, title=f"r{n}", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority.P1, deadline=now + timedelta(days=5),
                              acceptance_criteria="500 items", target_metric="m",
                              accountable_id="data-owner").id for n in range(3)]
    for rid in ids:
        triage(team, rid)
    commit_week(team, ids[:2], week="2026-W50")
    start(team, ids[0])
    migrate.downgrade(team.db.engine, "0009")
    migrate.upgrade(team.db.engine)
    with team.db.session() as s:
        at = {(r.action, r.record_id): r.at for r in s.execute(
            select(AuditEntryRow.action, AuditEntryRow.record_id, AuditEntryRow.at)
            .where(AuditEntryRow.action.in_(["requirement.commit", "requirement.start"])))}
    moments = [(r.committed_at, r.started_at) for r in (get_requirement(team, i) for i in ids)]
    assert moments == [(at[("requirement.commit", ids[0])], at[("requirement.start", ids[0])]),
                       (at[("requirement.commit", ids[1])], None), (None, None)]
