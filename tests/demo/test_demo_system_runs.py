"""The demo's flywheel run prints the figures the records give: a frozen version and a failed
experiment make two complete stages of five and one low-severity bottleneck."""

from __future__ import annotations

import io
from pathlib import Path

from datapool_helpers import frozen_version
from rich.console import Console

from dataflywheel.domain.records.project import Project
from dataflywheel.flows.demand.projects import add_project
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace
from dataflywheel.demo.system_runs import step_system_runs


def test_the_demo_run_prints_its_headline_figures(team: Workspace, tmp_path: Path) -> None:
    add_project(team, Project(id="P-K12", name="K-12", owner_id="data-owner",
                              review_hours_estimate=8.06, cost_estimate=850.33))
    version = frozen_version(team, tmp_path)
    log_experiment(team, parse_create({
        "title": "eval", "kind": "exploratory", "model_version": "m", "state": "failed",
        "versions": [{"version_id": version, "role": "eval"}], "project_id": "P-TEST"}))
    out = io.StringIO()
    state: dict[str, str] = {}
    step_system_runs(team, Console(file=out, width=200), state)
    text = out.getvalue()
    assert state["flywheel_run"] == "FWR-0001"
    assert "flywheel system run --project P-K12: FWR-0001, 5 stages" in text
    assert "  ingestion          completed    score 1.0000 (evidence 1, passed 1/1)" in text
    assert "  training           in_progress  score 0.0000 (evidence 0, passed 0/1)" in text
    # ingestion and release complete, scoring 1 each: 2/5 stages, (1 + 1) / 5
    assert "stage completion 40.00%, average stage score 0.4000" in text
    assert "bottlenecks: 1" in text
    assert ("[low] platform_regression_handling: P-TEST has 1 failed experiment(s) and 0 "
            "regression(s) (regressed runs and regression reports); release gates should stay strict") in text
    assert "manual review: 8.06 hours, cost 850.33" in text
