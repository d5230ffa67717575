"""The metric figures on the report pattern: Markdown tables per layer, and an HTML page whose
breakdowns and distributions are drawn (inline SVG, no script) — "charts in HTML output".

The context is `metrics.measure.MetricsAnswer`, what `flywheel metrics --json` prints; the chart
`breakdowns` gives the same breakdowns as a Vega-Lite spec for a browser or a dashboard.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dataflywheel.metrics.measure import Figure, MetricsAnswer
from dataflywheel.reports.charts import vega_lite
from dataflywheel.reports.figures_text import shown
from dataflywheel.reports.spec import ReportSpec

BAR_WIDTH = 240  # px of the longest bar
BOX_WIDTH = 240  # px of a distribution's range


class Bar(BaseModel):
    group: str
    width: int
    label: str


class Box(BaseModel):
    """A distribution drawn as min–max whiskers, the p25–p75 box and the median, in px."""

    low: int
    q1: int
    median: int
    q3: int
    p90: int
    high: int
    labels: str


def bars(figure: Figure) -> list[Bar]:
    """The figure's breakdown as bars scaled to the largest value."""
    top = max((abs(g.value) for g in figure.breakdown), default=0.0) or 1.0
    return [Bar(group=g.group, width=round(BAR_WIDTH * abs(g.value) / top),
                label=f"{shown(g.value, figure.unit)} (n={g.samples})")
            for g in figure.breakdown]


def box(figure: Figure) -> Box | None:
    """The figure's distribution scaled to its own range (None: no distribution)."""
    d = figure.distribution
    if d is None:
        return None
    span = (d.max - d.min) or 1.0

    def at(value: float) -> int:
        return round(BOX_WIDTH * (value - d.min) / span)

    return Box(low=0, q1=at(d.p25), median=at(d.median), q3=at(d.p75), p90=at(d.p90),
               high=at(d.max),
               labels=f"min {shown(d.min, figure.unit)} · median {shown(d.median, figure.unit)} "
                      f"· p90 {shown(d.p90, figure.unit)} · max {shown(d.max, figure.unit)}")


def breakdowns_chart(answer: MetricsAnswer) -> dict[str, Any]:
    """Every breakdown value as one Vega-Lite bar chart, one row of bars per metric."""
    values = [{"metric": f.metric, "group": g.group, "value": g.value, "samples": g.samples}
              for f in answer.figures for g in f.breakdown]
    return vega_lite(f"metrics by {answer.by or 'group'}", values, layer=[{
        "mark": "bar",
        "encoding": {"y": {"field": "group", "type": "nominal"},
                     "x": {"field": "value", "type": "quantitative"},
                     "row": {"field": "metric", "type": "nominal"}}}])


METRICS = ReportSpec(name="metrics", context=MetricsAnswer, template="metrics",
                     helpers={"shown": shown, "bars": bars, "box": box},
                     charts={"breakdowns": breakdowns_chart})
