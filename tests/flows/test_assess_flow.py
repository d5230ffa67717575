"""`flows.assess.assess` on a workspace built through the flows, on both backends: the counts the
checklist judges are the records' (window edges included), the same records give the same bytes,
and bad input is refused naming what was expected, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.assess import assess
from dataflywheel.flows.demand.lifecycle import triage
from dataflywheel.flows.demand.requirements import submit_requirement
from dataflywheel.flows.issues import lifecycle as issues
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.maturity import Level
from dataflywheel.reports.render import render

AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _requirement(ws: Workspace, at: datetime, *, templated: bool) -> str:
    extra = ({"deadline": at + 6 * DAY, "acceptance_criteria": "500 items"} if templated
             else {})
    return submit_requirement(ws, title="geometry items", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority.P1, target_metric="geometry +3pt",
                              accountable_id="data-owner", now=at, **extra).id


def _levels(found: object) -> dict[str, int]:
    return {j.dimension: j.level for j in found.checklist}  # type: ignore[attr-defined]


def test_the_checklist_counts_the_windows_records(team: Workspace) -> None:
    reviewed = _requirement(team, AS_OF - 10 * DAY, templated=True)
    triage(team, reviewed, now=AS_OF - 9 * DAY)
    _requirement(team, AS_OF - 5 * DAY, templated=False)
    _requirement(team, AS_OF - 100 * DAY, templated=False)  # before the 91-day window
    _requirement(team, AS_OF + DAY, templated=False)  # after it: as_of bounds the window
    issues.open_issue(team, title="duplicates in batch", severity="P1", source="manual",
                      project_id="P-TEST", now=AS_OF - 3 * DAY)

    found = assess(team, as_of=AS_OF)
    facts = found.facts
    assert (facts["window_requirements"], facts["window_requirements_templated"],
            facts["window_requirements_reviewed"]) == (2, 1, 1)
    assert facts["requirements"] == 4  # in all, whatever the window
    assert (facts["open_serious_issues"], facts["open_serious_owned_and_due"]) == (1, 0)
    assert facts["raci_problems"] == []
    assert facts["producer_roles_held"] == ["data_engineer", "annotation_engineer"]
    levels = _levels(found)
    # 1 of 2 templated is under 90%: the Demand Pool is used, not yet run by its template.
    assert levels["Requirement management"] == Level.PARTIALLY_ESTABLISHED
    # one A per item, but nobody consulted in the window.
    assert levels["Role responsibility"] == Level.STABLY_RUNNING
    assert levels["Incident post-mortems"] == Level.PARTIALLY_ESTABLISHED
    assert found.stage.number == 1
    week9 = found.roadmap[8]
    assert (week9.status.value, week9.evidence) == (
        "not met", "0 of 1 open P0/P1 issue(s) have an owner and a deadline")
    assert [q.key for q in found.questions] == ["release", "experiment", "guide", "preventive",
                                                "reuse", "expiring", "fluctuation", "onboarding"]

    issues.assign(team, found_issue(team), owner_id="data-engineer", now=AS_OF - 2 * DAY)
    again = assess(team, as_of=AS_OF)
    assert again.facts["open_serious_owned_and_due"] == 1
    assert again.roadmap[8].status.value == "met"
    assert again.inputs_sha256 != found.inputs_sha256


def found_issue(ws: Workspace) -> str:
    from dataflywheel.store.repositories.issues import Issues

    with ws.db.session() as s:
        return Issues(s).list()[0].id


def test_the_same_records_give_the_same_bytes_in_every_format(team: Workspace) -> None:
    _requirement(team, AS_OF - 10 * DAY, templated=True)
    for fmt in ("markdown", "html", "json"):
        first = render(assess(team, as_of=AS_OF), fmt)  # type: ignore[arg-type]
        assert render(assess(team, as_of=AS_OF), fmt) == first  # type: ignore[arg-type]
    text = render(assess(team, as_of=AS_OF), "markdown")
    assert text.startswith("# DataOps self-assessment — as of 2026-11-30 12:00")
    assert "## Maturity stage (Table 24-2): 1 — Scripted collaboration" in text
    assert "| Requirement management | stably running |" in text


@pytest.mark.parametrize("days", [6, 3661, -1])
def test_a_window_outside_a_week_to_ten_years_is_refused_and_nothing_is_written(
        team: Workspace, days: int) -> None:
    from dataflywheel.store.tables.audit import AuditEntryRow
    from sqlalchemy import func, select

    with team.db.session() as s:
        before = s.execute(select(func.count()).select_from(AuditEntryRow)).scalar_one()
    with pytest.raises(BadInput) as info:
        assess(team, as_of=AS_OF, window_days=days)
    assert info.value.field == "window_days"
    assert "7..3660 days" in str(info.value)
    with team.db.session() as s:
        assert s.execute(select(func.count()).select_from(AuditEntryRow)).scalar_one() == before


def test_a_report_counts_for_the_period_it_covers_not_for_when_it_was_sent(
        team: Workspace) -> None:
    from dataflywheel.flows.cadence import monday_report, send

    send(team, "monday", monday_report(team, week="2026-W47"))  # sent today, covers W47
    send(team, "monday", monday_report(team, week="2026-W48", project="P-TEST"),
         project="P-TEST")  # a project's own: not the team's cadence
    send(team, "monday", monday_report(team, week="2026-W30"))  # before the window
    facts = assess(team, as_of=AS_OF).facts
    assert facts["reports_sent"] == {"monday": 1}
