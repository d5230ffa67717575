"""MLflow: import runs from a real SQLite-backed tracking store, write our versions back."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from exp_helpers import repro
from sqlalchemy import func, select

from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows.experiments.experiment_read import experiment_detail, get_experiment
from dataflywheel.flows.workspace import Workspace

pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow


@dataclass
class Store:
    path: Path
    runs: dict[str, str]  # our label → MLflow run id


def _tags(version: str, **extra: str) -> dict[str, str]:
    tags = {"flywheel.data_version": version, "flywheel.kind": "formal",
            "flywheel.model_version": "sft-7b", "flywheel.project": "P-TEST",
            "flywheel.owner": "algorithm-engineer"}
    for name, value in repro().items():
        tags[f"flywheel.{name}"] = json.dumps(value) if isinstance(value, dict) else str(value)
    tags.update(extra)
    return tags


def _run(mc, exp_id: str, name: str, tags: dict[str, str], metrics: dict[str, float]) -> str:  # type: ignore[no-untyped-def]
    run = mc.create_run(exp_id, run_name=name, tags=tags)
    for key, value in metrics.items():
        mc.log_metric(run.info.run_id, key, value)
    mc.log_param(run.info.run_id, "temperature", "0.0")
    mc.set_terminated(run.info.run_id, "FINISHED")
    return str(run.info.run_id)


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One real MLflow store (built once: MLflow's migrations take seconds), copied per test."""
    from mlflow.tracking import MlflowClient

    path = tmp_path_factory.mktemp("mlflow") / "mlflow.db"
    mc = MlflowClient(tracking_uri=f"sqlite:///{path}")
    evals = mc.create_experiment("gsm8k-evals")
    runs = {"baseline": _run(mc, evals, "baseline 175b", _tags("gsm-v1:eval"), {"accuracy": 0.8})}
    runs["candidate"] = _run(mc, evals, "candidate 6b", _tags(
        "gsm-v2:eval", **{"flywheel.baseline": f"mlflow:{runs['baseline']}"}), {"accuracy": 0.7})
    runs["untagged"] = _run(mc, evals, "someone else's run", {}, {"accuracy": 0.5})
    runs["explore"] = _run(mc, evals, "try candidate data", {
        "flywheel.data_version": "gsm-cand", "flywheel.model_version": "sft-7b-dev"}, {})
    broken = mc.create_experiment("broken")
    runs["missing_version"] = _run(mc, broken, "typo", _tags("gsm-v9"), {"accuracy": 0.1})
    runs["formal_candidate"] = _run(mc, broken, "formal on candidate", _tags("gsm-cand"), {})
    runs["no_seed"] = _run(mc, broken, "no seed", {**_tags("gsm-v1"), "flywheel.random_seed": "x"}, {})
    nan = mc.create_experiment("nan")
    runs["nan"] = _run(mc, nan, "diverged", _tags("gsm-v1"), {"accuracy": float("nan")})
    return Store(path, runs)


@pytest.fixture
def store(mlflow_store: Store, tmp_path: Path) -> Store:
    copy = tmp_path / "mlflow.db"
    shutil.copyfile(mlflow_store.path, copy)
    return Store(copy, mlflow_store.runs)


def _experiments(ws: Workspace) -> int:
    from dataflywheel.store.tables.experiments import ExperimentRow

    with ws.db.session() as s:
        return s.scalar(select(func.count()).select_from(ExperimentRow)) or 0


def test_import_maps_tags_to_versions_and_writes_versions_back(lab: Workspace,
                                                               store: Store) -> None:
    from mlflow.tracking import MlflowClient

    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    result = import_runs(lab, str(store.path), experiment="gsm8k-evals")
    assert [x.experiment.mlflow_run_id for x in result.imported] == [
        store.runs["baseline"], store.runs["candidate"], store.runs["explore"]]
    assert result.skipped == [{"run_id": store.runs["untagged"],
                               "reason": "no flywheel.data_version tag"}]
    base, cand, explore = (x.experiment for x in result.imported)
    assert (base.kind.value, base.model_version, base.metrics, base.params) == (
        "formal", "sft-7b", {"accuracy": 0.8}, {"temperature": "0.0"})
    assert base.missing_reproducibility() == [] and base.random_seed == 1234
    assert cand.baseline_experiment_id == base.id
    assert result.imported[1].issue is not None  # 0.8 → 0.7 regression opened an issue
    assert explore.kind.value == "exploratory"
    assert experiment_detail(lab, explore.id)["versions"][0]["version_state"] == "candidate"

    run = MlflowClient(tracking_uri=f"sqlite:///{store.path}").get_run(store.runs["baseline"])
    (given,) = run.inputs.dataset_inputs
    assert given.dataset.name == "gsm@1" and given.dataset.source_type == "flywheel"
    assert json.loads(given.dataset.source)["version_id"] == "gsm-v1"
    assert json.loads(given.dataset.profile)["manifest_sha256"] == "1" * 64
    assert {t.key: t.value for t in given.tags} == {"mlflow.data.context": "eval"}
    assert run.data.tags["flywheel.experiment_id"] == base.id

    again = import_runs(lab, str(store.path), experiment="gsm8k-evals")
    assert again.imported == []
    assert {s["run_id"]: s["reason"] for s in again.skipped} == {
        store.runs["baseline"]: f"already imported as {base.id}",
        store.runs["candidate"]: f"already imported as {cand.id}",
        store.runs["explore"]: f"already imported as {explore.id}",
        store.runs["untagged"]: "no flywheel.data_version tag"}


