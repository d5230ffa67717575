"""The Monday rule reads the deadline (a key field of Table 24-10), and both pools are listed most
urgent first: tier, then the nearest deadline, then the oldest, then the id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.demand.lifecycle import resubmit, triage
from dataflywheel.flows.issues.lifecycle import list_issues, open_issue
from dataflywheel.flows.demand.requirements import (
    get_requirement,
    list_requirements,
    submit_requirement,
)
from dataflywheel.flows.workspace import Workspace

MONDAY = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
COMPLETE = dict(acceptance_criteria="500 items, dup < 1%", target_metric="geometry +3pt",
                accountable_id="data-owner")


def _submit(ws: Workspace, priority: str = "P1", deadline: datetime | None = None,
            now: datetime = MONDAY, **fields: str) -> str:
    merged = {**COMPLETE, **fields}
    return submit_requirement(ws, title=f"{priority} work", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority(priority), deadline=deadline, now=now,
                              **merged).id  # type: ignore[arg-type]


def test_a_requirement_without_a_deadline_is_returned_and_kept(team: Workspace) -> None:
    rid = _submit(team)
    returned = triage(team, rid, now=MONDAY)
    assert returned.state.value == "returned"
    assert returned.returned_reason == "incomplete: no deadline"
    kept = get_requirement(team, rid)
    assert (kept.acceptance_criteria, kept.target_metric, kept.accountable_id) == (
        "500 items, dup < 1%", "geometry +3pt", "data-owner")
    resubmit(team, rid, updates={"deadline": MONDAY + timedelta(days=4)}, now=MONDAY)
    assert triage(team, rid, now=MONDAY).state.value == "triaged"


def test_a_deadline_already_passed_on_monday_is_returned(team: Workspace) -> None:
    rid = _submit(team, deadline=MONDAY + timedelta(days=1), now=MONDAY - timedelta(days=7))
    returned = triage(team, rid, now=MONDAY + timedelta(days=2))
    assert returned.state.value == "returned"
    assert returned.returned_reason == (
        "deadline 2026-11-24T09:30:00+00:00 has passed; set a new one: "
        f"flywheel requirements amend {rid} --deadline ISO")
    assert get_requirement(team, rid).deadline == MONDAY + timedelta(days=1)


def test_requirements_are_listed_by_priority_then_deadline_then_age(team: Workspace) -> None:
    soon, later = MONDAY + timedelta(days=2), MONDAY + timedelta(days=9)
    p2_soon = _submit(team, "P2", soon)
    p1_none = _submit(team, "P1")
    p1_later = _submit(team, "P1", later)
    p0_later = _submit(team, "P0", later)
    p1_soon_young = _submit(team, "P1", soon, now=MONDAY + timedelta(hours=1))
    p1_soon_old = _submit(team, "P1", soon)
    listed = [r.id for r in list_requirements(team)]
    assert listed == [p0_later, p1_soon_old, p1_soon_young, p1_later, p1_none, p2_soon]


def test_issues_are_listed_by_severity_then_remediation_deadline_then_age(team: Workspace) -> None:
    def opened(severity: str, remediate_by: datetime | None = None) -> str:
        return open_issue(team, title=f"{severity} problem", severity=severity, source="manual",
                          project_id="P-TEST", remediate_by=remediate_by, now=MONDAY).id

    p3 = opened("P3")
    p2_late = opened("P2")
    p2_tight = opened("P2", MONDAY + timedelta(hours=5))
    p0 = opened("P0")
    assert [i.id for i in list_issues(team)] == [p0, p2_tight, p2_late, p3]
    assert [i.id for i in list_issues(team, severity="P2")] == [p2_tight, p2_late]
