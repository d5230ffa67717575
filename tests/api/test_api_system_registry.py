"""The registry file, a project's checks and the system views over HTTP answer what the CLI
prints: import all or nothing (a bad document is a 400 naming its line, nothing written), export
byte for byte, `system registry|layers|controls` equal to their `--json`."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

DOC = ("- project_id: P-REG\n  name: Registry import\n  owner_id: data-owner\n"
       "  phase: acquisition\n  layers: [data_source]\n  interfaces_out: [foundation_corpus]\n"
       "  checks: {passed: 4, total: 5}\n")


def test_import_checks_and_export_answer_the_cli(api: TestClient, cli: Any,
                                                 principals: dict[str, dict[str, str]]) -> None:
    owner = principals["data-owner"]
    bad = api.post("/api/v1/registry/import", json={"document": DOC + "  stage: 2\n"},
                   headers=owner)
    assert_envelope(bad, 400, "document:8: unknown field 'stage'")
    assert api.get("/api/v1/projects/P-REG", headers=owner).status_code == 404
    made = api.post("/api/v1/registry/import", json={"document": DOC}, headers=owner)
    assert made.status_code == 201, made.text
    assert [p["id"] for p in made.json()] == ["P-REG"]
    checks = api.get("/api/v1/projects/P-REG/checks", headers=owner)
    assert checks.json() == cli("projects", "checks", "P-REG", "--json").json() == {
        "project_id": "P-REG", "passed": 4, "total": 5, "source": "imported",
        "all_passed": False}
    for fmt in ("yaml", "json"):
        served = api.get("/api/v1/registry/export", params={"format": fmt}, headers=owner)
        assert served.text == cli("projects", "export", "--format", fmt).out


def test_system_views_answer_the_cli(api: TestClient, cli: Any,
                                     principals: dict[str, dict[str, str]]) -> None:
    who = principals["quality-evaluator"]
    for view in ("registry", "layers", "controls"):
        served = api.get(f"/api/v1/system/{view}", headers=who)
        assert served.status_code == 200, served.text
        assert served.json() == cli("system", view, "--json").json()
