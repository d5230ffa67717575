"""Each metric's samples from a window of records (`History`): pure functions, no store.

A flow gathers the records once (`flows.metrics`); each function here picks the records its
definition names and turns each into a `Sample` with its groups. Windows are half-open
[since, until): a record counts in the window in which its defining moment falls (delivered,
started, checked, closed, frozen).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime

from dataflywheel.domain.calendar import iso_week
from dataflywheel.domain.policies.contract_changes import announced_in_time, needs_notice
from dataflywheel.domain.policies.evaluation import key_improvement, only_data_changed
from dataflywheel.domain.policies.sla import SlaStatus
from dataflywheel.domain.records.contract import ContractNotice, ContractVersionRecord
from dataflywheel.domain.records.data import Batch, DatasetVersion
from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.domain.records.people import Person
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.records.raci import Consultation, ConsultState
from dataflywheel.domain.states import (
    BatchState,
    ContractVersionState,
    IssueState,
    RequirementState,
)
from dataflywheel.metrics.definitions import BY_ID, Layer, definitions
from dataflywheel.metrics.measure import Figure, Sample, figure

HOUR_S = 3600.0
GONE = frozenset({RequirementState.WITHDRAWN, RequirementState.REJECTED})


@dataclass(frozen=True)
class Use:
    """Project `user` began using `what` (an asset, or a dataset through an experiment's version)
    owned by project `owner` at `since`; `via` says which record shows it."""

    what: str
    owner: str
    user: str
    since: datetime
    via: str


@dataclass(frozen=True)
class History:
    """The records a window's metrics are computed from."""

    since: datetime
    until: datetime
    requirements: Sequence[Requirement] = ()
    open_work: Sequence[Sample] = ()  # WIP counted in the database: begun, open at the end
    sla: Mapping[str, SlaStatus] = field(default_factory=dict)
    batches: Sequence[Batch] = ()
    requirement_project: Mapping[str, str] = field(default_factory=dict)  # of the batches
    issues: Sequence[Issue] = ()
    versions: Sequence[DatasetVersion] = ()
    dataset_project: Mapping[str, str] = field(default_factory=dict)
    experiments: Sequence[Experiment] = ()
    error_samples: Mapping[str, int] = field(default_factory=dict)  # per experiment (+ baselines)
    error_categories: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # the same,
    # per question type (the error sample's category)
    uses: Sequence[Use] = ()
    requirement_kind: Mapping[str, str] = field(default_factory=dict)  # of the batches
    people: Sequence[Person] = ()
    first_action: Mapping[str, datetime] = field(default_factory=dict)  # per person
    contract_versions: Sequence[ContractVersionRecord] = ()
    notices: Mapping[str, Sequence[ContractNotice]] = field(default_factory=dict)  # per version
    contract_project: Mapping[str, str] = field(default_factory=dict)  # of the versions
    consultations: Sequence[Consultation] = ()
    read_at: datetime | None = None  # when read: a request open past it is not yet decided
    baselines: Mapping[str, Experiment] = field(default_factory=dict)  # of the experiments
    experiment_versions: Mapping[str, frozenset[str]] = field(default_factory=dict)  # + baselines
    version_uses: Sequence[Use] = ()  # `what` is a dataset version
    version_rows: Mapping[str, int] = field(default_factory=dict)  # records in its batches

    def within(self, at: datetime | None) -> bool:
        return at is not None and self.since <= at < self.until

    @cached_property
    def project_of_requirement(self) -> dict[str, str]:
        """Each requirement's project: the window's requirements and the batches' ones."""
        return {**{r.id: r.project_id for r in self.requirements}, **self.requirement_project}


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / HOUR_S


def _requirement_groups(r: Requirement) -> dict[str, str]:
    return {"project": r.project_id, "priority": r.priority.value, "kind": r.kind.value}


def delivery_cycle_hours(h: History) -> list[Sample]:
    return [Sample(r.id, _hours(r.created_at, r.delivered_at), _requirement_groups(r))
            for r in h.requirements if r.delivered_at is not None and h.within(r.delivered_at)]


def queue_wait_hours(h: History) -> list[Sample]:
    return [Sample(r.id, _hours(r.created_at, r.started_at), _requirement_groups(r))
            for r in h.requirements if r.started_at is not None and h.within(r.started_at)]


def sla_achievement_rate(h: History) -> list[Sample]:
    def met(r: Requirement) -> float:
        status = h.sla.get(r.id)
        ok = (status is not None and not status.breached and len(status.dimensions) == 5
              and all(d.status == "met" for d in status.dimensions))
        return 1.0 if ok else 0.0

    return [Sample(r.id, met(r), _requirement_groups(r))
            for r in h.requirements if r.delivered_at is not None and h.within(r.delivered_at)]


def wip(h: History) -> list[Sample]:
    def in_progress(r: Requirement) -> bool:
        began = min((t for t in (r.committed_at, r.started_at) if t is not None), default=None)
        return (began is not None and began < h.until and r.state not in GONE
                and (r.delivered_at is None or r.delivered_at >= h.until))

    return [*(Sample(r.id, 1.0, _requirement_groups(r)) for r in h.requirements
              if in_progress(r)), *h.open_work]


def throughput(h: History) -> list[Sample]:
    return [Sample(r.id, 1.0, {**_requirement_groups(r), "week": iso_week(r.delivered_at)})
            for r in h.requirements if r.delivered_at is not None and h.within(r.delivered_at)]


def _batch_groups(h: History) -> Callable[[Batch], dict[str, str | tuple[str, ...]]]:
    project = h.project_of_requirement

    def groups(b: Batch) -> dict[str, str | tuple[str, ...]]:
        found: dict[str, str | tuple[str, ...] | None] = {
            "project": project.get(b.requirement_id), "source": b.source or None,
            "vendor": b.delivered_by_vendor_id, "annotator": tuple(sorted(b.annotator_ids)),
            "guide_version": b.guide_version}
        return {k: v for k, v in found.items() if v}

    return groups


def _checked(h: History) -> list[Batch]:
    return [b for b in h.batches if h.within(b.checked_at)]


def _headline(metric: str) -> Callable[[History], list[Sample]]:
    """Samples of a headline metric the quality report keeps on each batch."""
    def samples(h: History) -> list[Sample]:
        groups = _batch_groups(h)
        out = []
        for b in _checked(h):
            value = b.quality_summary.get("metrics", {}).get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append(Sample(b.id, float(value), groups(b)))
        return out

    return samples


def anomaly_rate(h: History) -> list[Sample]:
    groups = _batch_groups(h)
    return [Sample(b.id, b.nonconforming_count / b.row_count, groups(b))
            for b in _checked(h) if b.row_count > 0]


def batch_pass_rate(h: History) -> list[Sample]:
    groups = _batch_groups(h)
    return [Sample(b.id, 1.0 if b.state is BatchState.PASSED else 0.0, groups(b))
            for b in _checked(h) if b.state in (BatchState.PASSED, BatchState.FAILED)]


def rework_rate(h: History) -> list[Sample]:
    groups = _batch_groups(h)
    failed_at: dict[str, datetime] = {}
    for b in h.batches:
        if b.state is BatchState.FAILED:
            first = failed_at.get(b.requirement_id)
            failed_at[b.requirement_id] = b.received_at if first is None else min(first,
                                                                                  b.received_at)

    def rework(b: Batch) -> float:
        failed = failed_at.get(b.requirement_id)
        return 1.0 if failed is not None and failed < b.received_at else 0.0

    return [Sample(b.id, rework(b), groups(b)) for b in h.batches if h.within(b.received_at)]


def _issue_groups(i: Issue) -> dict[str, str]:
    found = {"project": i.project_id, "severity": i.severity.value, "source": i.source.value}
    return {k: v for k, v in found.items() if v}


def issue_closure_hours(h: History) -> list[Sample]:
    return [Sample(i.id, _hours(i.opened_at, i.closed_at), _issue_groups(i)) for i in h.issues
            if i.state is IssueState.CLOSED and i.closed_at is not None
            and h.within(i.closed_at)]


def version_record_complete(v: DatasetVersion) -> bool:
    """A frozen version's record is complete: datasheet, approval, compliance, quality report."""
    return bool(not v.datasheet.missing() and v.approved_by_id is not None
                and v.compliance.value != "pending" and v.quality_summary.get("report_sha256"))


def version_record_completeness_rate(h: History) -> list[Sample]:
    def complete(v: DatasetVersion) -> float:
        return 1.0 if version_record_complete(v) else 0.0

    def groups(v: DatasetVersion) -> dict[str, str]:
        project = h.dataset_project.get(v.dataset_id)
        return {"project": project} if project else {}

    return [Sample(v.id, complete(v), groups(v)) for v in h.versions if h.within(v.frozen_at)]


def error_sample_reduction_rate(h: History) -> list[Sample]:
    def groups(e: Experiment) -> dict[str, str]:
        return {"kind": e.kind.value, **({"project": e.project_id} if e.project_id else {})}

    def by_type(e: Experiment) -> dict[str, float]:
        """The reduction within each question type the baseline had errors in."""
        base = h.error_categories.get(e.baseline_experiment_id or "", {})
        own = h.error_categories.get(e.id, {})
        return {c: (n - own.get(c, 0)) / n for c, n in base.items() if n > 0}

    out = []
    for e in h.experiments:
        base = h.error_samples.get(e.baseline_experiment_id or "", 0)
        if e.baseline_experiment_id and base > 0 and h.within(e.ended_at):
            out.append(Sample(e.id, (base - h.error_samples.get(e.id, 0)) / base,
                              {**groups(e), "question_type": by_type(e)}))
    return out


def _reuses(h: History, uses: Sequence[Use] | None = None) -> list[Use]:
    """Uses (`h.uses` by default) begun in the window by another project than the owner, the
    first one per (what, user)."""
    first: dict[tuple[str, str], Use] = {}
    for use in sorted(h.uses if uses is None else uses, key=lambda u: (u.since, u.via)):
        if use.owner != use.user and h.within(use.since):
            first.setdefault((use.what, use.user), use)
    return list(first.values())


def dataset_reuse_count(h: History) -> list[Sample]:
    return [Sample(u.via, 1.0, {"project": u.user}) for u in _reuses(h)]


def reusing_projects(h: History) -> list[Sample]:
    return [Sample(p, 1.0, {"project": p}) for p in sorted({u.user for u in _reuses(h)})]


def delivery_delay_rate(h: History) -> list[Sample]:
    return [Sample(r.id, 1.0 if h.sla[r.id].breached else 0.0, _requirement_groups(r))
            for r in h.requirements if r.delivered_at is not None and h.within(r.delivered_at)
            and r.id in h.sla]


def annotation_batch_pass_rate(h: History) -> list[Sample]:
    requirement = {b.id: b.requirement_id for b in h.batches}
    return [s for s in batch_pass_rate(h)
            if h.requirement_kind.get(requirement[s.record]) == "annotation"]


def root_cause_localization_hours(h: History) -> list[Sample]:
    return [Sample(i.id, _hours(i.opened_at, i.resolved_at), _issue_groups(i)) for i in h.issues
            if i.resolved_at is not None and h.within(i.resolved_at)
            and (i.root_cause or "").strip()]


def cross_project_reuse_rate(h: History) -> list[Sample]:
    used: dict[str, tuple[str, set[str]]] = {}
    for u in h.uses:
        if h.within(u.since):
            used.setdefault(u.what, (u.owner, set()))[1].add(u.user)
    return [Sample(what, 1.0 if users - {owner} else 0.0, {"project": owner})
            for what, (owner, users) in sorted(used.items())]


def onboarding_hours(h: History) -> list[Sample]:
    return [Sample(p.id, _hours(p.created_at, h.first_action[p.id]),
                   {"team": p.team_id} if p.team_id else {})
            for p in h.people if h.within(p.created_at) and p.id in h.first_action]


def advance_notice_rate(h: History) -> list[Sample]:
    def groups(v: ContractVersionRecord) -> dict[str, str]:
        project = h.contract_project.get(v.contract_id)
        return {"contract": v.contract_id, **({"project": project} if project else {})}

    return [Sample(v.id, 1.0 if announced_in_time(v.notice_days, h.notices.get(v.id, ())) else 0.0,
                   groups(v))
            for v in h.contract_versions if needs_notice(v.change_class)
            and v.state is not ContractVersionState.REJECTED and h.within(v.effective_from)]


def _consultation_groups(c: Consultation) -> dict[str, str]:
    return {"raci_item": c.item_id, "record_kind": c.record_kind}


def consultation_response_hours(h: History) -> list[Sample]:
    return [Sample(c.id, _hours(c.requested_at, c.closed_at), _consultation_groups(c))
            for c in h.consultations if c.state is ConsultState.ANSWERED
            and c.closed_at is not None and h.within(c.closed_at)]


def consultation_answer_rate(h: History) -> list[Sample]:
    def decided(c: Consultation) -> bool:
        """Answered or unanswered; an open request is unanswered once its deadline passed (an
        answer is refused after it), even before a read records it so."""
        return c.state is not ConsultState.REQUESTED or h.read_at is None or c.due_at <= h.read_at

    return [Sample(c.id, 1.0 if c.state is ConsultState.ANSWERED else 0.0,
                   _consultation_groups(c))
            for c in h.consultations if h.within(c.due_at) and decided(c)]


def _key_gains(h: History, *, data_only: bool) -> list[Sample]:
    """The key metric's relative gain of each run ended in the window over its baseline (of the
    runs whose only change was the data, with `data_only`)."""
    out = []
    for e in h.experiments:
        base = h.baselines.get(e.baseline_experiment_id or "")
        if base is None or not h.within(e.ended_at):
            continue
        if data_only and not only_data_changed(e, base, h.experiment_versions.get(e.id, ()),
                                               h.experiment_versions.get(base.id, ())):
            continue
        found = key_improvement(e, base)
        if found is not None:
            groups = {"kind": e.kind.value, "key_metric": found[0],
                      **({"project": e.project_id} if e.project_id else {})}
            out.append(Sample(e.id, found[1], groups))
    return out


def key_evaluation_improvement(h: History) -> list[Sample]:
    return _key_gains(h, data_only=False)


def data_gain_contribution(h: History) -> list[Sample]:
    return _key_gains(h, data_only=True)


def duplicate_collection_avoided(h: History) -> list[Sample]:
    return [Sample(u.via, float(h.version_rows.get(u.what, 0)), {"project": u.user})
            for u in _reuses(h, h.version_uses)]


SAMPLERS: dict[str, Callable[[History], list[Sample]]] = {
    "delivery_cycle_hours": delivery_cycle_hours,
    "queue_wait_hours": queue_wait_hours,
    "sla_achievement_rate": sla_achievement_rate,
    "wip": wip,
    "throughput": throughput,
    "spot_check_pass_rate": _headline("spot_check_pass_rate"),
    "iaa": _headline("agreement_krippendorff_alpha"),
    "duplication_rate": _headline("duplicate_rate"),
    "anomaly_rate": anomaly_rate,
    "batch_pass_rate": batch_pass_rate,
    "rework_rate": rework_rate,
    "issue_closure_hours": issue_closure_hours,
    "version_record_completeness_rate": version_record_completeness_rate,
    "error_sample_reduction_rate": error_sample_reduction_rate,
    "dataset_reuse_count": dataset_reuse_count,
    "reusing_projects": reusing_projects,
    "delivery_delay_rate": delivery_delay_rate,
    "annotation_batch_pass_rate": annotation_batch_pass_rate,
    "root_cause_localization_hours": root_cause_localization_hours,
    "cross_project_reuse_rate": cross_project_reuse_rate,
    "onboarding_hours": onboarding_hours,
    "advance_notice_rate": advance_notice_rate,
    "consultation_response_hours": consultation_response_hours,
    "consultation_answer_rate": consultation_answer_rate,
    "key_evaluation_improvement": key_evaluation_improvement,
    "data_gain_contribution": data_gain_contribution,
    "duplicate_collection_avoided": duplicate_collection_avoided,
}
COUNTS = frozenset({"wip", "throughput", "dataset_reuse_count", "reusing_projects",
                    "duplicate_collection_avoided"})


def figures(h: History, *, layer: Layer | None = None, by: str | None = None) -> list[Figure]:
    """Every defined metric of `layer` (or all) over the window, in definition order."""
    return [figure(d, SAMPLERS[d.id](h), by=by, total=d.id in COUNTS)
            for d in definitions(layer)]


def one(h: History, metric: str, *, by: str | None = None) -> Figure:
    return figure(BY_ID[metric], SAMPLERS[metric](h), by=by, total=metric in COUNTS)