@pytest.mark.parametrize(("run", "error", "message"), [
    ("missing_version", NotFound, ("MLflow run {id}: dataset version gsm-v9 does not exist; "
                                  "field 'versions'. Kept: nothing was imported")),
    ("formal_candidate", PolicyViolation, ("MLflow run {id}: formal experiment 'formal on "
                                          "candidate' may not use gsm-cand (candidate, not frozen)")),
    ("no_seed", BadInput, "MLflow run {id} has a random seed that is not an integer"),
    ("nan", BadInput, ("invalid experiment; field 'metrics.accuracy'; expected Input should be a "
                      "finite number")),
])
def test_a_bad_run_imports_nothing(lab: Workspace, store: Store, run: str,
                                   error: type[Exception], message: str) -> None:
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    run_ids = [store.runs["baseline"], store.runs[run]]
    with pytest.raises(error) as info:
        import_runs(lab, str(store.path), run_ids=run_ids)
    assert message.format(id=store.runs[run]) in str(info.value)
    assert _experiments(lab) == 0, "the good run before the bad one must not be kept"


def test_malformed_stores_are_refused_and_left_untouched(lab: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BadInput) as info:
        import_runs(lab, str(garbage))
    assert str(info.value) == (f"{garbage}: not an MLflow tracking store (file is not a database);"
                               " expected an SQLite database written by MLflow. "
                               "Kept: the file was not changed")
    assert garbage.read_bytes() == b"this is not a database" * 100

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE runs (id TEXT)")
    before = other.read_bytes()
    with pytest.raises(BadInput) as info:
        import_runs(lab, f"sqlite:///{other}")
    assert str(info.value).startswith(f"{other}: not an MLflow tracking store; expected the MLflow"
                                      " tables alembic_version, experiments, metrics, params, runs,"
                                      " tags; got 'no alembic_version, experiments, metrics, "
                                      "params, tags'")
    assert other.read_bytes() == before

    with pytest.raises(NotFound, match="no MLflow tracking store here"):
        import_runs(lab, str(tmp_path / "absent.db"))
    assert not (tmp_path / "absent.db").exists()
    assert _experiments(lab) == 0


def test_unknown_experiment_and_untagged_named_run(lab: Workspace, store: Store) -> None:
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    with pytest.raises(NotFound, match="MLflow experiment 'nope' does not exist"):
        import_runs(lab, str(store.path), experiment="nope")
    with pytest.raises(BadInput, match="has no flywheel.data_version tag"):
        import_runs(lab, str(store.path), run_ids=[store.runs["untagged"]])
    with pytest.raises(BadInput, match="MLflow store refused the read"):
        import_runs(lab, str(store.path), run_ids=["0" * 32])


def test_export_creates_a_run_that_imports_back_identically(lab: Workspace, tmp_path: Path) -> None:
    from exp_helpers import spec_dict
    from mlflow.tracking import MlflowClient

    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.experiments.mlflow_sync import export_experiment
    from dataflywheel.integrations.mlflow import run_fields

    exp = log_experiment(lab, parse_create(spec_dict())).experiment
    target = tmp_path / "export.db"
    run_id = export_experiment(lab, exp.id, str(target), mlflow_experiment="from-flywheel")
    linked = get_experiment(lab, exp.id)
    assert linked.mlflow_run_id == run_id and linked.mlflow_tracking_uri == f"sqlite:///{target}"
    assert export_experiment(lab, exp.id) == run_id  # again: same run, inputs not duplicated
    run = MlflowClient(tracking_uri=f"sqlite:///{target}").get_run(run_id)
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["gsm@1"]
    back = parse_create(run_fields(run, f"sqlite:///{target}"))
    assert back.metrics == exp.metrics and back.kind == exp.kind
    assert back.runtime_env == exp.runtime_env and back.random_seed == exp.random_seed
    assert [v.version_id for v in back.versions] == ["gsm-v1"]
    with pytest.raises(BadInput, match="lives in another MLflow store"):
        export_experiment(lab, exp.id, str(tmp_path / "elsewhere.db"))
    assert not (tmp_path / "elsewhere.db").exists()


def test_cli_import_export_and_malformed_store(lab: Workspace, store: Store, cli,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    result = cli("experiments", "import-mlflow", "--tracking-uri", str(store.path),
                 "--experiment", "gsm8k-evals", "--json")
    assert result.code == 0, result.err
    assert [x["experiment"]["id"] for x in result.json()["imported"]] == [
        "EXP-0001", "EXP-0002", "EXP-0003"]
    exported = cli("experiments", "export-mlflow", "EXP-0001", "--json")
    assert exported.code == 0 and exported.json()["run_id"] == store.runs["baseline"]
    bad = tmp_path / "notes.db"
    bad.write_text("hello")
    refused = cli("experiments", "import-mlflow", "--tracking-uri", str(bad))
    assert refused.code == 2 and "not an MLflow tracking store" in refused.err


def test_without_mlflow_installed_the_error_says_what_to_install(
        lab: Workspace, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    monkeypatch.setitem(sys.modules, "mlflow", None)  # what Python does when it is not installed
    with pytest.raises(BadInput) as info:
        import_runs(lab, str(store.path))
    assert str(info.value) == (f"sqlite:///{store.path}: MLflow is not installed. Kept: nothing "
                               "was imported or exported. Next: pip install 'dataflywheel[mlflow]'")
