"""The Company E scorecard: Table 24-24 cell for cell, each row computed by its metric over two
periods from a hand-made history whose answers are worked out here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.policies.sla import SlaStatus
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.records.issue import DiscoverySource, Issue, Severity
from dataflywheel.domain.records.people import Person
from dataflywheel.domain.states import BatchState, IssueState, RequirementState
from dataflywheel.metrics.compute import History, Use
from dataflywheel.metrics.scorecard import SCORECARD, TABLE_24_24, scorecard

# Transcribed from the chapter (ch24, "Table 24-24: Company E Core Metrics Before and After
# DataOps Restructuring"): Metric | Before Restructuring | After Restructuring
TRANSCRIPTION = [
    ("Data delivery delay rate", "~40% (estimated)", "< 10%"),
    ("Annotation batch pass rate", "~82%", "> 93%"),
    ("Data-issue root-cause localization time", "Average 3 days", "Average 4 hours"),
    ("Cross-project data reuse rate", "~5%", "> 30%"),
    ("Onboarding time for new members", "~3 weeks", "~1 week"),
]
T0 = datetime(2026, 10, 1, tzinfo=UTC)
T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = datetime(2026, 12, 1, tzinfo=UTC)
H = timedelta(hours=1)


def test_table_24_24_cell_for_cell_and_every_row_computed() -> None:
    assert list(TABLE_24_24) == TRANSCRIPTION
    assert list(SCORECARD) == [row[0] for row in TRANSCRIPTION]


def _req(n: int, kind: str, delivered: datetime) -> Requirement:
    return Requirement(id=f"REQ-{n:04d}", title="t", project_id="P-A", requester_id="x",
                       kind=RequirementKind(kind), priority=Priority.P1,
                       state=RequirementState.DELIVERED, created_at=delivered - 24 * H,
                       delivered_at=delivered)


def _sla(req: Requirement, breached: bool) -> SlaStatus:
    return SlaStatus(requirement_id=req.id, priority=req.priority, clock="", due=T2,
                     delivered_at=req.delivered_at, breached=breached, overdue_by_hours=0,
                     escalate_to_data_owner=False)


def _batch(n: int, requirement: str, passed: bool, at: datetime) -> Batch:
    return Batch(id=f"B-{n}", dataset_id="d", contract_version_id="c",
                 requirement_id=requirement, delivered_by_person_id="x",
                 state=BatchState.PASSED if passed else BatchState.FAILED, row_count=10,
                 received_at=at, checked_at=at, report_sha256="a" * 64)


def _history(since: datetime, until: datetime) -> History:
    r1, r2, r3 = (_req(1, "annotation", T0 + H), _req(2, "new_data", T0 + 2 * H),
                  _req(3, "annotation", T1 + H))
    issues = [Issue(id=f"ISS-{n:04d}", title="t", severity=Severity.P1,
                    source=DiscoverySource.MANUAL, opened_at=at, resolved_at=at + hours * H,
                    state=IssueState.RESOLVED, root_cause=cause)
              for n, at, hours, cause in ((1, T0, 72, "bad source"), (2, T1, 4, "dup"),
                                          (3, T1, 9, ""))]
    people = [Person(id="new", name="New", created_at=T1 + H),
              Person(id="old", name="Old", created_at=T0 + H)]
    uses = [Use(what="dataset:d", owner="P-A", user="P-B", since=T1 + H, via="experiment E"),
            Use(what="dataset:e", owner="P-A", user="P-A", since=T1 + H, via="experiment F"),
            Use(what="dataset:e", owner="P-A", user="P-A", since=T0 + H, via="experiment G")]
    return History(since=since, until=until, requirements=[r1, r2, r3],
                   sla={r1.id: _sla(r1, True), r2.id: _sla(r2, False), r3.id: _sla(r3, False)},
                   batches=[_batch(1, r1.id, False, T0 + 3 * H), _batch(2, r2.id, True, T0 + H),
                            _batch(3, r3.id, True, T1 + 2 * H)],
                   requirement_kind={r1.id: "annotation", r2.id: "new_data",
                                     r3.id: "annotation"},
                   issues=issues, people=people, uses=uses,
                   first_action={"new": T1 + 169 * H, "old": T0 + 505 * H})


def test_two_periods_side_by_side() -> None:
    card = scorecard(_history(T0, T1), _history(T1, T2))
    got = {r.metric: (r.before.value, r.after.value, r.change) for r in card.rows}
    assert got == {
        "delivery_delay_rate": (0.5, 0.0, -0.5),
        "annotation_batch_pass_rate": (0.0, 1.0, 1.0),      # B-2 is not annotation
        "root_cause_localization_hours": (72.0, 4.0, -68.0),  # ISS-0003 has no root cause
        "cross_project_reuse_rate": (0.0, 0.5, 0.5),
        "onboarding_hours": (504.0, 168.0, -336.0),
    }
    assert card.rows[0].company_e_after == "< 10%"
