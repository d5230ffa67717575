"""The Wednesday quality inspection (Tables 24-11, 24-12) on the report pattern.

Inputs, as Table 24-12 names them: the week's automated quality reports (the headline each
checked batch keeps), its spot-check results, and the anomaly distribution. Outputs: the quality
issues opened in the week graded by tier, remediation recommendations (each metric definition's
action, Table 24-16), and risk alerts — with trends over the weeks before, because the table's
common deviation is "only checking pass rates without analyzing trends". The weekly figures are
the metrics engine's own (`metrics.compute`), so the report and `flywheel metrics` agree.

Alerts: a metric that got worse three weeks running; a vendor or source whose pass rate this week
is more than `GAP` below the team's; a P0/P1 quality issue of the week not yet acknowledged; and
the deviation itself — a pass rate that held while the anomaly rate rose.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.calendar import iso_week, week_monday
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.issue import DiscoverySource
from dataflywheel.domain.states import IssueState
from dataflywheel.metrics.compute import History, one
from dataflywheel.metrics.definitions import BY_ID, LOWER_IS_BETTER
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TREND_WEEKS = 4
GAP = 0.10
TRACKED = ("batch_pass_rate", "spot_check_pass_rate", "anomaly_rate", "duplication_rate")
QUALITY_SOURCES = frozenset({DiscoverySource.QUALITY_CHECK, DiscoverySource.SPOT_CHECK})


class CheckedBatch(BaseModel):
    id: str
    project_id: str | None
    vendor: str | None
    source: str
    state: str
    records: int
    anomaly_rate: float | None
    spot_check_pass_rate: float | None
    failed_gates: list[str]


class WeekFigures(BaseModel):
    week: str
    batches: int
    values: dict[str, float | None]


class GradedIssue(BaseModel):
    id: str
    severity: str
    state: str
    title: str
    project_id: str | None


class Alert(BaseModel):
    kind: str
    subject: str
    detail: str
    metric: str | None = None


class Recommendation(BaseModel):
    metric: str
    action: str


class WednesdayInspection(BaseModel):
    """The quality inspection of `week` (ISO), of one project or the whole team."""

    week: str
    project: str | None
    batches: list[CheckedBatch]
    trend: list[WeekFigures]
    failed_gates: dict[str, int]
    anomaly_by_vendor: dict[str, float]
    issues: list[GradedIssue]
    alerts: list[Alert]
    recommendations: list[Recommendation]
    inputs_sha256: str


def wednesday_inspection(session: Session, *, week: str,
                         project: str | None = None) -> WednesdayInspection:
    """The query: the week's inspection from the Data Pool and the Issue Pool (reads only);
    `week` is an ISO week (`ValueError` otherwise)."""
    from sqlalchemy import and_, select

    from dataflywheel.store.repositories.base import pairs_of
    from dataflywheel.store.repositories.data import Batches
    from dataflywheel.store.repositories.issues import Issues
    from dataflywheel.store.tables.data import BatchRow
    from dataflywheel.store.tables.demand import RequirementRow
    from dataflywheel.store.tables.issues import IssueRow

    monday = week_monday(week)
    end = _utc(monday) + timedelta(days=7)
    start = end - timedelta(weeks=TREND_WEEKS + 1)
    scope = [] if project is None else [BatchRow.requirement_id.in_(
        select(RequirementRow.id).where(RequirementRow.project_id == project))]
    batches = Batches(session).matching(
        and_(BatchRow.checked_at >= start, BatchRow.checked_at < end), *scope)
    projects = pairs_of(session, RequirementRow.id, RequirementRow.project_id,
                        {b.requirement_id for b in batches})
    weeks = [end - timedelta(weeks=n) for n in range(TREND_WEEKS + 1, 0, -1)]
    trend = [_week(batches, projects, since, since + timedelta(weeks=1)) for since in weeks]
    this_week = History(since=end - timedelta(weeks=1), until=end, batches=batches,
                        requirement_project=projects)
    checked = [b for b in batches if this_week.within(b.checked_at)]
    mine = [] if project is None else [IssueRow.project_id == project]
    issues = sorted((i for i in Issues(session).matching(
        IssueRow.opened_at >= this_week.since, IssueRow.opened_at < end, *mine)
        if i.source in QUALITY_SOURCES), key=lambda i: (i.severity.value, i.id))
    graded = [GradedIssue(id=i.id, severity=i.severity.value, state=i.state.value, title=i.title,
                          project_id=i.project_id) for i in issues]
    by_vendor = one(this_week, "anomaly_rate", by="vendor")
    alerts = _alerts(trend, this_week, graded)
    return WednesdayInspection(
        week=week, project=project,
        batches=[_checked(b, projects.get(b.requirement_id)) for b in checked], trend=trend,
        failed_gates=dict(sorted(Counter(g["metric"] for b in checked
                                         for g in b.quality_summary.get("failed_gates", [])
                                         ).items())),
        anomaly_by_vendor={g.group: g.value for g in by_vendor.breakdown},
        issues=graded, alerts=alerts,
        recommendations=[Recommendation(metric=m, action=BY_ID[m].action)
                         for m in dict.fromkeys(a.metric for a in alerts if a.metric)],
        inputs_sha256=hashlib.sha256(canonical_json(
            [[b.id, b.state.value, b.checked_at.isoformat() if b.checked_at else None]
             for b in batches] + [[i.id, i.state.value] for i in issues])).hexdigest())


def _week(batches: list[Batch], projects: dict[str, str], since: datetime,
          until: datetime) -> WeekFigures:
    h = History(since=since, until=until, batches=batches, requirement_project=projects)
    return WeekFigures(week=iso_week(since), batches=sum(1 for b in batches
                                                        if h.within(b.checked_at)),
                       values={m: one(h, m).value for m in TRACKED})


def _checked(b: Batch, project: str | None) -> CheckedBatch:
    metrics = b.quality_summary.get("metrics", {})
    spot = metrics.get("spot_check_pass_rate")
    return CheckedBatch(id=b.id, project_id=project, vendor=b.delivered_by_vendor_id,
                        source=b.source, state=b.state.value, records=b.row_count,
                        anomaly_rate=round(b.nonconforming_count / b.row_count, 4)
                        if b.row_count else None,
                        spot_check_pass_rate=spot if isinstance(spot, int | float) else None,
                        failed_gates=[g["metric"] for g in b.quality_summary.get(
                            "failed_gates", [])])


def _alerts(trend: list[WeekFigures], week: History, issues: list[GradedIssue]) -> list[Alert]:
    out: list[Alert] = []
    for metric in TRACKED:
        values = [w.values[metric] for w in trend[-3:]]
        if len(values) == 3 and all(v is not None for v in values):
            a, b, c = (float(v) for v in values if v is not None)
            worse = (a < b < c) if metric in LOWER_IS_BETTER else (a > b > c)
            if worse:
                out.append(Alert(kind="trend", subject=f"{metric} three weeks running",
                                 detail=f"{metric} went {_pct(a)} → {_pct(b)} → {_pct(c)}",
                                 metric=metric))
    passed = one(week, "batch_pass_rate", by="vendor")
    for g in passed.breakdown:
        if passed.value is not None and g.group != "(none)" and g.value < passed.value - GAP:
            out.append(Alert(kind="below_team", subject=f"batch_pass_rate of {g.group}",
                             detail=f"{g.group} passed {_pct(g.value)} of {g.samples} batch(es) "
                                    f"against the team's {_pct(passed.value)}",
                             metric="batch_pass_rate"))
    for i in issues:
        if i.severity in ("P0", "P1") and i.state == IssueState.NEW.value:
            out.append(Alert(kind="unacknowledged", subject=i.id,
                             detail=f"{i.severity} quality issue not yet acknowledged: {i.title}"))
    if len(trend) >= 2:
        before, now = trend[-2].values, trend[-1].values
        held = (before["batch_pass_rate"] is not None and now["batch_pass_rate"] is not None
                and now["batch_pass_rate"] >= before["batch_pass_rate"])
        rose = (before["anomaly_rate"] is not None and now["anomaly_rate"] is not None
                and now["anomaly_rate"] > before["anomaly_rate"])
        if held and rose:
            out.append(Alert(kind="pass_rate_hides_trend", subject="anomaly_rate this week",
                             detail="the pass rate held while the anomaly rate rose: the table's "
                                    "common deviation is to read only the former",
                             metric="anomaly_rate"))
    return out


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


WEDNESDAY = ReportSpec(name="wednesday", context=WednesdayInspection, template="wednesday",
                       helpers={"pct": lambda v: "—" if v is None else _pct(v)})
