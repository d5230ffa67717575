"""The Company E scorecard (Table 24-24): five metrics, before and after, for any two periods.

The chapter reports one team's figures before and after its DataOps restructuring; the product
computes the same five for the team's own records over two windows the user picks, beside the
chapter's figures for reference. `TABLE_24_24` is the table cell for cell (a test holds it against
a transcription); `SCORECARD` maps each row to the metric definition that computes it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from dataflywheel.metrics.compute import History, one
from dataflywheel.metrics.measure import Figure

TABLE_24_24: tuple[tuple[str, str, str], ...] = (
    ("Data delivery delay rate", "~40% (estimated)", "< 10%"),
    ("Annotation batch pass rate", "~82%", "> 93%"),
    ("Data-issue root-cause localization time", "Average 3 days", "Average 4 hours"),
    ("Cross-project data reuse rate", "~5%", "> 30%"),
    ("Onboarding time for new members", "~3 weeks", "~1 week"),
)
"""Table 24-24: Company E Core Metrics Before and After DataOps Restructuring (metric, before
restructuring, after restructuring)."""

SCORECARD: dict[str, str] = {
    "Data delivery delay rate": "delivery_delay_rate",
    "Annotation batch pass rate": "annotation_batch_pass_rate",
    "Data-issue root-cause localization time": "root_cause_localization_hours",
    "Cross-project data reuse rate": "cross_project_reuse_rate",
    "Onboarding time for new members": "onboarding_hours",
}


class ScorecardRow(BaseModel):
    """One row: the table's metric and Company E's figures, then this team's two periods."""

    metric: str
    label: str
    company_e_before: str
    company_e_after: str
    before: Figure
    after: Figure
    change: float | None


class Scorecard(BaseModel):
    before_since: datetime
    before_until: datetime
    after_since: datetime
    after_until: datetime
    project: str | None
    rows: list[ScorecardRow]


def scorecard(before: History, after: History, project: str | None = None) -> Scorecard:
    """Each Table 24-24 row computed over both periods; `change` is after − before (None when
    either period measured nothing)."""
    rows = []
    for label, e_before, e_after in TABLE_24_24:
        metric = SCORECARD[label]
        a, b = one(before, metric), one(after, metric)
        change = None if a.value is None or b.value is None else round(b.value - a.value, 4)
        rows.append(ScorecardRow(metric=metric, label=label, company_e_before=e_before,
                                 company_e_after=e_after, before=a, after=b, change=change))
    return Scorecard(before_since=before.since, before_until=before.until,
                     after_since=after.since, after_until=after.until, project=project,
                     rows=rows)
