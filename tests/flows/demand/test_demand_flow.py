"""The Demand Pool lifecycle through flows, with a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput, IllegalTransition, NotFound, PolicyViolation
from dataflywheel.flows.demand.lifecycle import (
    commit_week,
    decide,
    deliver,
    escalate_overdue,
    resubmit,
    sla_report,
    start,
    triage,
)
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.demand.requirements import get_requirement, submit_requirement
from dataflywheel.flows.workspace import Workspace

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _submit(ws: Workspace, priority: str = "P1", complete: bool = True,
            kind: RequirementKind = RequirementKind.NEW_DATA) -> str:
    fields = dict(acceptance_criteria="500 items, dup < 1%", target_metric="geometry +3pt",
                  accountable_id="data-owner") if complete else {}
    return submit_requirement(ws, title="Geometry problems", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=kind,
                              priority=Priority(priority), deadline=utcnow() + timedelta(days=30),
                              **fields).id  # type: ignore[arg-type]


def test_full_lifecycle_to_accepted(team: Workspace) -> None:
    rid = _submit(team)
    assert triage(team, rid).state.value == "triaged"
    assert commit_week(team, [rid], week="2026-W48")[0].committed_week == "2026-W48"
    assert start(team, rid).state.value == "in_progress"
    with pytest.raises(BadInput, match="needs at least one dataset version"):
        deliver(team, rid, version_ids=[])
    with pytest.raises(NotFound) as info:
        deliver(team, rid, version_ids=["ds-v-missing"])
    assert str(info.value) == "dataset version ds-v-missing does not exist. Kept: REQ-0001 is still in_progress"
    assert get_requirement(team, rid).state.value == "in_progress"
    with pytest.raises(PolicyViolation, match="only the Accountable person of REQ-0001"):
        decide(team, rid, accept=True, by="data-engineer")


def test_incomplete_requirement_is_returned_then_amended(team: Workspace) -> None:
    rid = _submit(team, complete=False)
    returned = triage(team, rid)
    assert returned.state.value == "returned"
    assert returned.returned_reason == "incomplete: no acceptance criteria, no target metric, no Accountable person"
    amended = resubmit(team, rid, updates={"acceptance_criteria": "x", "target_metric": "y",
                                           "accountable_id": "data-owner"})
    assert amended.state.value == "submitted"
    assert triage(team, rid).state.value == "triaged"
    with pytest.raises(BadInput, match="cannot change state of a requirement"):
        resubmit(team, rid, updates={"state": "accepted"})


def test_p0_needs_the_data_owner(team: Workspace) -> None:
    rid = _submit(team, priority="P0")
    with pytest.raises(PolicyViolation) as info:
        triage(team, rid, approver="data-engineer")
    assert str(info.value) == ("P0 requirement REQ-0001 needs the Data Owner's approval to be triaged; "
                               "expected --approver data-owner; got 'data-engineer'. Kept: REQ-0001 is still submitted")
    assert triage(team, rid, approver="data-owner").approved_by_id == "data-owner"


def test_illegal_move_changes_nothing(team: Workspace) -> None:
    rid = _submit(team)
    with pytest.raises(IllegalTransition, match="cannot move from 'submitted' to 'committed'"):
        commit_week(team, [rid], week="2026-W48")
    assert get_requirement(team, rid).state.value == "submitted"


def test_commit_is_all_or_none(team: Workspace) -> None:
    a, b = _submit(team), _submit(team)
    triage(team, a)
    with pytest.raises(IllegalTransition):
        commit_week(team, [a, b], week="2026-W48")
    assert get_requirement(team, a).state.value == "triaged"


def test_p0_escalates_once_after_48_hours(team: Workspace) -> None:
    with time_machine.travel(MONDAY, tick=False):
        rid = _submit(team, priority="P0", kind=RequirementKind.ANNOTATION)
    with time_machine.travel(MONDAY + timedelta(hours=47), tick=False):
        assert escalate_overdue(team) == []
    with time_machine.travel(MONDAY + timedelta(hours=49), tick=False):
        assert escalate_overdue(team) == [rid]
        assert escalate_overdue(team) == []
        report = sla_report(team)
    assert report[0].breached and report[0].requirement_id == rid
    notes = inbox(team, "data-owner")
    assert [(n.kind, n.record_id) for n in notes] == [("escalation", rid)]
    assert notes[0].subject.startswith("P0 REQ-0001 undelivered after 48 h")
