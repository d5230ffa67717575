"""Escalation clocks under a controlled clock (time-machine): owner → team lead → Data Owner →
decision committee (P0), once per level, audited and notified; business days in a time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from dataflywheel.domain.records.people import Person, Team
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput
from dataflywheel.flows.issues import lifecycle as flow
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.governance.people import add_person, add_team
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow

OPEN = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday


def _with_team_lead(ws: Workspace) -> None:
    add_team(ws, Team(id="annotation", name="Annotation ops", lead_id="data-engineer"))
    add_person(ws, Person(id="ann", name="Ann Example", team_id="annotation"),
               roles=[Role.ANNOTATION_ENGINEER])


def _escalations(ws: Workspace, person: str) -> list[str]:
    return [n.subject for n in inbox(ws, person) if n.kind == "escalation"]


def _escalate_at(ws: Workspace, moment: datetime) -> list[flow.Escalation]:
    with time_machine.travel(moment, tick=False):
        return flow.escalate_overdue(ws)


def test_p1_climbs_one_level_per_missed_deadline_and_only_once(team: Workspace) -> None:
    _with_team_lead(team)
    with time_machine.travel(OPEN, tick=False):
        issue = flow.open_issue(team, title="label drift", severity="P1", source="spot_check",
                                project_id="P-TEST", owner_id="ann")
    assert _escalate_at(team, OPEN + timedelta(hours=3, minutes=59)) == []
    first = _escalate_at(team, OPEN + timedelta(hours=4, minutes=1))
    assert [(e.from_level, e.to_level, e.notified) for e in first] == [(0, 1, ["data-engineer"])]
    assert _escalate_at(team, OPEN + timedelta(hours=5)) == []  # once per level
    second = _escalate_at(team, OPEN + timedelta(hours=48, minutes=1))
    assert [(e.from_level, e.to_level, e.notified) for e in second] == [(1, 2, ["data-owner"])]
    assert _escalations(team, "data-owner") == [
        "P1 ISS-0001 escalated to data owner: label drift"]
    with team.db.session() as s:
        reasons = s.scalars(select(AuditEntryRow.reason).where(
            AuditEntryRow.action == "issue.escalate").order_by(AuditEntryRow.seq)).all()
    assert reasons == ["overdue → team lead", "overdue → data owner"]
    stored = flow.issue_detail(team, issue.id)[0]
    assert stored.escalation_level == 2
    assert stored.escalated_at == OPEN + timedelta(hours=48, minutes=1)


def test_acknowledging_in_time_stops_the_response_clock(team: Workspace) -> None:
    _with_team_lead(team)
    with time_machine.travel(OPEN, tick=False):
        issue = flow.open_issue(team, title="x", severity="P1", source="manual",
                                project_id="P-TEST", owner_id="ann")
    with time_machine.travel(OPEN + timedelta(hours=1), tick=False):
        flow.acknowledge(team, issue.id)
    assert _escalate_at(team, OPEN + timedelta(hours=6)) == []


def test_untouched_p0_reaches_the_decision_committee(team: Workspace) -> None:
    _with_team_lead(team)
    with time_machine.travel(OPEN, tick=False):
        flow.open_issue(team, title="PII in eval set", severity="P0", source="quality_check",
                        project_id="P-TEST", owner_id="ann")
    done = _escalate_at(team, OPEN + timedelta(hours=48, minutes=1))
    assert [(e.from_level, e.to_level) for e in done] == [(0, 3)]
    assert done[0].notified == ["data-engineer", "data-owner", "legal-compliance", "platform-engineer"]
    assert _escalations(team, "legal-compliance") == [
        "P0 ISS-0001 escalated to decision committee: PII in eval set"]
    # the Data Owner heard once per level it belongs to, never twice for the same level
    assert len(_escalations(team, "data-owner")) == 1


def test_nobody_on_the_path_is_said_and_the_data_owner_hears_of_it(team: Workspace) -> None:
    with time_machine.travel(OPEN, tick=False):
        flow.open_issue(team, title="orphan", severity="P1", source="platform", project_id="P-TEST")
    done = _escalate_at(team, OPEN + timedelta(hours=5))
    assert [(e.to_level, e.notified, e.note) for e in done] == [
        (1, ["data-owner"], "no team lead on record")]
    assert _escalations(team, "data-owner") == [
        "P1 ISS-0001 is overdue and has nobody on its escalation path: orphan"]


def test_p2_counts_business_days_in_the_workspace_time_zone(team: Workspace) -> None:
    _with_team_lead(team)
    team.settings = team.settings.model_copy(update={"timezone": "Asia/Shanghai"})
    friday_1700_shanghai = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    with time_machine.travel(friday_1700_shanghai, tick=False):
        issue = flow.open_issue(team, title="slow vendor", severity="P2", source="manual",
                                project_id="P-TEST", owner_id="ann")
    assert issue.respond_by == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 17:00 Shanghai
    assert _escalate_at(team, datetime(2026, 11, 29, 23, 0, tzinfo=UTC)) == []  # weekend
    assert _escalate_at(team, datetime(2026, 11, 30, 8, 59, tzinfo=UTC)) == []
    late = _escalate_at(team, datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
    assert [e.to_level for e in late] == [1]


def test_resolved_and_closed_issues_do_not_escalate(team: Workspace) -> None:
    with time_machine.travel(OPEN, tick=False):
        issue = flow.open_issue(team, title="done", severity="P2", source="manual",
                                project_id="P-TEST", owner_id="data-engineer")
        flow.assign(team, issue.id, owner_id="data-engineer")
        flow.resolve(team, issue.id, resolution="fixed")
    assert _escalate_at(team, OPEN + timedelta(days=30)) == []


def test_the_decision_committee_is_configurable(team: Workspace, cli: Any) -> None:
    with time_machine.travel(OPEN, tick=False):
        flow.open_issue(team, title="leak", severity="P0", source="platform", project_id="P-TEST")
    with pytest.raises(BadInput, match="the decision committee needs at least one role"):
        flow.escalate_overdue(team, committee=[])
    with time_machine.travel(OPEN + timedelta(hours=49), tick=False):
        bad = cli("issues", "escalate", "--committee", "ceo")
        assert "unknown role 'ceo'" in bad.err
        out = cli("issues", "escalate", "--committee", "legal", "--json")
    assert out.code == 0, out.err
    assert [(e["to_level"], e["notified"]) for e in out.json()] == [
        (3, ["data-owner", "legal-compliance"])]
