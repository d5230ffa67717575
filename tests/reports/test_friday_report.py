"""The Friday delivery post-mortem from records built through the flows: next week's items (an
unmet SLA, an overdue requirement, an issue past its remediation deadline) each with its owner,
blockers nobody owns as the table's deviation, the Issue Pool's changes by tier; the same records
give the same bytes; bad input exits 2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.policies.sla import DimensionResult, SlaDimension, SlaStatus
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.cadence import friday_report
from dataflywheel.flows.demand.lifecycle import commit_week, start, triage
from dataflywheel.flows.demand.requirements import submit_requirement
from dataflywheel.flows.issues import lifecycle as issues
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.friday import friday_review
from dataflywheel.reports.render import render

MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _started(ws: Workspace, title: str, at: datetime, deadline: datetime,
             responsible: str | None) -> str:
    rid = submit_requirement(ws, title=title, project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, deadline=deadline, acceptance_criteria="a",
                             target_metric="m", accountable_id="data-owner",
                             responsible_id=responsible, now=at).id
    triage(ws, rid, now=at)
    commit_week(ws, [rid], week="2026-W47", now=at)
    start(ws, rid, now=at)
    return rid


def test_items_owners_and_unowned_blockers(team: Workspace) -> None:
    late = _started(team, "Late and owned", MON - 10 * DAY, MON + 2 * DAY, "data-engineer")
    orphan = _started(team, "Late and nobody's", MON - 10 * DAY, MON + 3 * DAY, None)
    _started(team, "On time", MON - 2 * DAY, MON + 20 * DAY, "data-engineer")
    stale = issues.open_issue(team, title="schema drift", severity="P1", source="quality_check",
                              project_id="P-TEST", now=MON - 10 * DAY)
    fresh = issues.open_issue(team, title="typo", severity="P3", source="manual",
                              project_id="P-TEST", owner_id="data-engineer", now=MON + DAY)
    issues.acknowledge(team, fresh.id, now=MON + DAY)
    issues.resolve(team, fresh.id, resolution="fixed", now=MON + 2 * DAY)
    issues.close(team, fresh.id, now=MON + 2 * DAY)

    report = friday_report(team, week="2026-W48")
    assert [(i.kind, i.record_id, i.owner) for i in report.next_week] == [
        ("overdue_requirement", late, "data-engineer"), ("overdue_requirement", orphan, None),
        ("unresolved_issue", stale.id, None)]
    assert [(d.kind, d.record_id) for d in report.deviations] == [
        ("blocker_without_owner", orphan), ("blocker_without_owner", stale.id)]
    assert (report.issues.opened, report.issues.resolved, report.issues.closed) == (
        {"P3": 1}, 1, 1)
    markdown = render(report, "markdown")
    assert f"- overdue_requirement: {orphan} (owner nobody) — P1 past its deadline" in markdown
    assert "Opened: P3 × 1; resolved 1; closed 1." in markdown
    for fmt in ("markdown", "html", "json"):
        assert render(friday_report(team, week="2026-W48"), fmt) == render(  # type: ignore[arg-type]
            report, fmt)  # type: ignore[arg-type]


def test_sla_records_name_the_unmet_dimensions(team: Workspace) -> None:
    rid = _started(team, "Delivered", MON - 3 * DAY, MON + 4 * DAY, "data-engineer")
    dims = [DimensionResult(dimension=d, status="pending" if d is SlaDimension.COMPLIANCE
                            else "met", evidence="") for d in SlaDimension]
    status = SlaStatus(requirement_id=rid, priority=Priority.P1, clock="", due=MON + 4 * DAY,
                       delivered_at=MON + DAY, breached=False, overdue_by_hours=0,
                       escalate_to_data_owner=False, dimensions=dims)
    with team.db.session() as s:
        report = friday_review(s, week="2026-W48", sla={rid: status})
    assert [(r.requirement_id, r.met, r.unmet) for r in report.sla] == [(rid, False,
                                                                         ["compliance"])]
    assert [(i.kind, i.detail) for i in report.next_week][:1] == [
        ("sla", "SLA unmet in compliance")]


def test_bad_input_exits_2(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("report", "friday", "--week", "2026-W40")
    assert shown.code == 0, shown.err
    assert "No requirement was delivered this week." in shown.out
    bad = cli("report", "friday", "--week", "2026-W99")
    assert bad.code == 2 and "not an ISO week" in bad.err
