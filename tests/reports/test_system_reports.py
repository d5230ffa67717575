"""The assembly layer's read models on records built through the flows, on both backends: the
cost model, the org operating model, bottlenecks found in the records and the executive dashboard,
each figure worked out here from the hand-made history."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from datapool_helpers import frozen_version

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import Asset, AssetKind, AssetUse, Sensitivity
from dataflywheel.domain.records.project import Layer, Project
from dataflywheel.domain.roles import Role
from dataflywheel.flows.demand.projects import add_project
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.flywheel.plan import default_plan, load_plan
from dataflywheel.flows.flywheel.views import bottlenecks, cost_model, dashboard, org_model
from dataflywheel.flows.governance.people import revoke_role
from dataflywheel.flows.issues import lifecycle as issues
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render
from dataflywheel.store.repositories.governance import Assets, AssetUses

HOUR = timedelta(hours=1)


def _projects(ws: Workspace) -> None:
    for pid, layers, out, in_, hours, cost in (
            ("P1", [Layer.DATA_SOURCE, Layer.PROCESSING], ["corpus"], [], 2.5, 300.0),
            ("P2", [Layer.MODELING], ["sft"], ["corpus"], 1.25, 100.0),
            ("P3", [Layer.GOVERNANCE], [], ["corpus", "sft"], 0.31, 100.0)):
        add_project(ws, Project(id=pid, name=pid, owner_id="data-owner", layers=layers,
                                interfaces_out=out, interfaces_in=in_,
                                review_hours_estimate=hours, cost_estimate=cost))


def _experiment(ws: Workspace, version: str, *, state: str, cost: float,
                accuracy: float = 0.8, baseline: str | None = None) -> str:
    return log_experiment(ws, parse_create({
        "title": "eval", "kind": "exploratory", "model_version": "sft-7b", "state": state,
        "versions": [{"version_id": version, "role": "eval"}], "project_id": "P-TEST",
        "params": {"compute_cost": cost}, "metrics": {"accuracy": accuracy},
        "baseline_experiment_id": baseline})).experiment.id


def test_the_cost_model_from_estimates_interfaces_reuse_and_issues(team: Workspace,
                                                                   tmp_path: Path) -> None:
    _projects(team)
    # no flow registers an asset's use yet: the registry's rows are written as test_trace does
    with team.db.unit_of_work() as s:
        Assets(s).add(Asset(id="a-corpus", name="corpus", kind=AssetKind.DOCUMENT,
                            project_id="P1", owner_id="data-owner",
                            sensitivity=Sensitivity.INTERNAL))
        for pid in ("P1", "P2", "P3"):
            AssetUses(s).add(AssetUse(asset_id="a-corpus", project_id=pid))
    issues.open_issue(team, title="label drift", severity="P2", source="manual", project_id="P2")
    version = frozen_version(team, tmp_path)
    _experiment(team, version, state="completed", cost=12.5)
    _experiment(team, version, state="failed", cost=7.5)

    model = cost_model(team)
    rows = {p.project: p for p in model.projects}
    assert (model.total_review_hours, model.total_review_cost) == (4.06, 500.0)
    assert model.total_compute_cost == 20.0 and rows["P-TEST"].compute_cost == 20.0
    assert rows["P1"].compute_cost is None and not model.annotation_cost_recorded
    assert [(i.interface, i.offered_by, i.consumed_by) for i in model.shared_interfaces] == [
        ("corpus", ["P1"], ["P2", "P3"]), ("sft", ["P2"], ["P3"])]
    assert [(r.asset, r.owner_project, r.used_by) for r in model.reuse] == [
        ("a-corpus", "P1", ["P2", "P3"])]
    assert [(rows[p].impact_scope, rows[p].reusability, rows[p].risk_exposure)
            for p in ("P1", "P2", "P3")] == [(2, 2, 0), (1, 0, 1), (0, 0, 0)]
    # scaled 0-5 by the largest: P1 impact 5, reuse 5, cost 5 -> 10 / 6;
    # P2 impact 2.5, risk 5, cost 100/300*5 -> 7.5 / (8/3) = 2.8125
    assert (rows["P1"].leverage, rows["P2"].leverage, rows["P3"].leverage) == (1.6667, 2.8125, 0.0)
    # P1's 300 split over data_source (growth) and processing (efficiency); P2 efficiency; P3
    # defensive: 150 / 250 / 100 of 500
    assert model.budget_shares == {"growth": 0.3, "efficiency": 0.5, "defensive": 0.2}


def test_the_org_model_names_people_per_surface_and_its_gaps(team: Workspace) -> None:
    model = org_model(team)
    surfaces = {s.name: s for s in model.surfaces}
    assert model.project_owners == {"P-TEST": "data-owner"}
    assert model.gaps == []
    assert surfaces["platform"].people == ["platform-engineer"]
    assert surfaces["platform"].raci_items == ["platform_incident_response"]
    assert surfaces["privacy_and_governance"].people == ["data-owner", "legal-compliance"]
    revoke_role(team, "platform-engineer", Role.PLATFORM_ENGINEER, reason="moved team")
    assert org_model(team).gaps == ["platform"]


def test_bottlenecks_and_the_dashboard_from_the_records(team: Workspace, tmp_path: Path) -> None:
    load_plan(team, "P-TEST", default_plan())
    start = utcnow() - HOUR
    version = frozen_version(team, tmp_path)
    _experiment(team, version, state="failed", cost=1.0)
    baseline = _experiment(team, version, state="completed", cost=1.0)
    _experiment(team, version, state="completed", cost=1.0, accuracy=0.7, baseline=baseline)
    issues.open_issue(team, title="leak", severity="P0", source="manual", project_id="P-TEST",
                      now=utcnow() - timedelta(days=10))
    end = utcnow() + HOUR
    _, found = bottlenecks(team, since=start, until=end)
    assert [(b.name, b.severity.value, b.project) for b in found] == [
        ("overdue_issues", "high", "P-TEST"), ("platform_regression_handling", "low", "P-TEST")]

    board = dashboard(team, "P-TEST", since=start, until=end)
    assert not board.healthy
    assert board.why == [
        "stage quality_inspection is not started", "stage feedback is not started", "high-severity bottleneck overdue_issues (P-TEST)",
        "1 open issue(s) past their deadline"]
    assert board.first_bottleneck is not None and board.first_bottleneck.name == "overdue_issues"
    # ingestion, release and training (2 of 3 experiments completed: 0.6667) complete:
    # 3/5 stages; (1 + 0 + 1 + 0.6667 + 0) / 5
    assert (board.run.completion_rate, board.run.average_score) == (0.6, 0.5333)
    assert found[1].reason == (
        "P-TEST has 1 failed experiment(s) and 1 regression(s) (regressed runs and regression "
        "reports); release gates should stay strict")  # the run that regressed on its baseline
    assert [(r.project, r.failed_runs, r.regressions, r.consumers)
            for r in board.regression_risk] == [("P-TEST", 1, 1, [])]
    assert not board.cross_project_regression_risk
    assert board.governance.audit_chain_ok and not board.governance_works
    assert json.loads(render(board, "json"))["first_bottleneck"]["name"] == "overdue_issues"
    markdown = render(board, "markdown")
    assert "**Healthy: no**" in markdown
    assert "| release | version_frozen>=1 | completed | 1.0000 | 1 | 1 / 1 |" in markdown
    assert "Handle first: **overdue_issues** (high)" in markdown
    assert '<p id="health" class="fail">Healthy: no</p>' in render(board, "html")


def test_retention_is_read_from_the_delivered_batches(team: Workspace, tmp_path: Path) -> None:
    from datapool_helpers import deliver_clean, setup_pool

    from dataflywheel.domain.policies.bottlenecks import Ratio, evaluate, parse_rules
    from dataflywheel.reports.system_evidence import bottleneck_facts

    start = utcnow() - HOUR
    pool = setup_pool(team)
    batch = deliver_clean(pool, tmp_path / "b.jsonl", "b", seed=3, blank_every=4).batch
    assert (batch.row_count, batch.nonconforming_count) == (20, 5)  # every 4th of 20 is blank
    with team.db.session() as s:
        facts = bottleneck_facts(s, since=start, until=utcnow() + HOUR, now=utcnow())
    assert facts.retention == {"P-TEST": Ratio(15, 20)}
    mine = parse_rules({"rules": [{"name": "thin_corpus", "kind": "retention_below",
                                   "below": 0.9, "project": "P-TEST", "severity": "medium"}]},
                       source="mine.yaml")
    assert [b.reason for b in evaluate(mine, facts)] == [
        "P-TEST retention is 75.00% (15 rows kept of 20), below 90.00%"]
