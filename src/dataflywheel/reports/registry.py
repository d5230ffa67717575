"""Every report, by name; `spec_for` finds the one that renders a given context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dataflywheel.errors import BadInput
from dataflywheel.reports.assessment import ASSESSMENT
from dataflywheel.reports.friday import FRIDAY
from dataflywheel.reports.metrics_page import METRICS
from dataflywheel.reports.monday import MONDAY
from dataflywheel.reports.monthly import MONTHLY
from dataflywheel.reports.quality import QUALITY
from dataflywheel.reports.quarterly import QUARTERLY
from dataflywheel.reports.spec import ReportSpec
from dataflywheel.reports.system_dashboard import DASHBOARD
from dataflywheel.reports.system_report import P10_REPORT, TEST_REPORT
from dataflywheel.reports.wednesday import WEDNESDAY

REPORTS: Mapping[str, ReportSpec[Any]] = {spec.name: spec for spec in (
    QUALITY, MONDAY, WEDNESDAY, FRIDAY, MONTHLY, QUARTERLY, METRICS, ASSESSMENT, DASHBOARD,
    P10_REPORT, TEST_REPORT)}


def spec_named(name: str) -> ReportSpec[Any]:
    """The report called `name` (a name a person typed: an unknown one is bad input)."""
    if name not in REPORTS:
        raise BadInput("unknown report", field="report", expected=", ".join(sorted(REPORTS)),
                       got=name)
    return REPORTS[name]


def spec_for(context: object) -> ReportSpec[Any]:
    """The report whose context type `context` is; a context no report renders is a bug."""
    for spec in REPORTS.values():
        if isinstance(context, spec.context):
            return spec
    raise TypeError(f"no report renders a {type(context).__name__}")
