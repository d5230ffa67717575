"""The metric figures as a report: Markdown tables per layer, an HTML page with each
distribution and breakdown drawn as inline SVG, a Vega-Lite chart of the breakdowns; the same
figures give the same bytes; `flywheel metrics --out` picks the format from the file name."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.states import RequirementState
from dataflywheel.metrics.compute import History, figures
from dataflywheel.metrics.measure import MetricsAnswer
from dataflywheel.reports.render import chart, render

MON = datetime(2026, 11, 23, tzinfo=UTC)
H = timedelta(hours=1)


def _answer() -> MetricsAnswer:
    reqs = [Requirement(id=f"REQ-{n:04d}", title="t", project_id=p, requester_id="x",
                        kind=RequirementKind.NEW_DATA, priority=Priority.P1,
                        state=RequirementState.DELIVERED, created_at=MON,
                        delivered_at=MON + hours * H)
            for n, p, hours in ((1, "P-A", 10), (2, "P-A", 30), (3, "P-B", 20))]
    h = History(since=MON, until=MON + 7 * 24 * H, requirements=reqs)
    return MetricsAnswer(since=h.since, until=h.until, project=None, layer=None, by="project",
                         figures=figures(h, by="project"))


def test_the_page_draws_breakdowns_and_distributions() -> None:
    answer = _answer()
    html = render(answer, "html")
    bars = re.search(r'<svg class="bars" id="bars-delivery_cycle_hours".*?</svg>', html, re.S)
    assert bars is not None
    assert bars.group(0).count("<rect") == 2  # P-A, P-B
    assert 'width="240"' in bars.group(0)  # P-A's mean (20 h) equals P-B's: both full length
    assert 'aria-label="min 10.0 h · median 20.0 h · p90 30.0 h · max 30.0 h"' in html
    assert render(_answer(), "html") == html and render(_answer(), "markdown") == render(
        answer, "markdown")
    markdown = render(answer, "markdown")
    assert "| delivery_cycle_hours | 20.0 h | 3 | 10.0 h | 20.0 h | 30.0 h | 30.0 h |" in markdown
    assert "delivery_cycle_hours by project: P-A 20.0 h (n=2); P-B 20.0 h (n=1)" in markdown
    spec = chart(answer, "breakdowns")
    assert {"metric": "delivery_cycle_hours", "group": "P-B", "value": 20.0,
            "samples": 1} in spec["data"]["values"]


def test_metrics_out_writes_the_format_its_name_says(team, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "metrics.html"
    done = cli("metrics", "--out", str(page))
    assert done.code == 0, done.err
    assert page.read_text().startswith("<!DOCTYPE html>")
    bad = cli("metrics", "--out", str(tmp_path / "metrics.pdf"))
    assert bad.code == 2 and "cannot tell the format from the file name" in bad.err
    assert not (tmp_path / "metrics.pdf").exists()
