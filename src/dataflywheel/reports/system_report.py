"""The P10 report and the consistency check's test report (§15–§17) as rendered pages.

Both Markdown files open with a YAML front matter block (`system_artifacts.FrontMatter`): what the
file is, the plan project, the window, and the digest of the data artifacts it cites. A reader
(or `flywheel system check`) compares that digest with the artifacts beside it and with what the
records give now, which is how "the report cites current data" is decided.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dataflywheel.domain.records.flywheel import FlywheelRun
from dataflywheel.reports.spec import ReportSpec
from dataflywheel.reports.system_artifacts import (
    Architecture,
    BottleneckAnalysis,
    Boundaries,
    CheckResults,
    FrontMatter,
    Headline,
    PhaseInventory,
    Registry,
)
from dataflywheel.reports.system_cost import CostModel
from dataflywheel.reports.system_dashboard import pct
from dataflywheel.reports.system_org import OrgModel
from dataflywheel.reports.system_plan import MilestoneBoard, PlanView
from dataflywheel.yamlsafe import safe_load

FENCE = "---\n"


class P10Report(BaseModel):
    """`p10_report.md`: the headline figures and every artifact summarised, as the chapter reports
    them (§3, §5, §7–§13, §18, §19)."""

    front: FrontMatter
    headline: Headline
    registry: Registry
    phases: PhaseInventory
    architecture: Architecture
    boundaries: Boundaries
    plan: PlanView
    latest_run: FlywheelRun | None
    board: MilestoneBoard
    analysis: BottleneckAnalysis
    cost: CostModel
    org: OrgModel
    why_unhealthy: list[str]


class TestReport(BaseModel):
    """`p10_test_report.md`: the check's results for a person (§15)."""

    front: FrontMatter
    results: CheckResults


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A Markdown deliverable's front matter (a mapping) and its body; `ValueError` naming what
    is wrong when it has none or it is not a YAML mapping."""
    if not text.startswith(FENCE):
        raise ValueError("the file does not open with a front matter block ('---')")
    end = text.find("\n" + FENCE, len(FENCE) - 1)
    if end < 0:
        raise ValueError("the front matter block is not closed ('---')")
    try:
        front = safe_load(text[len(FENCE):end + 1], source="front matter")
    except Exception as exc:  # noqa: BLE001 - BadInput from the YAML reader, said as the problem
        raise ValueError(str(exc)) from None
    if not isinstance(front, dict):
        raise ValueError("the front matter is not a mapping")
    return front, text[end + 1 + len(FENCE):]


P10_REPORT = ReportSpec(name="p10_report", context=P10Report, template="system_report",
                        helpers={"pct": pct})
TEST_REPORT = ReportSpec(name="p10_test_report", context=TestReport,
                         template="system_test_report")
