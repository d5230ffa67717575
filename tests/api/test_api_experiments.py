"""The Experiment Pool over HTTP and the `flywheel experiments` commands through the server.

Against the real app (`api`) and the real loopback server (`live_server`) over each test's
workspace, seeded by `seed_experiments`: a candidate version, a completed baseline experiment and
a running one (`seeded["experiment"]`). The API answers what the CLI's `--json` prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from server_helpers import assert_envelope
from fastapi.testclient import TestClient

def _token(principals: dict[str, dict[str, str]], name: str) -> str:
    return principals[name]["Authorization"].split(" ", 1)[1]


def _through(monkeypatch: pytest.MonkeyPatch, live_server: Any, token: str) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", token)


def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWHEEL_SERVER", raising=False)
    monkeypatch.delenv("FLYWHEEL_TOKEN", raising=False)


def _version(api: TestClient, seeded: dict[str, str], headers: dict[str, str]) -> str:
    detail = api.get(f"/api/v1/experiments/{seeded['experiment']}", headers=headers).json()
    return str(detail["versions"][0]["version_id"])


def _count(team: Any) -> int:
    from dataflywheel.flows.experiments.experiment_read import list_experiments

    return len(list_experiments(team))


def _actor(team: Any, action: str, record_id: str) -> str:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with team.db.session() as s:
        return str(s.scalars(select(AuditEntryRow.actor).where(
            AuditEntryRow.action == action, AuditEntryRow.record_id == record_id)).one())


def test_show_list_and_compare_answer_what_the_cli_prints(
        api: TestClient, cli: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    who = principals["algorithm-engineer"]
    exp = seeded["experiment"]
    shown = api.get(f"/api/v1/experiments/{exp}", headers=who)
    assert shown.status_code == 200
    assert shown.json() == cli("experiments", "show", exp, "--json").json()
    page = api.get("/api/v1/experiments", params={"project": "P-TEST", "limit": 1}, headers=who)
    assert page.status_code == 200
    body = page.json()
    assert body["remaining"] == 1 and body["next_cursor"]
    assert body["items"] == cli("experiments", "list", "--project", "P-TEST", "--limit", "1",
                                "--json").json()
    rest = api.get("/api/v1/experiments", params={"cursor": body["next_cursor"]}, headers=who)
    assert [e["id"] for e in rest.json()["items"]] == [exp]
    assert api.get("/api/v1/experiments", params={"state": "running"},
                   headers=who).json()["items"][0]["id"] == exp
    baseline = shown.json()["experiment"]["baseline_experiment_id"]
    compared = api.get(f"/api/v1/experiments/{exp}/compare", headers=who)
    assert compared.status_code == 200
    assert compared.json() == cli("experiments", "compare", exp, baseline, "--json").json()
    assert api.get(f"/api/v1/experiments/{exp}/compare", params={"baseline": baseline},
                   headers=who).json() == compared.json()
    none = api.get(f"/api/v1/experiments/{baseline}/compare", headers=who)
    assert_envelope(none, 400, f"experiment {baseline} has no baseline")
    assert_envelope(api.get("/api/v1/experiments/EXP-9999", headers=who), 404, "EXP-9999")


def test_log_under_a_project_records_the_token_person(
        api: TestClient, team: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    who = principals["algorithm-engineer"]
    body = {"title": "gsm8k eval", "kind": "exploratory", "model_version": "sft-7b@3",
            "versions": [{"version_id": _version(api, seeded, who), "role": "eval"}],
            "metrics": {"accuracy": 0.9}, "baseline_experiment_id": None}
    answer = api.post("/api/v1/projects/P-TEST/experiments", json=body, headers=who)
    assert answer.status_code == 201, answer.text
    logged = answer.json()
    assert logged["experiment"]["project_id"] == "P-TEST" and logged["issue"] is None
    assert _actor(team, "experiment.add", logged["experiment"]["id"]) == "algorithm-engineer"
    team_wide = api.post("/api/v1/experiments", json=body, headers=who)
    assert team_wide.status_code == 201 and team_wide.json()["experiment"]["project_id"] is None
    refused = api.post("/api/v1/projects/P-TEST/experiments", json=body,
                       headers=principals["outsider"])
    assert_envelope(refused, 403)


def test_bad_log_bodies_are_refused_and_store_nothing(
        api: TestClient, team: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    who = principals["algorithm-engineer"]
    good = {"title": "t", "kind": "exploratory", "model_version": "m",
            "versions": [{"version_id": _version(api, seeded, who)}]}
    before = _count(team)
    other = api.post("/api/v1/projects/P-TEST/experiments", json={**good, "project_id": "P-OTHER"},
                     headers=who)
    assert_envelope(other, 400, "the body names another project than the path")
    named = api.post("/api/v1/experiments", json={**good, "project_id": "P-TEST"}, headers=who)
    body = assert_envelope(named, 400, "an experiment of a project is logged under its project")
    assert "/api/v1/projects/P-TEST/experiments" in str(body["errors"])
    empty = api.post("/api/v1/experiments", json={**good, "versions": []}, headers=who)
    assert_envelope(empty, 400, "body.versions: List should have at least 1 item")
    typed_by = api.post("/api/v1/experiments", json={**good, "by": "data-owner"}, headers=who)
    assert_envelope(typed_by, 400, "body.by: Extra inputs are not permitted")
    missing = api.post("/api/v1/experiments",
                       json={**good, "versions": [{"version_id": "V-9999"}]}, headers=who)
    assert_envelope(missing, 404, "dataset version V-9999 does not exist")
    formal = api.post("/api/v1/projects/P-TEST/experiments", json={**good, "kind": "formal"},
                      headers=who)
    assert_envelope(formal, 403, "formal experiment")
    assert _count(team) == before


def test_cli_log_and_finish_through_the_server(
        api: TestClient, cli: Any, team: Any, seeded: dict[str, str], live_server: Any,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    version = _version(api, seeded, principals["algorithm-engineer"])
    _through(monkeypatch, live_server, _token(principals, "algorithm-engineer"))
    logged = cli("experiments", "log", "remote run", "--model", "sft-7b@4", "--version",
                 f"{version}:eval", "--kind", "exploratory", "--project", "P-TEST",
                 "--metric", "accuracy=0.7", "--baseline", "EXP-0001", "--json")
    assert logged.code == 0, logged.err
    exp_id = logged.json()["experiment"]["id"]
    assert logged.json()["regressions"] == ["accuracy"] and logged.json()["issue_id"]
    assert _actor(team, "experiment.add", exp_id) == "algorithm-engineer"
    human = cli("experiments", "finish", seeded["experiment"], "--metric", "accuracy=0.85")
    assert human.code == 0, human.err
    assert "accuracy 0.8 → 0.85" in human.out and "ok" in human.out
    again = cli("experiments", "finish", seeded["experiment"])
    assert again.code == 2 and "cannot move from 'completed'" in again.err
    _through(monkeypatch, live_server, _token(principals, "outsider"))
    refused = cli("experiments", "finish", exp_id)
    assert refused.code == 2 and "a member of the experiment's project" in refused.err
    _local(monkeypatch)
    stored = cli("experiments", "show", exp_id, "--json").json()
    assert stored["experiment"] == logged.json()["experiment"]
    assert stored["experiment"]["state"] == "completed"


@pytest.mark.slow
def test_cli_import_mlflow_through_the_server_uploads_a_local_store(
        api: TestClient, cli: Any, team: Any, seeded: dict[str, str], live_server: Any,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    version = _version(api, seeded, principals["algorithm-engineer"])
    store = tmp_path / "mlflow.db"
    mc = MlflowClient(tracking_uri=f"sqlite:///{store}")
    evals = mc.create_experiment("gsm8k-evals")
    run = mc.create_run(evals, run_name="explore", tags={
        "flywheel.data_version": f"{version}:eval", "flywheel.model_version": "sft-7b-dev",
        "flywheel.project": "P-TEST"})
    mc.log_metric(run.info.run_id, "accuracy", 0.6)
    mc.set_terminated(run.info.run_id, "FINISHED")
    before = store.read_bytes()

    _through(monkeypatch, live_server, _token(principals, "data-owner"))
    refused = cli("experiments", "import-mlflow", "--tracking-uri", str(store))
    assert refused.code == 2 and "algorithm_engineer or platform_engineer" in refused.err
    _through(monkeypatch, live_server, _token(principals, "algorithm-engineer"))
    result = cli("experiments", "import-mlflow", "--tracking-uri", str(store), "--json")
    assert result.code == 0, result.err
    assert "not written back" in result.err
    [imported] = result.json()["imported"]
    exp = imported["experiment"]
    assert exp["mlflow_run_id"] == run.info.run_id
    assert exp["mlflow_tracking_uri"] == f"sqlite:///{store.resolve()}"
    assert store.read_bytes() == before  # the local store is read, never changed
    assert _actor(team, "experiment.add", exp["id"]) == "algorithm-engineer"
    not_sqlite = api.post("/api/v1/experiments/import-mlflow/upload", content=b"hello",
                          headers={**principals["algorithm-engineer"],
                                   "content-type": "application/octet-stream"})
    assert_envelope(not_sqlite, 400, "not an MLflow SQLite store")
    count = _count(team)
    missing = api.post("/api/v1/experiments/import-mlflow", headers=principals["platform-engineer"],
                       json={"tracking_uri": str(tmp_path / "absent.db"), "write_back": False})
    assert missing.status_code in (400, 404) and _count(team) == count


def test_capture_env_has_no_route_it_describes_the_client(api: TestClient) -> None:
    paths = api.app.openapi()["paths"]  # type: ignore[attr-defined]
    assert not [p for p in paths if "capture" in p]


def test_compare_refuses_a_baseline_of_a_project_the_caller_is_not_in(
        api: TestClient, team: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    from server_helpers import token_headers

    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.governance.people import add_person

    version = _version(api, seeded, principals["algorithm-engineer"])
    spec = {"title": "t", "kind": "exploratory", "model_version": "m",
            "versions": [{"version_id": version}], "metrics": {"accuracy": 0.5}}
    other = log_experiment(team, parse_create({**spec, "project_id": "P-OTHER"})).experiment
    mine = log_experiment(team, parse_create({**spec, "project_id": "P-TEST",
                                              "baseline_experiment_id": other.id})).experiment
    add_person(team, Person(id="p-test-only", name="P-TEST only"), roles=[Role.ALGORITHM_ENGINEER],
               project_id="P-TEST", login="p-test-only")
    who = token_headers(team, "p-test-only")
    assert api.get(f"/api/v1/experiments/{mine.id}", headers=who).status_code == 200
    refused = api.get(f"/api/v1/experiments/{mine.id}/compare", headers=who)
    assert_envelope(refused, 403, f"baseline {other.id} is in project P-OTHER")
    allowed = api.get(f"/api/v1/experiments/{mine.id}/compare",
                      headers=principals["algorithm-engineer"])
    assert allowed.status_code == 200 and allowed.json()["baseline"] == other.id
