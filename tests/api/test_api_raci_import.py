"""`POST /api/v1/raci/import` with a matrix that would leave records pointing at nothing: a 400 or
404 naming what is missing, never a 403 (the database's refusal is not a policy's), and nothing
imported — on both backends."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def _audit_count(ws: Any) -> int:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


def test_a_matrix_dropping_an_item_records_name_is_400_naming_them_and_imports_nothing(
        api: TestClient, team: Any, principals: dict[str, dict[str, str]]) -> None:
    shown = api.get("/api/v1/raci", headers=principals["data-owner"]).json()
    before = _audit_count(team)
    dropped = {**shown, "items": [i for i in shown["items"] if i["id"] != "annotation_task_design"],
               "projects": {p: [i for i in v if i["id"] != "annotation_task_design"]
                            for p, v in shown["projects"].items()}}
    refused = api.post("/api/v1/raci/import", json={"matrix": dropped},
                       headers=principals["data-owner"])
    body = assert_envelope(refused, 400, "the matrix leaves out item 'annotation_task_design', "
                                         "which contract ")
    assert "still name(s)" in body["error"] and "Kept: the matrix is unchanged" in body["error"]
    assert body["errors"][0]["field"] == "items"
    assert _audit_count(team) == before
    assert api.get("/api/v1/raci", headers=principals["data-owner"]).json() == shown


def test_a_matrix_naming_a_project_that_does_not_exist_is_404_and_imports_nothing(
        api: TestClient, team: Any, principals: dict[str, dict[str, str]]) -> None:
    shown = api.get("/api/v1/raci", headers=principals["data-owner"]).json()
    before = _audit_count(team)
    ghost = {**shown, "projects": {"P-GHOST": [shown["items"][0]]}}
    refused = api.post("/api/v1/raci/import", json={"matrix": ghost},
                       headers=principals["data-owner"])
    assert_envelope(refused, 404, "RACI overrides name project 'P-GHOST', which does not exist")
    assert _audit_count(team) == before
    assert api.get("/api/v1/raci", headers=principals["data-owner"]).json() == shown


def test_the_local_import_refuses_the_same_matrix_with_exit_2(
        cli: Any, team: Any, tmp_path: Any) -> None:
    import yaml

    shown = cli("raci", "show", "--json").json()
    dropped = {"items": [i for i in shown["items"] if i["id"] != "annotation_task_design"]}
    path = tmp_path / "raci.yaml"
    path.write_text(yaml.safe_dump(dropped))
    before = _audit_count(team)
    refused = cli("raci", "import", str(path))
    assert refused.code == 2 and "leaves out item 'annotation_task_design'" in refused.err
    assert _audit_count(team) == before
    assert cli("raci", "show", "--json").json() == shown
