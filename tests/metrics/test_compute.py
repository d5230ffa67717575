"""Each metric computed from a small hand-made history whose answer is worked out here.

The window is [MON, MON + 7 days); records just outside it (at `until`, before `since`) must not
count. Quantiles are nearest-rank, so every quantile is one of the samples.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataflywheel.domain.policies.sla import DimensionResult, SlaDimension, SlaStatus
from dataflywheel.domain.records.data import Batch, Datasheet, DatasetVersion
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.domain.records.issue import DiscoverySource, Issue, Severity
from dataflywheel.domain.records.raci import Consultation, ConsultState
from dataflywheel.domain.states import BatchState, IssueState, RequirementState, VersionState
from dataflywheel.metrics.compute import History, figures, one

MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
UNTIL = MON + timedelta(days=7)
H = timedelta(hours=1)
DAY_ = timedelta(days=1)


def _req(n: int, *, project: str = "P-A", priority: str = "P1", created: datetime = MON,
         committed: datetime | None = None, started: datetime | None = None,
         delivered: datetime | None = None, state: str | None = None) -> Requirement:
    if state is None:
        state = "delivered" if delivered else "in_progress" if started else (
            "committed" if committed else "triaged")
    return Requirement(id=f"REQ-{n:04d}", title=f"r{n}", project_id=project, requester_id="x",
                       kind=RequirementKind.NEW_DATA, priority=Priority(priority),
                       state=RequirementState(state), created_at=created,
                       committed_at=committed, started_at=started, delivered_at=delivered)


def _sla(req: Requirement, *, breached: bool = False, unmet: str | None = None) -> SlaStatus:
    dims = [DimensionResult(dimension=d, status="unmet" if d.value == unmet else "met",
                            evidence="") for d in SlaDimension]
    return SlaStatus(requirement_id=req.id, priority=req.priority, clock="", due=UNTIL,
                     delivered_at=req.delivered_at, breached=breached, overdue_by_hours=0,
                     escalate_to_data_owner=False, dimensions=dims)


def _batch(n: int, requirement: str, *, state: str = "passed", checked: datetime | None = MON,
           received: datetime = MON, rows: int = 100, bad: int = 0, vendor: str | None = None,
           annotators: tuple[str, ...] = (), **metrics: float) -> Batch:
    return Batch(id=f"B-{n:04d}", dataset_id="ds", contract_version_id="cv",
                 annotator_ids=list(annotators),
                 requirement_id=requirement, delivered_by_vendor_id=vendor,
                 delivered_by_person_id=None if vendor else "engineer",
                 state=BatchState(state), row_count=rows, nonconforming_count=bad,
                 quality_summary={"metrics": metrics}, received_at=received, checked_at=checked,
                 report_sha256="c" * 64 if checked else None)


def test_delivery_cycle_queue_wait_and_throughput() -> None:
    reqs = [_req(1, started=MON + 2 * H, delivered=MON + 24 * H),
            _req(2, project="P-B", created=MON - 48 * H, started=MON + H,
                 delivered=MON + 72 * H),
            _req(3, created=MON, delivered=UNTIL),            # at `until`: next window
            _req(4, created=MON - 10 * 24 * H, started=MON - 24 * H,
                 delivered=MON - H)]                          # before `since`
    h = History(since=MON, until=UNTIL, requirements=reqs)
    cycle = one(h, "delivery_cycle_hours", by="project")
    assert (cycle.value, cycle.samples) == (72.0, 2)  # 24 h and 120 h
    assert cycle.distribution is not None
    assert (cycle.distribution.min, cycle.distribution.median, cycle.distribution.max) == (
        24.0, 24.0, 120.0)
    assert [(g.group, g.value, g.samples) for g in cycle.breakdown] == [
        ("P-A", 24.0, 1), ("P-B", 120.0, 1)]
    assert cycle.examples == {"lowest": ["REQ-0001", "REQ-0002"],
                              "highest": ["REQ-0002", "REQ-0001"]}
    wait = one(h, "queue_wait_hours")
    assert (wait.value, wait.samples) == (25.5, 2)  # 2 h and 49 h; REQ-0004 started before
    assert one(h, "throughput").value == 2.0
    by_week = one(h, "throughput", by="week")
    assert [(g.group, g.value) for g in by_week.breakdown] == [("2026-W48", 2.0)]


def test_wip_counts_what_was_begun_and_not_delivered_by_the_window_end() -> None:
    reqs = [_req(1, committed=MON),                                  # committed, open: counts
            _req(2, committed=MON, started=MON + H),                 # in progress: counts
            _req(3, committed=MON, delivered=UNTIL + H),             # delivered after: counts
            _req(4, committed=MON, delivered=MON + H),               # delivered inside: no
            _req(5, committed=UNTIL + H, state="committed"),         # begun after: no
            _req(6, committed=MON, state="withdrawn"),               # withdrawn: no
            _req(7)]                                                 # never committed: no
    figure = one(History(since=MON, until=UNTIL, requirements=reqs), "wip", by="priority")
    assert (figure.value, figure.samples, figure.distribution) == (3.0, 3, None)
    assert [(g.group, g.value) for g in figure.breakdown] == [("P1", 3.0)]


def test_sla_achievement_needs_all_five_dimensions_met_and_no_breach() -> None:
    reqs = [_req(n, delivered=MON + n * H) for n in range(1, 5)]
    sla = {reqs[0].id: _sla(reqs[0]), reqs[1].id: _sla(reqs[1], breached=True),
           reqs[2].id: _sla(reqs[2], unmet="compliance")}  # REQ-0004: no SLA computed
    figure = one(History(since=MON, until=UNTIL, requirements=reqs, sla=sla),
                 "sla_achievement_rate")
    assert (figure.value, figure.samples) == (0.25, 4)
    assert figure.examples == {"failing": ["REQ-0002", "REQ-0003", "REQ-0004"]}


def test_quality_metrics_per_checked_batch_with_their_spread() -> None:
    reqs = [_req(1), _req(2, project="P-B")]
    batches = [
        _batch(1, "REQ-0001", vendor="acme", spot_check_pass_rate=0.9, duplicate_rate=0.02,
               rows=200, bad=10),
        _batch(2, "REQ-0001", vendor="acme", state="failed", spot_check_pass_rate=0.7,
               duplicate_rate=0.10, rows=100, bad=30, received=MON + H),
        _batch(3, "REQ-0002", vendor="zeta", spot_check_pass_rate=1.0, rows=50, bad=0,
               received=MON + 2 * H),
        _batch(4, "REQ-0001", state="awaiting_review", checked=MON + 3 * H,
               received=MON + 3 * H, rows=10, bad=1),       # rework: after the failed B-0002
        _batch(5, "REQ-0002", state="received", checked=None,
               received=MON + 4 * H),                             # not checked yet
        _batch(6, "REQ-0001", checked=UNTIL, received=UNTIL),       # next window
    ]
    h = History(since=MON, until=UNTIL, requirements=reqs, batches=batches)
    spot = one(h, "spot_check_pass_rate", by="vendor")
    assert (spot.value, spot.samples) == (0.8667, 3)
    assert [(g.group, g.value, g.samples) for g in spot.breakdown] == [
        ("acme", 0.8, 2), ("zeta", 1.0, 1)]
    assert one(h, "duplication_rate").value == 0.06
    anomaly = one(h, "anomaly_rate")  # 10/200, 30/100, 0/50, 1/10
    assert (anomaly.value, anomaly.samples) == (0.1125, 4)
    passed = one(h, "batch_pass_rate", by="project")  # awaiting review is not counted
    assert (passed.value, passed.samples) == (0.6667, 3)
    assert [(g.group, g.value) for g in passed.breakdown] == [("P-A", 0.5), ("P-B", 1.0)]
    rework = one(h, "rework_rate")  # received in window: B-1..B-5; only B-0004 is rework
    assert (rework.value, rework.samples) == (0.2, 5)
    assert one(h, "iaa").value is None  # nothing measured is no figure, not 0


def test_issue_closure_and_version_record_completeness() -> None:
    def issue(n: int, opened: datetime, closed: datetime | None) -> Issue:
        return Issue(id=f"ISS-{n:04d}", title="t", severity=Severity.P1,
                     source=DiscoverySource.MANUAL, project_id="P-A", opened_at=opened,
                     state=IssueState.CLOSED if closed else IssueState.NEW, closed_at=closed)

    issues = [issue(1, MON - 24 * H, MON + 6 * H), issue(2, MON, MON + 2 * H),
              issue(3, MON, None)]
    full = Datasheet(objective="o", sources=["s"], sample_size=1, cleaning_rules=["c"],
                     annotation_standard="a", guide_version="g", quality_summary="q",
                     compliance_conclusion="ok", known_defects=[], applicable_scenarios=["x"],
                     inapplicable_scenarios=["y"])

    def version(n: int, sheet: Datasheet, frozen: datetime | None) -> DatasetVersion:
        return DatasetVersion(id=f"V-{n}", dataset_id="ds", number=n if frozen else None,
                              created_by_id="x",
                              state=VersionState.FROZEN if frozen else VersionState.CANDIDATE,
                              datasheet=sheet, approved_by_id="owner", compliance="approved",
                              quality_summary={"report_sha256": "a" * 64}, frozen_at=frozen,
                              manifest_sha256="b" * 64 if frozen else None)

    versions = [version(1, full, MON + H), version(2, Datasheet(objective="o"), MON + 2 * H),
                version(3, Datasheet(), None)]
    h = History(since=MON, until=UNTIL, issues=issues, versions=versions,
                dataset_project={"ds": "P-A"})
    closure = one(h, "issue_closure_hours", by="severity")
    assert (closure.value, closure.samples) == (16.0, 2)  # 30 h and 2 h
    assert [(g.group, g.value) for g in closure.breakdown] == [("P1", 16.0)]
    complete = one(h, "version_record_completeness_rate", by="project")
    assert (complete.value, complete.samples) == (0.5, 2)
    assert complete.examples == {"failing": ["V-2"]}


def test_a_batch_by_several_annotators_counts_in_each_annotators_group_once_in_the_figure(
) -> None:
    batches = [
        _batch(1, "REQ-0001", annotators=("ann-2", "ann-1"), spot_check_pass_rate=0.9),
        _batch(2, "REQ-0001", annotators=("ann-1",), spot_check_pass_rate=0.6),
        _batch(3, "REQ-0001", spot_check_pass_rate=1.0),  # no annotator recorded
    ]
    spot = one(History(since=MON, until=UNTIL, requirements=[_req(1)], batches=batches),
               "spot_check_pass_rate", by="annotator")
    assert (spot.value, spot.samples) == (0.8333, 3)  # (0.9 + 0.6 + 1.0) / 3: B-0001 once
    assert [(g.group, g.value, g.samples) for g in spot.breakdown] == [
        ("(none)", 1.0, 1), ("ann-1", 0.75, 2), ("ann-2", 0.9, 1)]


def test_a_breakdown_a_metric_does_not_have_is_left_out_and_layers_filter() -> None:
    h = History(since=MON, until=UNTIL, requirements=[_req(1, delivered=MON + H)])
    figure = one(h, "delivery_cycle_hours", by="vendor")
    assert (figure.by, figure.breakdown) == (None, [])
    from dataflywheel.metrics.definitions import Layer

    assert {f.layer for f in figures(h, layer=Layer.QUALITY)} == {"quality_stability"}
    assert len(figures(h)) == 27


@pytest.mark.parametrize("values, expected", [([5.0], (5.0, 5.0, 5.0)),
                                               ([1.0, 2.0, 3.0, 4.0], (1.0, 2.0, 4.0))])
def test_quantiles_are_nearest_rank(values: list[float], expected: tuple[float, ...]) -> None:
    from dataflywheel.metrics.measure import distribution

    d = distribution(values)
    assert (d.p25, d.median, d.max) == expected


def test_error_sample_reduction_against_the_baseline() -> None:
    from dataflywheel.domain.records.experiment import Experiment, ExperimentKind

    def run(n: int, baseline: int | None, ended: datetime | None) -> Experiment:
        return Experiment(id=f"EXP-{n:04d}", title="t", kind=ExperimentKind.EXPLORATORY,
                          model_version="m", project_id="P-A", started_at=MON - 30 * DAY_,
                          ended_at=ended, state="completed" if ended else "running",
                          baseline_experiment_id=f"EXP-{baseline:04d}" if baseline else None)

    runs = [run(2, 1, MON + H), run(3, 1, MON + 2 * H), run(4, 9, MON + 3 * H),
            run(5, 1, UNTIL)]  # EXP-0004's baseline has no samples; EXP-0005 ends next window
    h = History(since=MON, until=UNTIL, experiments=runs,
                error_samples={"EXP-0001": 40, "EXP-0002": 30, "EXP-0003": 50})
    figure = one(h, "error_sample_reduction_rate", by="kind")
    assert (figure.value, figure.samples) == (0.0, 2)  # +25% and −25%
    assert figure.examples == {"lowest": ["EXP-0003", "EXP-0002"],
                               "highest": ["EXP-0002", "EXP-0003"]}
    # By question type: within each type the baseline had errors in, the run's own reduction.
    # EXP-0001 erred 30× on geometry, 10× on algebra; EXP-0002 10× and 20×; EXP-0003 30× and 20×.
    typed = History(since=MON, until=UNTIL, experiments=runs,
                    error_samples={"EXP-0001": 40, "EXP-0002": 30, "EXP-0003": 50},
                    error_categories={"EXP-0001": {"geometry": 30, "algebra": 10},
                                      "EXP-0002": {"geometry": 10, "algebra": 20},
                                      "EXP-0003": {"geometry": 30, "algebra": 20}})
    by_type = one(typed, "error_sample_reduction_rate", by="question_type")
    assert (by_type.value, by_type.samples) == (0.0, 2)  # the figure itself is unchanged
    # geometry: EXP-0002 (30−10)/30, EXP-0003 (30−30)/30; algebra: (10−20)/10, (10−20)/10
    assert [(g.group, g.value, g.samples) for g in by_type.breakdown] == [
        ("algebra", -1.0, 2), ("geometry", 0.3333, 2)]


def test_reuse_counts_first_uses_by_other_projects_than_the_owner() -> None:
    from dataflywheel.metrics.compute import Use

    def use(what: str, user: str, at: datetime, via: str) -> Use:
        return Use(what=what, owner="P-A", user=user, since=at, via=via)

    uses = [use("dataset:d1", "P-B", MON + H, "experiment EXP-0002"),
            use("dataset:d1", "P-B", MON, "experiment EXP-0001"),    # first by P-B: counts
            use("dataset:d1", "P-C", MON + H, "experiment EXP-0003"),
            use("asset:a2", "P-B", MON + 2 * H, "asset a2 use by P-B"),
            use("dataset:d1", "P-A", MON + H, "experiment EXP-0004"),   # its own project
            use("asset:a2", "P-C", UNTIL, "asset a2 use by P-C")]       # next window
    h = History(since=MON, until=UNTIL, uses=uses)
    count = one(h, "dataset_reuse_count", by="project")
    assert (count.value, [(g.group, g.value) for g in count.breakdown]) == (
        3.0, [("P-B", 2.0), ("P-C", 1.0)])
    assert one(h, "reusing_projects").value == 2.0


def test_advance_notice_counts_breaking_versions_by_their_effect() -> None:
    from dataflywheel.domain.records.contract import ContractNotice, ContractVersionRecord
    from dataflywheel.domain.states import ContractVersionState

    def version(vid: str, effective: datetime, *, change: str = "breaking",
                state: str = "active", reason: str | None = None) -> ContractVersionRecord:
        return ContractVersionRecord(
            id=vid, contract_id=vid.split("@")[0], semver=vid.split("@")[1],
            state=ContractVersionState(state), document="d", document_sha256="d" * 64,
            change_class=change, proposed_by="x", proposed_at=effective - 20 * DAY_,
            effective_from=effective, notice_days=14, short_notice_reason=reason)

    def notice(vid: str, person: str, days_ahead: float, effective: datetime) -> ContractNotice:
        return ContractNotice(id=f"{vid}:{person}", contract_version_id=vid, person_id=person,
                              letter="I", sent_at=effective - days_ahead * DAY_,
                              effective_at=effective)

    a, b, c, s = MON + H, MON + 2 * H, MON + 3 * H, MON + 4 * H
    versions = [version("c1@2.0.0", a),                  # 14.0 days exactly: on time
                version("c1@3.0.0", b, state="proposed"),  # one notice 10 days: late
                version("c2@2.0.0", c),                  # no notice at all: late
                version("c3@2.0.0", s, reason="legal takedown"),  # short, with reason: late
                version("c2@1.1.0", a, change="compatible"),      # needs no notice
                version("c2@3.0.0", s, state="rejected"),         # never took effect
                version("c1@4.0.0", UNTIL),                       # next window
                version("c1@1.5.0", MON - H)]                     # before the window
    notices = {"c1@2.0.0": [notice("c1@2.0.0", "p", 14.0, a), notice("c1@2.0.0", "q", 20, a)],
               "c1@3.0.0": [notice("c1@3.0.0", "p", 15, b), notice("c1@3.0.0", "q", 10, b)],
               "c3@2.0.0": [notice("c3@2.0.0", "p", 3, s)],
               "c1@4.0.0": [notice("c1@4.0.0", "p", 20, UNTIL)]}
    h = History(since=MON, until=UNTIL, contract_versions=versions, notices=notices,
                contract_project={"c1": "P-A", "c2": "P-B"})
    rate = one(h, "advance_notice_rate", by="contract")
    assert (rate.value, rate.samples) == (0.25, 4)
    assert rate.examples == {"failing": ["c1@3.0.0", "c2@2.0.0", "c3@2.0.0"]}
    assert [(g.group, g.value, g.samples) for g in rate.breakdown] == [
        ("c1", 0.5, 2), ("c2", 0.0, 1), ("c3", 0.0, 1)]
    by_project = one(h, "advance_notice_rate", by="project")  # c3 belongs to no project
    assert [(g.group, g.value) for g in by_project.breakdown] == [
        ("(none)", 0.0), ("P-A", 0.5), ("P-B", 0.0)]
    assert one(History(since=MON, until=UNTIL, contract_versions=versions[4:]),
               "advance_notice_rate").value is None  # nothing that needed notice: no figure


def _consultation(n: int, *, requested: datetime, due: datetime, state: str = "answered",
                  closed: datetime | None = None, item: str = "release") -> Consultation:
    return Consultation(id=f"CNS-{n:04d}", item_id=item, record_kind="dataset_version",
                        record_id="V-1", person_id="p", requested_by_id="owner",
                        requested_at=requested, due_at=due, state=ConsultState(state),
                        response="ok" if state == "answered" else None, closed_at=closed)


def test_consultations_answered_time_and_the_share_answered_by_the_deadline() -> None:
    asked = [
        _consultation(1, requested=MON, closed=MON + 6 * H, due=MON + 24 * H),
        _consultation(2, requested=MON - 24 * H, closed=MON + 2 * H, due=MON + 3 * H,
                      item="collection"),
        _consultation(3, requested=MON, due=MON + 48 * H, state="unanswered",
                      closed=MON + 48 * H),
        _consultation(4, requested=MON, due=MON + 72 * H, state="requested"),  # due, not recorded
        _consultation(5, requested=MON, due=MON + 120 * H, state="requested"),  # not due when read
        _consultation(6, requested=MON - 10 * DAY_, closed=MON - 8 * DAY_, due=MON - 7 * DAY_),
        _consultation(7, requested=MON, closed=UNTIL, due=UNTIL + H),          # next window
        _consultation(8, requested=UNTIL - 2 * H, closed=UNTIL - H, due=UNTIL + DAY_),
    ]
    h = History(since=MON, until=UNTIL, consultations=asked, read_at=MON + 96 * H)
    hours = one(h, "consultation_response_hours")
    assert (hours.value, hours.samples) == (11.0, 3)  # 6 h, 26 h, 1 h; no unanswered one
    assert hours.examples == {"lowest": ["CNS-0008", "CNS-0001", "CNS-0002"],
                              "highest": ["CNS-0002", "CNS-0001", "CNS-0008"]}
    answered = one(h, "consultation_answer_rate", by="raci_item")  # due in the window: 1–4
    assert (answered.value, answered.samples) == (0.5, 4)
    assert answered.examples == {"failing": ["CNS-0003", "CNS-0004"]}
    assert [(g.group, g.value, g.samples) for g in answered.breakdown] == [
        ("collection", 1.0, 1), ("release", 0.3333, 3)]
    every_deadline_passed = History(since=MON, until=UNTIL, consultations=asked)
    assert one(every_deadline_passed, "consultation_answer_rate").samples == 5  # CNS-0005 too


def _run(n: int, *, baseline: int | None = None, model: str = "m1", key: str | None = None,
         ended: datetime | None = MON + H, **metrics: float) -> Experiment:
    from dataflywheel.domain.records.experiment import ExperimentKind

    params: dict[str, object] = {"lr": 1e-5, **({"key_metric": key} if key else {})}
    return Experiment(id=f"EXP-{n:04d}", title="t", kind=ExperimentKind.FORMAL,
                      model_version=model, project_id="P-A", params=params, metrics=metrics,
                      started_at=MON - 30 * DAY_, ended_at=ended,
                      state="completed" if ended else "running",
                      baseline_experiment_id=f"EXP-{baseline:04d}" if baseline else None)


def test_key_evaluation_improvement_and_the_part_data_alone_brought() -> None:
    base = _run(1, key="accuracy", accuracy=0.50, loss=2.0, ended=MON - 30 * DAY_)  # names the key
    loss_base = _run(5, eval_loss=2.0, ended=MON - 30 * DAY_)
    two_metrics = _run(7, f1=0.6, bleu=0.3, ended=MON - 30 * DAY_)
    zero = _run(12, accuracy=0.0, ended=MON - 30 * DAY_)
    runs = [_run(2, baseline=1, accuracy=0.55, loss=1.9),           # +10 %, only data changed
            _run(3, baseline=1, model="m2", accuracy=0.60),         # +20 %, a new model
            _run(4, baseline=1, accuracy=0.45),                     # −10 %, same versions
            _run(6, baseline=5, eval_loss=1.5),                     # loss 2.0 → 1.5: +25 %
            _run(8, baseline=7, f1=0.7, bleu=0.2),                  # no key metric: n/a
            _run(9, baseline=1, accuracy=0.9, ended=UNTIL),         # next window
            _run(10, baseline=1, key="rouge", accuracy=0.9),            # its key is not measured
            _run(11, baseline=12, accuracy=0.5)]                    # a baseline of 0: n/a
    used = {"EXP-0001": frozenset({"v1"}), "EXP-0002": frozenset({"v1", "v2"}),
            "EXP-0003": frozenset({"v2"}), "EXP-0004": frozenset({"v1"}),
            "EXP-0005": frozenset({"v3"}), "EXP-0006": frozenset({"v4"})}
    h = History(since=MON, until=UNTIL, experiments=runs, experiment_versions=used,
                baselines={b.id: b for b in (base, loss_base, two_metrics, zero)})
    key = one(h, "key_evaluation_improvement", by="key_metric")
    assert (key.value, key.samples) == (0.1125, 4)  # (0.10 + 0.20 − 0.10 + 0.25) / 4
    assert [(g.group, g.value, g.samples) for g in key.breakdown] == [
        ("accuracy", 0.0667, 3), ("eval_loss", 0.25, 1)]
    assert key.examples["lowest"][0] == "EXP-0004"
    data = one(h, "data_gain_contribution")
    assert (data.value, data.samples) == (0.175, 2)  # EXP-0002 (+10 %) and EXP-0006 (+25 %)
    assert data.examples == {"lowest": ["EXP-0002", "EXP-0006"],
                             "highest": ["EXP-0006", "EXP-0002"]}
    no_versions = History(since=MON, until=UNTIL, experiments=runs, baselines=h.baselines)
    assert one(no_versions, "data_gain_contribution").value is None  # versions unknown: n/a


def test_duplicate_collection_avoided_sums_the_records_other_projects_reused() -> None:
    from dataflywheel.metrics.compute import Use

    def use(version: str, user: str, at: datetime, via: str) -> Use:
        return Use(what=version, owner="P-A", user=user, since=at, via=via)

    uses = [use("V-1", "P-B", MON + H, "experiment EXP-0002"),
            use("V-1", "P-B", MON, "experiment EXP-0001"),      # P-B's first use of V-1
            use("V-1", "P-C", MON + 2 * H, "experiment EXP-0003"),
            use("V-2", "P-B", MON + 3 * H, "asset a2 use by P-B"),
            use("V-3", "P-B", MON + 4 * H, "experiment EXP-0004"),   # no batches: 0 records
            use("V-1", "P-A", MON + H, "experiment EXP-0005"),       # its own project
            use("V-2", "P-C", UNTIL, "experiment EXP-0006"),         # next window
            use("V-2", "P-C", MON - H, "experiment EXP-0007")]       # before the window
    h = History(since=MON, until=UNTIL, version_uses=uses,
                version_rows={"V-1": 1200, "V-2": 300})
    avoided = one(h, "duplicate_collection_avoided", by="project")
    assert (avoided.value, avoided.samples) == (2700.0, 4)
    assert [(g.group, g.value, g.samples) for g in avoided.breakdown] == [
        ("P-B", 1500.0, 3), ("P-C", 1200.0, 1)]
