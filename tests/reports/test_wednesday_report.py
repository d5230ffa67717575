"""The Wednesday quality inspection from deliveries made through the flows in three weeks: the
trend is the metrics engine's weekly figures, the week's batches with their failed gates, the
quality issues the failed deliveries opened graded by tier, alerts (a rate worse three weeks
running, an unacknowledged P1) with the metric definitions' actions; the same records give the
same bytes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from datapool_helpers import CONTRACT, Pool, records, setup_pool, write_jsonl

from dataflywheel.flows.cadence import wednesday_report
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render

W46 = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)  # a Wednesday of 2026-W46
WEEK = timedelta(weeks=1)


def deliver_at(pool: Pool, path: Path, prefix: str, at: datetime, *, seed: int,
               blank_every: int = 0) -> None:
    from dataflywheel.flows.data.delivery import deliver

    write_jsonl(path, records(prefix, 20, seed=seed, blank_every=blank_every))
    deliver(pool.ws, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
            requirement_id=pool.requirement, delivered_by="data-engineer", engine="single",
            now=at)


def test_three_weeks_of_rising_anomalies(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    deliver_at(pool, tmp_path / "a.jsonl", "a", W46, seed=1)
    deliver_at(pool, tmp_path / "b.jsonl", "b", W46 + WEEK, seed=2, blank_every=10)
    deliver_at(pool, tmp_path / "c.jsonl", "c", W46 + 2 * WEEK, seed=3, blank_every=4)
    report = wednesday_report(team, week="2026-W48")
    weeks = {w.week: w for w in report.trend}
    assert list(weeks) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    anomaly = [weeks[w].values["anomaly_rate"] for w in ("2026-W46", "2026-W47", "2026-W48")]
    assert anomaly[0] == 0.0 and anomaly[0] < anomaly[1] < anomaly[2]  # type: ignore[operator]
    assert weeks["2026-W44"].batches == 0 and weeks["2026-W44"].values["anomaly_rate"] is None
    [batch] = report.batches
    assert batch.state == "failed" and "blank_rate" in batch.failed_gates
    assert report.failed_gates == {metric: 1 for metric in batch.failed_gates}
    assert [(i.severity, i.state) for i in report.issues] == [("P1", "new")]
    kinds = [a.kind for a in report.alerts]
    assert "trend" in kinds and "unacknowledged" in kinds
    assert {r.metric for r in report.recommendations} >= {"anomaly_rate"}
    markdown = render(report, "markdown")
    assert "| 2026-W46 | 1 | 100.0% | — | 0.0% | 0.0% |" in markdown
    assert "- trend: anomaly_rate went 0.0% → " in markdown
    assert f"- P1 {report.issues[0].id} (new): " in markdown
    for fmt in ("markdown", "html", "json"):
        assert render(wednesday_report(team, week="2026-W48"), fmt) == render(  # type: ignore[arg-type]
            report, fmt)  # type: ignore[arg-type]


def test_a_week_without_checks_says_so(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("report", "wednesday", "--week", "2026-W40")
    assert shown.code == 0, shown.err
    assert "No batch was checked this week." in shown.out and "## Risk alerts (0)" in shown.out
    bad = cli("report", "wednesday", "--week", "W40")
    assert bad.code == 2 and "not an ISO week" in bad.err
