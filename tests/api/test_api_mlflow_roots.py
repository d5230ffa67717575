"""The MLflow routes that name a store the server opens take a local store only under a folder the
server's operator allowed (`Settings.mlflow_roots`, none by default); an http(s) tracking server
is allowed, any other URI refused. A refused store is a 400 naming the rule, nothing imported,
nothing written (no store created on the server's disk). Both backends."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import assert_envelope

Headers = dict[str, dict[str, str]]
IMPORT = "/api/v1/experiments/import-mlflow"
REFUSED = "the server does not open the MLflow store"


def _served(api: TestClient) -> Any:
    return api.app.state.workspace  # type: ignore[attr-defined]


def _experiments(ws: Any) -> list[Any]:
    from dataflywheel.flows.experiments.experiment_read import list_experiments

    return sorted((e.id, e.mlflow_run_id, e.mlflow_tracking_uri) for e in list_experiments(ws))


def _store(path: Path, version: str) -> str:
    """An MLflow SQLite store at `path` with one tagged run on `version`; its run id."""
    from mlflow.tracking import MlflowClient

    mc = MlflowClient(tracking_uri=f"sqlite:///{path}")
    run = mc.create_run(mc.create_experiment("gsm8k-evals"), tags={
        "flywheel.data_version": f"{version}:eval", "flywheel.model_version": "sft-7b-dev",
        "flywheel.project": "P-TEST"})
    mc.set_terminated(run.info.run_id, "FINISHED")
    return str(run.info.run_id)


@pytest.mark.parametrize("kind", ["path", "sqlite", "file", "memory", "postgres", "databricks"])
def test_without_roots_no_local_store_is_opened(api: TestClient, principals: Headers,
                                                tmp_path: Path, kind: str) -> None:
    ws = _served(api)
    store = tmp_path / "mlflow.db"
    store.write_bytes(b"SQLite format 3\x00")  # there: the refusal is the rule's, not a 404
    uri = {"path": str(store), "sqlite": f"sqlite:///{store}", "file": store.as_uri(),
           "memory": "sqlite://", "postgres": "postgresql://mlflow@db.internal/mlflow",
           "databricks": "databricks"}[kind]
    before = _experiments(ws)
    answer = api.post(IMPORT, json={"tracking_uri": uri, "write_back": False},
                      headers=principals["platform-engineer"])
    error = assert_envelope(answer, 400, REFUSED)["error"]
    assert "its operator allowed none" in error and "nothing was imported" in error
    assert "import-mlflow/upload" in error
    assert _experiments(ws) == before


def test_export_to_a_store_outside_the_roots_creates_nothing(
        api: TestClient, seeded: dict[str, str], principals: Headers, tmp_path: Path) -> None:
    ws = _served(api)
    target = tmp_path / "new" / "mlflow.db"
    target.parent.mkdir()
    before = _experiments(ws)
    answer = api.post(f"/api/v1/experiments/{seeded['experiment']}/export-mlflow",
                      json={"tracking_uri": str(target)},
                      headers=principals["algorithm-engineer"])
    error = assert_envelope(answer, 400, REFUSED)["error"]
    assert "nothing was written to any store" in error
    assert os.listdir(target.parent) == [] and _experiments(ws) == before


def test_export_checks_the_store_the_experiment_is_linked_to(
        api: TestClient, team: Any, seeded: dict[str, str], principals: Headers,
        tmp_path: Path) -> None:
    from dataflywheel.flows.experiments.experiment_import import link_mlflow_run

    linked = f"sqlite:///{tmp_path / 'linked.db'}"
    link_mlflow_run(team, seeded["experiment"], run_id="r-1", tracking_uri=linked)
    answer = api.post(f"/api/v1/experiments/{seeded['experiment']}/export-mlflow", json={},
                      headers=principals["algorithm-engineer"])
    assert_envelope(answer, 400, f"{REFUSED} {linked!r}")
    assert not (tmp_path / "linked.db").exists()


@pytest.mark.parametrize("escape", ["outside", "dotdot", "symlink"])
def test_a_root_admits_only_what_lies_under_it(api: TestClient, principals: Headers,
                                              tmp_path: Path, escape: str) -> None:
    ws = _served(api)
    root, elsewhere = tmp_path / "mlflow", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    secret = elsewhere / "mlflow.db"
    secret.write_bytes(b"SQLite format 3\x00")
    (root / "link.db").symlink_to(secret)
    ws.settings.mlflow_roots = [root]
    uri = {"outside": f"sqlite:///{secret}", "dotdot": f"sqlite:///{root}/../elsewhere/mlflow.db",
           "symlink": str(root / "link.db")}[escape]
    before = _experiments(ws)
    answer = api.post(IMPORT, json={"tracking_uri": uri, "write_back": False},
                      headers=principals["platform-engineer"])
    error = assert_envelope(answer, 400, REFUSED)["error"]
    assert "under a folder its operator allowed" in error
    assert _experiments(ws) == before


@pytest.mark.slow
def test_a_store_under_a_root_is_imported(api: TestClient, seeded: dict[str, str],
                                          principals: Headers, tmp_path: Path) -> None:
    pytest.importorskip("mlflow")
    ws = _served(api)
    version = api.get(f"/api/v1/experiments/{seeded['experiment']}",
                      headers=principals["algorithm-engineer"]).json()["versions"][0]["version_id"]
    root = tmp_path / "mlflow"
    root.mkdir()
    run_id = _store(root / "mlflow.db", version)
    ws.settings.mlflow_roots = [root]
    answer = api.post(IMPORT, json={"tracking_uri": str(root / "mlflow.db"), "write_back": False},
                      headers=principals["algorithm-engineer"])
    assert answer.status_code == 201, answer.text
    [imported] = answer.json()["imported"]
    assert imported["experiment"]["mlflow_run_id"] == run_id
