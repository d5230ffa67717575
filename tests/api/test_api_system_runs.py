"""The flywheel's plan, runs and dashboard over HTTP and on the command line: the same answers
for the same records, the Data Owner alone loads a plan, and bad input is a 400 / exit 2 naming
what was expected, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

P = "/api/v1/system/projects/P-TEST"
SINCE, UNTIL = "2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"


def test_the_api_and_the_cli_give_the_same_plan_runs_and_dashboard(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any) -> None:
    owner = principals["data-owner"]
    assert_envelope(api.post(P + "/plan", json={}, headers=principals["outsider"]), 403,
                    "data_owner")
    loaded = api.post(P + "/plan", json={}, headers=owner)
    assert loaded.status_code == 200, loaded.text
    assert [s["name"] for s in loaded.json()["stages"]][0] == "ingestion"
    shown = cli("system", "plan", "show", "--project", "P-TEST", "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out) == api.get(P + "/plan", headers=owner).json()

    run = api.post(P + "/runs", json={"since": SINCE, "until": UNTIL}, headers=owner)
    assert run.status_code == 201, run.text
    listed = cli("system", "runs", "--json")
    assert json.loads(listed.out) == api.get("/api/v1/system/runs", headers=owner).json()
    assert [r["id"] for r in json.loads(listed.out)] == [run.json()["id"]]
    for fmt in ("json", "markdown", "html"):
        got = api.get(P + "/dashboard", params={"since": SINCE, "until": UNTIL, "format": fmt},
                      headers=owner)
        assert got.status_code == 200, got.text
        printed = cli("system", "dashboard", "--project", "P-TEST", "--since", SINCE,
                      "--until", UNTIL, "--format", fmt)
        assert printed.code == 0, printed.err
        assert got.text == printed.out
    for route, command in (("/api/v1/system/cost", "cost"), ("/api/v1/system/org", "org")):
        assert json.loads(cli("system", command, "--json").out) == api.get(
            route, headers=owner).json()


def test_bad_input_is_refused_with_nothing_written(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any,
        tmp_path: Path) -> None:
    owner = principals["data-owner"]
    body = assert_envelope(api.post(P + "/plan", json={"plan": {"stages": []}}, headers=owner),
                           400, "invalid flywheel plan")
    assert "field 'stages'" in body["error"]
    api.post(P + "/plan", json={}, headers=owner)
    assert_envelope(api.post(P + "/runs", json={"since": UNTIL, "until": SINCE}, headers=owner),
                    400, "a run's window must end after it starts")
    assert api.get("/api/v1/system/runs", headers=owner).json() == []

    bad = tmp_path / "plan.yaml"
    bad.write_text("stages: [{name: Ingest}]\n")
    failed = cli("system", "plan", "load", "--project", "P-TEST", str(bad))
    assert failed.code == 2
    assert f"{bad}: invalid flywheel plan; field 'stages.0.name'" in failed.err
    unknown = cli("system", "dashboard", "--project", "P-TEST", "--format", "pdf")
    assert unknown.code == 2
    assert "unknown report format; field 'format'; expected markdown, html, json" in unknown.err
    reversed_ = cli("system", "run", "--project", "P-TEST", "--since", UNTIL, "--until", SINCE)
    assert reversed_.code == 2 and "a run's window must end after it starts" in reversed_.err
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules: [{name: mine, kind: retention_below, at_least: 2, severity: low}]\n")
    refused = cli("system", "bottlenecks", "--rules", str(rules))
    assert refused.code == 2
    assert "a retention_below rule takes `below` (and not `at_least`)" in refused.err
    assert json.loads(cli("system", "runs", "--json").out) == []
