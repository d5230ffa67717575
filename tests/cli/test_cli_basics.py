"""The CLI basics through the real entry point: add/list/show with --json, and the error boundary."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflywheel.flows.governance.raci import export_matrix
from dataflywheel.flows.workspace import open_workspace
from dataflywheel.settings import Settings

RACI_OK = """
items:
  - id: training_set_version_release
    title: Training-set version release
    A: data_owner
    R: [data_engineer]
"""


@pytest.fixture
def inited(cli):  # type: ignore[no-untyped-def]
    result = cli("init")
    assert result.code == 0, result.err
    return cli


def test_people_projects_requirements_round_trip_as_json(inited) -> None:  # type: ignore[no-untyped-def]
    cli = inited
    assert cli("people", "add", "ann", "Ann Li", "--role", "Data Owner", "--email", "ann@x.org").code == 0
    assert cli("people", "add", "bo", "Bo", "--role", "data-engineer").code == 0
    people = cli("people", "list", "--json").json()
    assert [(p["id"], p["roles"]) for p in people] == [  # tester: who ran init, the first person
        ("ann", ["data_owner"]), ("bo", ["data_engineer"]), ("tester", [])]
    assert cli("projects", "add", "P-K12", "K-12 tutor", "--owner", "ann", "--layer", "modeling").code == 0
    assert cli("projects", "show", "P-K12", "--json").json()["layers"] == ["modeling"]
    result = cli("requirements", "add", "Geometry items", "--project", "P-K12", "--requester", "bo",
                 "--priority", "p1", "--target-metric", "geometry +3", "--json")
    assert result.code == 0, result.err
    assert result.json()["id"] == "REQ-0001" and result.json()["priority"] == "P1"
    assert [r["id"] for r in cli("requirements", "list", "--json").json()] == ["REQ-0001"]
    assert cli("requirements", "show", "REQ-0001", "--json").json()["state"] == "submitted"
    assert cli("roles", "list", "--json").json()[0]["id"] == "data_owner"


def test_raci_who_and_check(inited) -> None:  # type: ignore[no-untyped-def]
    cli = inited
    assert cli("raci", "check").code == 1
    for pid, role in [("ann", "data_owner"), ("bo", "data_engineer"), ("cy", "quality_evaluator"),
                      ("di", "algorithm_engineer"), ("ed", "legal_compliance"),
                      ("fa", "platform_engineer"), ("gu", "annotation_engineer")]:
        assert cli("people", "add", pid, pid.title(), "--role", role).code == 0
    assert cli("raci", "check").code == 0
    answer = cli("raci", "who", "training_set_version_release", "--json").json()
    assert answer["accountable"] == "ann"
    assert answer["consulted"] == ["bo", "cy", "ed", "gu"]  # Table 24-7: DE, AE, QE, Legal


def _one_line_error(result, text: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err
    assert text in " ".join(result.err.split()), result.err


def test_malformed_raci_yaml_changes_nothing(inited, tmp_path: Path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "raci.yaml"
    bad.write_text("items:\n  - id: x\n    A: [data_owner\n")
    _one_line_error(inited("raci", "import", str(bad)), f"{bad}:4: invalid YAML")
    with open_workspace(settings) as ws:
        assert len(export_matrix(ws).items) == 10


def test_two_accountables_is_refused(inited, tmp_path: Path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "raci.yaml"
    bad.write_text(RACI_OK.replace("A: data_owner", "A: [data_owner, platform_engineer]"))
    _one_line_error(inited("raci", "import", str(bad)),
                    "training_set_version_release: needs exactly one Accountable (A) role")
    with open_workspace(settings) as ws:
        assert len(export_matrix(ws).items) == 10


def test_valid_raci_import_replaces_the_matrix(inited, tmp_path: Path, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "raci.yaml"
    good.write_text(RACI_OK)
    assert inited("raci", "import", str(good)).code == 0
    with open_workspace(settings) as ws:
        assert [i.id for i in export_matrix(ws).items] == ["training_set_version_release"]
    assert "training_set_version_release" in inited("raci", "show", "--yaml").out


def test_yaml_alias_bomb_is_refused(inited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\nitems: *j\n")
    _one_line_error(inited("raci", "import", str(bomb)), "YAML aliases are not allowed")


def test_unknown_role(inited) -> None:  # type: ignore[no-untyped-def]
    _one_line_error(inited("people", "add", "zed", "Zed", "--role", "wizard"),
                    "error: unknown role 'wizard'; expected one of data_owner, data_engineer")
    assert [p["id"] for p in inited("people", "list", "--json").json()] == ["tester"]


def test_duplicate_id(inited) -> None:  # type: ignore[no-untyped-def]
    assert inited("people", "add", "ann", "Ann", "--role", "data_owner").code == 0
    _one_line_error(inited("people", "add", "ann", "Other", "--role", "data_engineer"),
                    "error: person ann already exists. Next: flywheel people list")
    people = inited("people", "list", "--json").json()
    assert [(p["name"], p["roles"]) for p in people] == [("Ann", ["data_owner"]), ("tester", [])]


def test_bad_id_and_unknown_priority(inited) -> None:  # type: ignore[no-untyped-def]
    _one_line_error(inited("people", "add", "bad id!", "X"), "error: invalid input; field 'id'")
    assert inited("people", "add", "ann", "Ann", "--role", "data_owner").code == 0
    assert inited("projects", "add", "P1", "One", "--owner", "ann").code == 0
    _one_line_error(inited("requirements", "add", "t", "--project", "P1", "--requester", "ann",
                           "--priority", "P9"), "unknown priority 'P9'; field 'priority'; expected one of P0, P1, P2")
    _one_line_error(inited("requirements", "add", "t", "--project", "P1", "--requester", "ann",
                           "--priority", "P1", "--deadline", "2001-01-01"), "deadline is in the past")
    assert inited("requirements", "list", "--json").json() == []


def test_no_workspace_says_to_init(cli, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    result = cli("people", "list")
    expected = "no workspace at" if settings.db is None else "is not a dataflywheel workspace"
    _one_line_error(result, expected)
    assert "Next: flywheel init" in result.err


def test_newer_schema_workspace_via_cli(inited, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from dataflywheel.store.session import Database

    db = Database(settings.db_url)
    with db.unit_of_work() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'zzzz'"))
    db.dispose()
    _one_line_error(inited("people", "list"), "was written by a newer dataflywheel")


def test_usage_error_exits_2_without_traceback(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("people", "add")
    assert result.code == 2
    assert "Missing argument 'ID'" in result.err and "Traceback" not in result.err


def test_debug_shows_the_traceback(cli) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.errors import WorkspaceError

    with pytest.raises(WorkspaceError):
        cli("--debug", "people", "list")
