"""What the records say for the assembly layer's judgements: each gate kind's evidence in a window
(stages of a flywheel run, milestones), and the per-project facts the bottleneck rules read.

Read-only queries over the store; the judging is `domain.policies.flywheel_runs` and
`domain.policies.bottlenecks`. A window is half-open, `[since, until)`; `since=None` is "ever".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.bottlenecks import BottleneckFacts, Ratio
from dataflywheel.domain.policies.flywheel_plan import GateKind
from dataflywheel.domain.policies.flywheel_runs import GateEvidence
from dataflywheel.domain.records.feedback import FeedbackType
from dataflywheel.domain.records.issue import DiscoverySource
from dataflywheel.domain.records.project import Layer
from dataflywheel.domain.records.review import ReviewVerdict
from dataflywheel.domain.states import (
    BatchState,
    ExperimentState,
    FeedbackState,
    IssueState,
    VersionState,
)
from dataflywheel.store.tables.data import BatchRow, DatasetRow, DatasetVersionRow
from dataflywheel.store.tables.experiments import ExperimentRow, ExperimentVersionRow
from dataflywheel.store.tables.feedback import FeedbackEventRow, ThemeRow
from dataflywheel.store.tables.issues import IssueRow
from dataflywheel.store.tables.projects import ProjectRow
from dataflywheel.store.tables.reviews import ReviewRow


def within(column: Any, since: datetime | None, until: datetime) -> ColumnElement[bool]:
    low = column >= since if since is not None else true()
    return and_(low, column < until)


def _batches(s: Session, since: datetime | None, until: datetime) -> GateEvidence:
    rows = s.execute(select(BatchRow.state, BatchRow.checked_at).where(
        within(BatchRow.checked_at, since, until),
        BatchRow.state.in_([BatchState.PASSED.value, BatchState.FAILED.value]))).all()
    times = sorted(at for state, at in rows if state == BatchState.PASSED.value)
    return GateEvidence(GateKind.BATCHES_PASSED, tuple(times), len(times), len(rows))


def _reviews(s: Session, since: datetime | None, until: datetime) -> GateEvidence:
    rows = s.execute(select(ReviewRow.verdict, ReviewRow.taken_at).where(
        within(ReviewRow.taken_at, since, until))).all()
    passed = sum(v == ReviewVerdict.PASS.value for v, _ in rows)
    return GateEvidence(GateKind.REVIEWS_RECORDED, tuple(sorted(at for _, at in rows)), passed,
                        len(rows))


def _versions(s: Session, since: datetime | None, until: datetime) -> GateEvidence:
    rows = s.execute(select(DatasetVersionRow.state, DatasetVersionRow.frozen_at).where(
        within(DatasetVersionRow.frozen_at, since, until))).all()
    standing = sum(state != VersionState.WITHDRAWN.value for state, _ in rows)
    return GateEvidence(GateKind.VERSION_FROZEN, tuple(sorted(at for _, at in rows)), standing,
                        len(rows))


def _experiments(s: Session, since: datetime | None, until: datetime) -> GateEvidence:
    rows = s.execute(select(ExperimentRow.id, ExperimentRow.state, ExperimentRow.ended_at).where(
        within(ExperimentRow.ended_at, since, until),
        ExperimentRow.state.in_([ExperimentState.COMPLETED.value,
                                 ExperimentState.FAILED.value]))).all()
    on_frozen = set(s.scalars(select(ExperimentVersionRow.experiment_id).where(
        ExperimentVersionRow.version_state == VersionState.FROZEN.value)))
    done = [at for eid, state, at in rows
            if state == ExperimentState.COMPLETED.value and eid in on_frozen]
    completed = sum(state == ExperimentState.COMPLETED.value for _, state, _ in rows)
    return GateEvidence(GateKind.EXPERIMENTS_COMPLETED, tuple(sorted(done)), completed, len(rows))


def _feedback(s: Session, since: datetime | None, until: datetime) -> GateEvidence:
    # Counted by the database: a window may hold 10⁵ events, and the gate needs two numbers and
    # the themes they fed, not the events.
    window = within(FeedbackEventRow.received_at, since, until)
    reached = FeedbackEventRow.state.in_([FeedbackState.ROUTED.value, FeedbackState.THEMED.value])
    total, routed = s.execute(select(func.count(), func.coalesce(func.sum(
        case((reached, 1), else_=0)), 0)).where(window)).one()
    promoted = s.scalars(select(ThemeRow.updated_at).where(
        ThemeRow.id.in_(select(FeedbackEventRow.theme_id).where(
            window, FeedbackEventRow.theme_id.is_not(None)).distinct()),
        (ThemeRow.requirement_id.is_not(None)) | (ThemeRow.issue_id.is_not(None)))).all()
    return GateEvidence(GateKind.FEEDBACK_PROMOTED, tuple(sorted(promoted)), int(routed),
                        int(total))


READERS: dict[GateKind, Callable[[Session, datetime | None, datetime], GateEvidence]] = {
    GateKind.BATCHES_PASSED: _batches,
    GateKind.REVIEWS_RECORDED: _reviews,
    GateKind.VERSION_FROZEN: _versions,
    GateKind.EXPERIMENTS_COMPLETED: _experiments,
    GateKind.FEEDBACK_PROMOTED: _feedback,
}


def gate_evidence(session: Session, kind: GateKind, *, since: datetime | None,
                  until: datetime) -> GateEvidence:
    """The evidence of `kind` in `[since, until)`."""
    return READERS[kind](session, since, until)


def bottleneck_facts(session: Session, *, since: datetime | None, until: datetime,
                     now: datetime) -> BottleneckFacts:
    """Per project: rows kept of rows delivered and reviews passed (batches checked, reviews
    taken in the window); failed experiments, and regressions — runs that regressed against their
    baseline (the issue an experiment opened) and regression feedback — in the window; and open
    issues past their response or remediation deadline at `now`."""
    s = session
    layers = {pid: tuple(Layer(v) for v in ls)
              for pid, ls in s.execute(select(ProjectRow.id, ProjectRow.layers))}
    retention, review_pass = _rows_kept(s, since, until), _reviews_passed(s, since, until)
    failed = Counter(p for p in s.scalars(select(ExperimentRow.project_id).where(
        ExperimentRow.state == ExperimentState.FAILED.value, ExperimentRow.project_id.is_not(None),
        within(ExperimentRow.ended_at, since, until))) if p is not None)
    regressed = Counter(p for p in s.scalars(select(FeedbackEventRow.project_id).where(
        FeedbackEventRow.failure_type == FeedbackType.REGRESSION.value,
        FeedbackEventRow.project_id.is_not(None),
        within(FeedbackEventRow.received_at, since, until))) if p is not None)
    regressed.update(p for p in s.scalars(select(IssueRow.project_id).where(  # regressed runs
        IssueRow.source == DiscoverySource.EXPERIMENT.value,
        within(IssueRow.opened_at, since, until))) if p is not None)
    return BottleneckFacts(
        layers=layers,
        retention=retention, review_pass=review_pass,
        failed_runs=dict(failed), regressions=dict(regressed),
        issues_past_sla=dict(_issues_past_sla(s, now)))


def _rows_kept(s: Session, since: datetime | None, until: datetime) -> dict[str, Ratio]:
    """Per project: rows kept (delivered less nonconforming) of rows delivered, batches checked
    in the window."""
    kept: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    for project, count, bad in s.execute(
            select(DatasetRow.project_id, BatchRow.row_count, BatchRow.nonconforming_count)
            .join(DatasetRow, DatasetRow.id == BatchRow.dataset_id)
            .where(within(BatchRow.checked_at, since, until))):
        rows[project] += count
        kept[project] += count - bad
    return {p: Ratio(kept[p], rows[p]) for p in rows}


def _reviews_passed(s: Session, since: datetime | None, until: datetime) -> dict[str, Ratio]:
    """Per project: reviews passed of reviews taken in the window (of its datasets' batches)."""
    passed: Counter[str] = Counter()
    taken: Counter[str] = Counter()
    for project, verdict in s.execute(
            select(DatasetRow.project_id, ReviewRow.verdict)
            .join(BatchRow, BatchRow.id == ReviewRow.batch_id)
            .join(DatasetRow, DatasetRow.id == BatchRow.dataset_id)
            .where(within(ReviewRow.taken_at, since, until))):
        taken[project] += 1
        passed[project] += verdict == ReviewVerdict.PASS.value
    return {p: Ratio(passed[p], taken[p]) for p in taken}


def _issues_past_sla(s: Session, now: datetime) -> Counter[str]:
    """Open issues past their response (unacknowledged) or remediation deadline, per project."""
    open_states = [IssueState.NEW.value, IssueState.ACKNOWLEDGED.value, IssueState.ASSIGNED.value]
    late = select(IssueRow.project_id).where(
        IssueRow.state.in_(open_states), IssueRow.project_id.is_not(None),
        ((IssueRow.respond_by < now) & IssueRow.acknowledged_at.is_(None))
        | (IssueRow.remediate_by < now))
    return Counter(p for p in s.scalars(late) if p is not None)
