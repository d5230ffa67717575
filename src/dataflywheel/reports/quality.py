"""The quality report on the report pattern: its context is the checks engine's `QualityReport`.

A run makes the context (`run_checks`); `batch_quality_report` is the query for one a delivery
stored. Templates: templates/quality.md (byte-identical to the Markdown `flywheel check --markdown`
always wrote) and templates/quality.html; chart `gates`: each gate's observed value against its
threshold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataflywheel.checks.report import QualityReport
from dataflywheel.errors import NotFound
from dataflywheel.reports.charts import vega_lite
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:  # the store loads with the query, not with the renderers
    from sqlalchemy.orm import Session

    from dataflywheel.store.blobs import BlobStore


def stored_report_text(session: Session, blobs: BlobStore, batch_id: str) -> str:
    """The quality report a delivery stored for `batch_id`, byte for byte as the engine wrote it."""
    from dataflywheel.store.repositories.data import Batches

    batch = Batches(session).get(batch_id)
    if batch.report_sha256 is None:
        raise NotFound(f"batch {batch_id} has no quality report yet (state {batch.state.value})")
    with blobs.open(batch.report_sha256) as fh:
        return fh.read().decode("utf-8")


def batch_quality_report(session: Session, blobs: BlobStore, batch_id: str) -> QualityReport:
    """The query: the stored quality report of one batch, as its context."""
    return QualityReport.model_validate_json(stored_report_text(session, blobs, batch_id))


def breakdown_rows(report: QualityReport) -> list[tuple[str, str, float]]:
    """(group, metric, value) of every check's breakdown, by check, group, metric (code point
    order, so `B` sorts before `a`)."""
    return [
        (group, metric, value)
        for _, result in sorted(report.checks.items())
        for group, metrics in sorted(result.breakdown.items())
        for metric, value in sorted(metrics.items())
    ]


def gates_chart(report: QualityReport) -> dict[str, Any]:
    """Each gate as a bar of its observed value (none when undefined) and a tick at its threshold,
    coloured by its result, in the plan's order."""
    values = [{"metric": g.metric, "op": g.op, "threshold": g.value, "observed": g.observed,
               "result": "pass" if g.passed else "fail"} for g in report.gates]
    y = {"field": "metric", "type": "nominal", "sort": None, "title": None}
    color = {"field": "result", "type": "nominal",
             "scale": {"domain": ["pass", "fail"], "range": ["#1a7f37", "#cf222e"]}}
    return vega_lite(f"Gates: {report.plan}", values, layer=[
        {"mark": "bar", "encoding": {"y": y, "x": {"field": "observed", "type": "quantitative"},
                                     "color": color}},
        {"mark": {"type": "tick", "color": "black", "thickness": 2},
         "encoding": {"y": y, "x": {"field": "threshold", "type": "quantitative"}}},
    ])


QUALITY: ReportSpec[QualityReport] = ReportSpec(
    name="quality",
    context=QualityReport,
    template="quality",
    helpers={"breakdown_rows": breakdown_rows},
    charts={"gates": gates_chart},
)
