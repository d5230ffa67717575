"""The monthly review: every metric month on month, an improvement plan of at most three metrics
(the ones that moved most against their good direction) with their definitions' actions, an
interpretation whose claims name their records, the month's post-mortems, and no invented cost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.states import BatchState, RequirementState
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.compute import History
from dataflywheel.reports.monthly import monthly_review
from dataflywheel.reports.render import render

OCT, NOV, DEC = (datetime(2026, m, 1, tzinfo=UTC) for m in (10, 11, 12))
H = timedelta(hours=1)


def _history(since: datetime, until: datetime, cycle_hours: int, failed: int) -> History:
    reqs = [Requirement(id=f"REQ-{since.month:02d}{n:02d}", title="t", project_id="P-A",
                        requester_id="x", kind=RequirementKind.NEW_DATA, priority=Priority.P1,
                        state=RequirementState.DELIVERED, created_at=since + H,
                        delivered_at=since + (1 + cycle_hours) * H) for n in range(2)]
    batches = [Batch(id=f"B-{since.month}-{n}", dataset_id="d", contract_version_id="c",
                     requirement_id=reqs[0].id, delivered_by_person_id="x",
                     state=BatchState.FAILED if n < failed else BatchState.PASSED,
                     row_count=10, nonconforming_count=5 if n < failed else 0,
                     received_at=since + 2 * H, checked_at=since + 2 * H, report_sha256="a" * 64)
               for n in range(4)]
    return History(since=since, until=until, requirements=reqs, batches=batches)


def test_the_plan_follows_what_got_worse_and_claims_name_records(team: Workspace) -> None:
    with team.db.session() as s:
        review = monthly_review(s, before=_history(OCT, NOV, 10, 0),
                                month=_history(NOV, DEC, 40, 2))
    worse = {m.metric for m in review.movements if m.worse}
    assert worse == {"delivery_cycle_hours", "anomaly_rate", "batch_pass_rate"}
    assert [p.metric for p in review.plan] == [  # anomaly from 0: its absolute change ranks
        "delivery_cycle_hours", "batch_pass_rate", "anomaly_rate"]
    claim = next(c for c in review.interpretation if c.startswith("delivery_cycle_hours"))
    assert claim == ("delivery_cycle_hours moved 10.0 h → 40.0 h (worse); see REQ-1100, "
                     "REQ-1101")
    assert review.cost.startswith("no cost records are kept")
    assert review.post_mortems == [] and review.adjustments == []
    with team.db.session() as s:
        again = monthly_review(s, before=_history(OCT, NOV, 10, 0),
                               month=_history(NOV, DEC, 40, 2))
    assert render(again, "markdown") == render(review, "markdown")
    assert "## Improvement plan (3)" in render(review, "markdown")


def test_bad_month_exits_2(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("report", "monthly", "--month", "2026-11").code == 0
    bad = cli("report", "monthly", "--month", "November")
    assert bad.code == 2 and "not a month" in bad.err


def test_a_stale_onboarding_guide_shows_up_in_the_monthly_review(team: Workspace) -> None:
    """Table 24-18: onboarding guides are reviewed quarterly, best practices monthly; decision
    records are decision-triggered and never stale by age."""
    from dataflywheel.flows.issues.kb import add_document
    from dataflywheel.reports.monthly import stale_documents

    old = add_document(team, kind="onboarding", title="Week one for data engineers",
                       body="Tools, roles, the Demand Pool.", now=NOV - timedelta(days=120))
    add_document(team, kind="onboarding", title="Fresh guide", body="Reviewed.",
                 now=NOV - timedelta(days=10))
    add_document(team, kind="decision_record", title="Keep SQLite as the default",
                 body="Embedded first.", now=NOV - timedelta(days=400))
    with team.db.session() as s:
        review = monthly_review(s, before=_history(OCT, NOV, 10, 0),
                                month=_history(NOV, DEC, 10, 0))
        assert [d.id for d in stale_documents(s, NOV - timedelta(days=60), None)] == []
    assert [(d.id, d.kind) for d in review.stale_documents] == [(old.id, "onboarding")]
    assert review.stale_documents[0].maintainers == "Team lead, senior members"
    text = render(review, "markdown")
    assert "## Knowledge base past its review cadence (1)" in text
    assert f"- {old.id} (onboarding) Week one for data engineers: last updated 2026-07-04" in text
