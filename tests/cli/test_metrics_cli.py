"""`flywheel metrics`: figures per layer at 80 columns, a breakdown drawn as bars, JSON with the
window, definitions; bad input exits 2 naming what was expected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.cli.output import console

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(console, "width", 80)


def _started_requirement(cli) -> str:  # type: ignore[no-untyped-def]
    deadline = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    added = cli("requirements", "add", "geometry items", "--project", "P-TEST", "--requester",
                "algorithm-engineer", "--priority", "P1", "--deadline", deadline,
                "--acceptance", "500 items", "--target-metric", "geometry +3pt",
                "--accountable", "data-owner", "--json")
    assert added.code == 0, added.err
    rid = str(added.json()["id"])
    for args in (("triage", rid), ("commit", rid, "--week", "2026-W50"), ("start", rid)):
        done = cli("requirements", *args)
        assert done.code == 0, done.err
    return rid


def test_figures_per_layer_and_a_breakdown_as_bars(team, cli) -> None:  # type: ignore[no-untyped-def]
    rid = _started_requirement(cli)
    shown = cli("metrics", "--layer", "flow_efficiency", "--breakdown", "project")
    assert shown.code == 0, shown.err
    assert max(len(line) for line in shown.out.splitlines()) <= 80
    assert "flow efficiency" in shown.out and "quality stability" not in shown.out
    assert "queue_wait_hours" in shown.out and rid in shown.out
    assert "wip by project" in shown.out and "P-TEST █" in shown.out
    data = cli("metrics", "--json").json()
    assert {f["metric"]: f["value"] for f in data["figures"]}["wip"] == 1.0
    assert data["since"] < data["until"]


def test_definitions_are_printed(team, cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("metrics", "--definitions", "--layer", "quality_stability")
    assert shown.code == 0, shown.err
    assert "spot_check_pass_rate" in shown.out and "not for:" in shown.out
    data = cli("metrics", "--definitions", "--json").json()
    assert {d["layer"] for d in data} >= {"flow_efficiency", "collaboration_reliability"}
    assert all(d["version"] >= 1 for d in data)


@pytest.mark.parametrize("args, expected", [
    (("--layer", "speed"), "unknown metric layer"),
    (("--breakdown", "planet"), "unknown breakdown"),
    (("--since", "yesterday"), "not a time: 'yesterday'"),
    (("--since", "2026-12-02", "--until", "2026-12-01"), "the window is empty"),
])
def test_bad_input_exits_2_naming_what_was_expected(team, cli, args, expected) -> None:  # type: ignore[no-untyped-def]
    result = cli("metrics", *args)
    assert result.code == 2, result.out
    assert expected in result.err


def test_scorecard_two_periods_and_bad_periods(team, cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("scorecard", "--before", "2026-10-01..2026-11-01", "--after",
                "2026-11-01..2026-12-01")
    assert shown.code == 0, shown.err
    assert "delivery_delay_rate" in shown.out and "Company E: ~40% (estimated)" in shown.out
    data = cli("scorecard", "--before", "2026-10-01..2026-11-01", "--after",
               "2026-11-01..2026-12-01", "--json").json()
    assert [r["metric"] for r in data["rows"]][0] == "delivery_delay_rate"
    for before, expected in (("2026-10-01", "a period is START..END"),
                             ("2026-10-01..soon", "not a time: 'soon'"),
                             ("2026-11-01..2026-10-01", "the period before is empty")):
        bad = cli("scorecard", "--before", before, "--after", "2026-11-01..2026-12-01")
        assert bad.code == 2 and expected in bad.err, bad.err
