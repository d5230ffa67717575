"""The consistency check (P10 §15–§16) and the fifteen deliverables (§17), on both backends: a
world built through the flows passes every check; each artifact-level rule, broken once in the
exported files or in the records, fails naming what broke it; an export is byte-identical when
regenerated from the same records and every file validates against its shipped JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from assembly_helpers import PLAN, REGISTRY, consistent_world

from dataflywheel.domain.policies.flywheel_plan import parse_plan
from dataflywheel.flows.assembly import deliverables as d
from dataflywheel.flows.assembly.artifact_checks import RULES, Files, judge
from dataflywheel.flows.assembly.schemas import documents, generated, shipped
from dataflywheel.flows.assembly.system_check import check, export, read_folder
from dataflywheel.flows.demand.project_registry import import_registry, parse_registry
from dataflywheel.flows.flywheel.plan import load_plan
from dataflywheel.flows.workspace import Workspace
from dataflywheel.yamlsafe import safe_load

def test_a_consistent_world_passes_and_exports_byte_identically(team: Workspace,
                                                                tmp_path: Path) -> None:
    consistent_world(team, tmp_path)
    first = export(team, "P-TEST", tmp_path / "a")
    assert first.status == "PASS", [c.detail for c in first.checks if not c.passed]
    assert (first.total, first.command_checks, first.artifact_checks) == (14, 3, 11)
    audit = next(c for c in first.checks if c.name == "audit_chain_verifies")
    assert audit.command == ["flywheel", "audit", "verify"] and audit.returncode == 0
    assert "chain intact" in audit.stdout
    export(team, "P-TEST", tmp_path / "b")
    a, b = read_folder(tmp_path / "a"), read_folder(tmp_path / "b")
    assert sorted(a) == sorted(d.ALL) and len(a) == 15
    assert a == b  # the same records give the same bytes, the check's results included
    for path, text in a.items():
        validator = jsonschema.Draft202012Validator(shipped(path))
        for _, doc in documents(path, text):
            validator.validate(doc)
    metrics = json.loads(a[d.METRICS])
    assert (metrics["projects"], metrics["stages"], metrics["layers"]) == (3, 5, 5)
    assert metrics["stage_completion_rate"] == 1.0 and metrics["runs"] == 1
    assert f"records_digest: '{metrics['records_digest']}'" in a[d.REPORT]
    assert check(team, "P-TEST", folder=tmp_path / "a").status == "PASS"


def test_the_shipped_schemas_are_the_models(ws: Workspace) -> None:
    stale = [p for p in d.ALL if shipped(p) != generated(p)]
    assert not stale, "run `python -m dataflywheel.flows.assembly.schemas` to rewrite them"


def _edit_json(texts: dict[str, str], path: str, change: object) -> None:
    data = json.loads(texts[path])
    change(data)  # type: ignore[operator]
    texts[path] = json.dumps(data)


BREAKS = {
    "required_files_exist": (lambda t: t.pop(d.COST), "cost_model.json is missing"),
    "artifacts_match_schemas": (
        lambda t: _edit_json(t, d.METRICS, lambda m: m.update(projects="many")),
        "p10_metrics.json: projects: 'many' is not of type 'integer'"),
    "all_upstream_projects_registered": (
        lambda t: _edit_json(t, d.REGISTRY, lambda r: r.update(
            registry=[e for e in r["registry"] if e["project_id"] != "q1"], projects=2)),
        "q2 consumes 'corpus', which no registered project offers"),
    "phase_inventory_consistent": (
        lambda t: _edit_json(t, d.PHASES, lambda p: p["phases"].pop()),
        "is not in the inventory"),
    "architecture_layers_and_control_points_present": (
        lambda t: _edit_json(t, d.ARCHITECTURE, lambda a: a["layers"].pop()),
        "layer governance is missing"),
    "stage_plan_covers_end_to_end": (
        lambda t: _edit_json(t, d.PLAN, lambda p: p["stages"].pop(2)),
        "no stage of the plan carries the governance layer"),
    "flywheel_runs_complete": (lambda t: t.update({d.RUNS: ""}), "no run of P-TEST's flywheel"),
    "milestones_on_schedule": (
        lambda t: _edit_json(t, d.BOARD, lambda b: b["rows"][0].update(state="late")),
        "milestone 'First batch' (intake) was due"),
    "metrics_agree_with_artifacts": (
        lambda t: _edit_json(t, d.METRICS, lambda m: m.update(checks_passed=99)),
        "checks_passed: p10_metrics.json says 99, the artifacts give "),
    "dashboard_agrees_with_artifacts": (
        lambda t: _edit_json(t, d.DASHBOARD, lambda x: x.update(total_review_hours=1.5)),
        "review hours: the dashboard shows 1.5"),
    "report_cites_current_data": (
        lambda t: t.update({d.REPORT: t[d.REPORT].replace("sha256:", "sha256:0", 1)}),
        "p10_report.md cites sha256:0"),
}


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_each_artifact_rule_broken_once_fails_naming_it(team: Workspace, tmp_path: Path) -> None:
    consistent_world(team, tmp_path)
    export(team, "P-TEST", tmp_path / "x")
    fresh = d.build(team, "P-TEST")
    exported = read_folder(tmp_path / "x")
    assert sorted(BREAKS) == sorted(RULES)
    for name, (breaking, said) in BREAKS.items():
        assert judge(name, Files.read(dict(exported)), fresh) == [], name
        texts = dict(exported)
        breaking(texts)
        found = judge(name, Files.read(texts), fresh)
        assert any(said in p for p in found), (name, found)


def test_rules_broken_in_the_records(team: Workspace, tmp_path: Path) -> None:
    consistent_world(team, tmp_path)
    exported = read_folder_after(team, tmp_path)
    import_registry(team, parse_registry(
        "- {project_id: q3, name: Eval, owner_id: data-owner, phase: serve, layers: [modeling],"
        " interfaces_in: [ghost]}\n", source="more.yaml"), source="more.yaml")
    fresh = d.build(team, "P-TEST")
    now = Files.read(fresh.texts)
    assert judge("all_upstream_projects_registered", now, fresh) == [
        "q3 consumes 'ghost', which no registered project offers"]
    # the export written before q3 no longer cites the records
    stale = judge("report_cites_current_data", Files.read(exported), fresh)
    assert any("upstream_project_registry.json" in p for p in stale), stale
    assert any("q3 is in the records but not in the registry file" in p
               for p in judge("all_upstream_projects_registered", Files.read(exported), fresh))


def read_folder_after(team: Workspace, tmp_path: Path) -> dict[str, str]:
    export(team, "P-TEST", tmp_path / "before")
    return read_folder(tmp_path / "before")


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_no_run_and_an_unstaged_phase_fail(team: Workspace, tmp_path: Path) -> None:
    research = "- {project_id: q4, name: Research, owner_id: data-owner, phase: research}\n"
    import_registry(team, parse_registry(REGISTRY + research, source="r.yaml"), source="r.yaml")
    load_plan(team, "P-TEST", parse_plan(safe_load(PLAN), source="plan.yaml"))
    fresh = d.build(team, "P-TEST")
    files = Files.read(fresh.texts)
    assert judge("flywheel_runs_complete", files, fresh) == [
        "no run of P-TEST's flywheel is recorded (flywheel system run --project P-TEST)"]
    # q4 carries no layer, so its phase reaches no stage of the plan
    assert judge("phase_inventory_consistent", files, fresh) == [
        "phase research feeds no stage of the plan (its layers: none)"]
