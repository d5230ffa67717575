"""The registry (issue 20): checks passed from a project's records or imported (and which), the
registry file imported all or nothing with errors naming line and field, exported in the
PROJECT_SPECS shape and re-exported byte for byte; on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import audit_count, deliver_clean, setup_pool
from sqlalchemy import func, select

from dataflywheel.errors import AlreadyExists, BadInput, FlywheelError
from dataflywheel.flows.demand.project_registry import (
    export_entries,
    import_registry,
    parse_registry,
    render_registry,
)
from dataflywheel.flows.demand.projects import get_project, project_checks
from dataflywheel.flows.workspace import Workspace

GOOD = """\
- project_id: p1
  name: Pre-training corpus
  owner_id: data-owner
  phase: acquisition
  layers: [data_source, processing]
  interfaces_out: [foundation_corpus, training_manifest]
  checks: {passed: 12, total: 12}
- project_id: p10
  name: Flywheel
  owner_id: data-owner
  phase: governance
  interfaces_out: [project_registry, release_gate, feedback_routing]
  interfaces_in: [foundation_corpus]
  registry_role: assembly_layer
  needs_governance_control: true
  deliverables: [data/reports/p10_report.md]
  checks: {passed: 8, total: 9}
"""


def _projects(ws: Workspace) -> int:
    from dataflywheel.store.tables.projects import ProjectRow

    with ws.db.session() as s:
        return s.scalar(select(func.count()).select_from(ProjectRow)) or 0


def _import(ws: Workspace, text: str) -> list[object]:
    return list(import_registry(ws, parse_registry(text, source="reg.yaml"), source="reg.yaml"))


def test_checks_come_from_records_where_the_project_has_them(team: Workspace,
                                                            tmp_path: Path) -> None:
    pool = setup_pool(team)  # dataset of P-TEST, contract registered for P-TEST
    deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1)  # passes
    deliver_clean(pool, tmp_path / "b.jsonl", "b", seed=2, dup_every=4)  # fails (duplicates)
    assert project_checks(team, "P-TEST") == {"project_id": "P-TEST", "passed": 1, "total": 2,
                                              "source": "records", "all_passed": False}


def test_imported_checks_stand_where_there_are_no_records(team: Workspace) -> None:
    _import(team, GOOD)
    assert project_checks(team, "p1") == {"project_id": "p1", "passed": 12, "total": 12,
                                          "source": "imported", "all_passed": True}
    assert project_checks(team, "p10")["all_passed"] is False
    assert project_checks(team, "P-TEST") == {"project_id": "P-TEST", "passed": 0, "total": 0,
                                              "source": "none", "all_passed": False}
    p10 = get_project(team, "p10")
    assert (p10.registry_role, p10.needs_governance_control, p10.deliverables) == (
        "assembly_layer", True, ["data/reports/p10_report.md"])
    assert audit_count(team, "project.add", "p10") == 1


def test_export_then_import_elsewhere_then_export_gives_the_same_bytes(
        team: Workspace, tmp_path: Path) -> None:
    from team_helpers import make_team

    _import(team, GOOD)
    for fmt in ("yaml", "json"):
        first = render_registry(export_entries(team), fmt)  # type: ignore[arg-type]
        assert list(export_entries(team)[0]) == [
            "project_id", "name", "owner_id", "phase", "layers", "interfaces_out",
            "interfaces_in", "deliverables", "registry_role", "needs_human_review",
            "needs_governance_control", "review_hours_estimate", "cost_estimate", "status",
            "description", "checks"]
        assert [e["project_id"] for e in export_entries(team)] == ["P-TEST", "p1", "p10"]
        other = _fresh_team(tmp_path / fmt, make_team)
        entries = [e for e in parse_registry(first, source="x") if e.project.id != "P-TEST"]
        import_registry(other, entries, source="x")
        assert render_registry(export_entries(other), fmt) == first  # type: ignore[arg-type]
        other.close()


def _fresh_team(path: Path, make_team):  # type: ignore[no-untyped-def]
    """Another workspace (embedded SQLite) with the same team, to import the export into."""
    from dataflywheel.flows.governance.bootstrap import init_workspace
    from dataflywheel.settings import Settings

    path.mkdir(parents=True)
    return make_team(init_workspace(Settings(home=path, login="tester")))


@pytest.mark.parametrize(("text", "message"), [
    ("project_id: p1\n", "reg.yaml: a registry file is a list of projects; expected a YAML or "
     "JSON list of entries with project_id, name, owner_id, phase; got 'dict'. Kept: nothing was "
     "imported"),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: data-owner\n  phase: p\n  stage: 3\n",
     "reg.yaml:22: unknown field 'stage'; field 'stage'; expected one of project_id, name, "
     "owner_id, phase, layers, interfaces_out, interfaces_in, deliverables, registry_role, "
     "needs_human_review, needs_governance_control, review_hours_estimate, cost_estimate, "
     "status, description, checks. Kept: nothing was imported"),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: data-owner\n",
     "reg.yaml:18: a registry entry lacks phase; field 'phase'; expected each of project_id, "
     "name, owner_id, phase. Kept: nothing was imported"),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: data-owner\n  phase: p\n"
     "  layers: [cloud]\n",
     "reg.yaml:22: invalid entry for project 'p2'; field 'layers.0'; expected Input should be "
     "'data_source', 'processing', 'modeling', 'application' or 'governance'; got 'cloud'. "
     "Kept: nothing was imported"),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: data-owner\n  phase: p\n"
     "  checks: {passed: 5, total: 4}\n",
     "reg.yaml:22: invalid entry for project 'p2'; field 'checks'; expected Value error, "
     "imported checks passed 5 exceed their total 4; got "),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: data-owner\n  phase: p\n  checks: 5\n",
     "reg.yaml:22: checks are a mapping of passed and total; field 'checks'; expected {passed: "
     "N, total: M}; got 5. Kept: nothing was imported"),
    (GOOD + "- project_id: p1\n  name: again\n  owner_id: data-owner\n  phase: p\n",
     "reg.yaml:18: project p1 is listed twice (first on line 1); field 'project_id'; expected "
     "distinct project ids. Kept: nothing was imported"),
    (GOOD + "- project_id: p2\n  name: x\n  owner_id: nobody\n  phase: p\n",
     "reg.yaml:18: owner 'nobody' of project p2 is not a person; field 'owner_id'; expected the "
     "id of a registered person. Kept: nothing was imported. Next: flywheel people list"),
    ("- [p1]\n", "reg.yaml:1: a registry entry is a mapping; expected project_id, name, "
     "owner_id, phase, …; got ['p1']. Kept: nothing was imported"),
    (GOOD + '- project_id: p2\n  name: "a\\0b"\n  owner_id: data-owner\n  phase: p\n',
     "reg.yaml:19: a value holds a NUL character (U+0000), which cannot be stored; field "
     "'name'. Kept: nothing was imported"),
])
def test_bad_registry_files_are_refused_naming_line_and_field_and_nothing_is_written(
        team: Workspace, text: str, message: str) -> None:
    before = _projects(team)
    with pytest.raises(BadInput) as info:
        _import(team, text)
    assert str(info.value).startswith(message)
    assert _projects(team) == before


def test_a_project_already_registered_refuses_the_whole_file(team: Workspace) -> None:
    text = GOOD + "- project_id: P-TEST\n  name: again\n  owner_id: data-owner\n  phase: p\n"
    with pytest.raises(AlreadyExists) as info:
        _import(team, text)
    assert str(info.value) == ("reg.yaml:18: project P-TEST is already registered. Kept: nothing "
                               "was imported. Next: flywheel projects show P-TEST")
    assert _projects(team) == 1  # p1 and p10, before it in the file, were not written either


def test_invalid_yaml_names_its_line(team: Workspace) -> None:
    with pytest.raises(FlywheelError) as info:
        _import(team, "- project_id: p1\n  name: [unclosed\n")
    assert str(info.value).startswith("reg.yaml:3: invalid YAML")
    assert _projects(team) == 1
