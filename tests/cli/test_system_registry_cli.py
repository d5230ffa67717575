"""`flywheel projects import|export|checks` and `flywheel system registry|layers|controls` through
the real CLI: figures computed from a hand-made registry, bad input exits 2 naming what was
expected and writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clirun import unwrapped

REGISTRY = """\
- project_id: p1
  name: Corpus
  owner_id: data-owner
  phase: acquisition
  layers: [data_source, processing]
  interfaces_out: [foundation_corpus]
  checks: {passed: 3, total: 3}
- project_id: p2
  name: Tutor model
  owner_id: data-owner
  phase: alignment
  layers: [modeling]
  interfaces_out: [sft_corpus, checkpoint]
  interfaces_in: [foundation_corpus]
  needs_human_review: true
  checks: {passed: 1, total: 2}
"""


def _imported(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    done = cli("projects", "import", str(path))
    assert done.code == 0, done.err
    assert unwrapped(f"imported 2 project(s) from {path}") in unwrapped(done.out)


def test_registry_figures_from_a_hand_made_registry(cli: Any, team: Any, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    summary = cli("system", "registry", "--json").json()
    # P-TEST (the team's project, no records, no imported checks) + p1 + p2
    assert (summary["projects"], summary["interfaces"]) == (3, 3)  # foundation, sft, checkpoint
    assert (summary["checks_passed"], summary["checks_total"]) == (4, 5)
    assert summary["projects_by_checks_source"] == {"records": 0, "imported": 2, "none": 1}
    assert summary["needing_human_review"] == 1
    assert (summary["layers"], summary["control_points"], summary["boundaries"]) == (5, 4, 4)
    layers = cli("system", "layers", "--json").json()
    assert {x["layer"]: x["mapped_projects"] for x in layers["layers"]} == {
        "data_source": ["p1"], "processing": ["p1"], "modeling": ["p2"], "application": [],
        "governance": []}
    assert layers["cross_layer_interfaces"] == [{
        "interface": "foundation_corpus", "producer": "p1",
        "producer_layers": ["data_source", "processing"], "consumer": "p2",
        "consumer_layers": ["modeling"]}]
    assert layers["unmapped_projects"] == ["P-TEST"]
    shown = cli("system", "layers")
    assert shown.code == 0 and "1 interface crossing(s) between layers" in shown.out


def test_controls_name_the_gates_and_table_24_29(cli: Any, team: Any) -> None:
    shown = cli("system", "controls", "--json")
    assert shown.code == 0, shown.err
    view = shown.json()
    assert [c["control_point"] for c in view["control_points"]] == [
        "quality_thresholds", "sensitive_data", "human_review", "release"]
    assert [b["boundary"] for b in view["boundaries"]] == ["intake", "handoff", "rollback", "audit"]
    assert view["missing"] == []
    assert all(e["present"] for c in view["control_points"] for e in c["enforced_by"])
    exploratory = next(s for s in view["scenarios"] if s["scenario"] == "exploratory_data")
    assert exploratory["required_control_points"] == ["quality_thresholds", "sensitive_data"]
    assert cli("system", "controls").code == 0


def test_export_reimports_as_it_is(cli: Any, team: Any, tmp_path: Path) -> None:
    _imported(cli, tmp_path)
    exported = cli("projects", "export", "--format", "json")
    assert exported.code == 0
    assert [e["project_id"] for e in exported.json()] == ["P-TEST", "p1", "p2"]
    again = tmp_path / "again.json"
    again.write_text(exported.out, encoding="utf-8")
    refused = cli("projects", "import", str(again))  # every id is registered already
    assert refused.code == 2
    assert unwrapped("project P-TEST is already registered. Kept: nothing was imported") in \
        unwrapped(refused.err)


def test_bad_input_exits_2_naming_what_was_expected(cli: Any, team: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(REGISTRY.replace("phase: alignment", "phase: alignment\n  stage: 2"),
                   encoding="utf-8")
    refused = cli("projects", "import", str(bad))
    assert refused.code == 2
    assert unwrapped(f"{bad}:12: unknown field 'stage'") in unwrapped(refused.err)
    assert [p["id"] for p in cli("projects", "list", "--json").json()] == ["P-TEST"]
    missing = cli("projects", "import", str(tmp_path / "none.yaml"))
    assert missing.code == 2 and "cannot use this path" in missing.err
    fmt = cli("projects", "export", "--format", "xml")
    assert fmt.code == 2
    assert unwrapped("unknown export format 'xml'; field '--format'; expected yaml or json") in \
        unwrapped(fmt.err)
    unknown = cli("projects", "checks", "P-NONE")
    assert unknown.code == 2 and "P-NONE" in unknown.err


def test_a_dataset_declares_its_scenario_or_gets_its_purposes(cli: Any, team: Any) -> None:
    made = cli("datasets", "create", "probe", "--project", "P-TEST", "--owner", "data-owner",
               "--purpose", "exploration", "--json")
    assert made.code == 0, made.err
    assert made.json()["scenario"] == "exploratory_data"
    declared = cli("datasets", "create", "sample", "--project", "P-TEST", "--owner",
                   "data-owner", "--scenario", "temporary_analysis_sample", "--json")
    assert declared.json()["scenario"] == "temporary_analysis_sample"
    refused = cli("datasets", "create", "odd", "--project", "P-TEST", "--owner", "data-owner",
                  "--scenario", "casual")
    assert refused.code == 2
    assert unwrapped("unknown governance scenario 'casual'; field 'scenario'; expected one of "
                     "formal_training_corpus,") in unwrapped(refused.err)
    listed = cli("system", "controls", "--json").json()["scenarios"]
    assert {s["scenario"]: s["datasets"] for s in listed}["exploratory_data"] == 1
    assert {s["scenario"]: s["datasets"] for s in listed}["temporary_analysis_sample"] == 1


def test_a_control_point_naming_a_gate_that_is_gone_fails(cli: Any, team: Any,
                                                          monkeypatch: Any) -> None:
    from dataclasses import replace

    from dataflywheel.domain.policies import control_points as cp
    from dataflywheel.flows.assembly import controls

    renamed = cp.Enforcement("release gate", "dataflywheel.flows.data.version_release:gone")
    points = (replace(cp.CONTROL_POINTS[0], enforced_by=(renamed,)), *cp.CONTROL_POINTS[1:])
    monkeypatch.setattr(controls, "CONTROL_POINTS", points)
    failed = cli("system", "controls", "--json")
    assert failed.code == 1
    assert failed.json()["missing"] == ["dataflywheel.flows.data.version_release:gone"]
    assert unwrapped("control points name gates that do not exist; expected every gate "
                     "importable; got 'dataflywheel.flows.data.version_release:gone'") in \
        unwrapped(failed.err)
