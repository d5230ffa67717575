"""The MLflow format on a real SQLite tracking store, without a workspace: a tagged run becomes the
fields of an experiment, our records become a run and dataset inputs that read back the same.
Recording the experiments (all or none, write-back, export) is tests/flows/experiments."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.experiment import Experiment, ExperimentVersion
from dataflywheel.domain.states import ExperimentState, VersionState
from dataflywheel.errors import BadInput
from dataflywheel.integrations.mlflow import (
    create_run,
    log_dataset_inputs,
    read_runs,
    run_fields,
    tagged_runs,
)
from dataflywheel.integrations.mlflow_store import client, reading_client

pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ENV = {"python": "3.11.9", "packages": {"torch": "2.5.1"}}


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow store with its tables and no runs (built once: MLflow's migrations take
    seconds), copied per test by `uri`."""
    path = tmp_path_factory.mktemp("mlflow-empty") / "mlflow.db"
    client(f"sqlite:///{path}", create=True)
    return path


@pytest.fixture
def uri(empty_store: Path, tmp_path: Path) -> str:
    path = tmp_path / "mlflow.db"
    shutil.copy(empty_store, path)
    return f"sqlite:///{path}"


def _log(uri: str, name: str, tags: dict[str, str], **params: str) -> str:
    mc = client(uri)
    found = mc.get_experiment_by_name("evals")
    exp_id = found.experiment_id if found else mc.create_experiment("evals")
    run = mc.create_run(exp_id, run_name=name, tags=tags)
    mc.log_metric(run.info.run_id, "accuracy", 0.75)
    for key, value in params.items():
        mc.log_param(run.info.run_id, key, value)
    mc.set_terminated(run.info.run_id, "FAILED")
    return str(run.info.run_id)


def _runs(uri: str, run_ids: list[str] | None = None) -> list[Any]:
    with reading_client(uri) as mc:
        return read_runs(mc, uri, run_ids=run_ids)


def test_a_tagged_run_becomes_the_fields_of_its_experiment(uri: str) -> None:
    run_id = _log(uri, "sft on v1 and v2", {
        "flywheel.data_version": "gsm-v1:eval, gsm-v2", "flywheel.kind": "formal",
        "flywheel.baseline": "mlflow:" + "0" * 32, "flywheel.random_seed": "7",
        "flywheel.runtime_env": json.dumps(ENV), "flywheel.cuda_driver": "550.54"},
        model="sft-7b", temperature="0.0")
    [run] = _runs(uri)
    fields = run_fields(run, uri)
    assert fields["versions"] == [{"version_id": "gsm-v1", "role": "eval"},
                                  {"version_id": "gsm-v2", "role": "train"}]
    assert (fields["title"], fields["kind"], fields["model_version"], fields["state"]) == (
        "sft on v1 and v2", "formal", "sft-7b", "failed")
    assert fields["baseline_experiment_id"] == "mlflow:" + "0" * 32
    assert (fields["random_seed"], fields["runtime_env"]) == (7, ENV)
    assert fields["cuda_driver"] == "550.54"
    assert fields["params"] == {"model": "sft-7b", "temperature": "0.0"}
    assert fields["metrics"] == {"accuracy": 0.75}
    assert (fields["mlflow_run_id"], fields["mlflow_tracking_uri"]) == (run_id, uri)
    assert fields["started_at"].tzinfo is UTC and fields["ended_at"] >= fields["started_at"]


def test_untagged_runs_are_listed_as_skipped_or_refused_when_named(uri: str) -> None:
    tagged = _log(uri, "ours", {"flywheel.data_version": "gsm-v1"}, model="m")
    other = _log(uri, "theirs", {}, model="m")
    runs, skipped = tagged_runs(_runs(uri), uri, named=False)
    assert [r.info.run_id for r in runs] == [tagged]
    assert skipped == [{"run_id": other, "reason": "no flywheel.data_version tag"}]
    with pytest.raises(BadInput, match=f"MLflow run {other} has no flywheel.data_version tag"):
        tagged_runs(_runs(uri, [other]), uri, named=True)


@pytest.mark.parametrize(("tags", "field"), [
    ({"flywheel.random_seed": "seven"}, "flywheel.random_seed"),
    ({"flywheel.hardware_profile": "{gpus"}, "flywheel.hardware_profile"),
    ({"flywheel.data_version": "gsm-v1,,gsm-v2"}, "flywheel.data_version"),
    ({"flywheel.model_version": ""}, "flywheel.model_version"),
])
def test_a_wrong_tag_names_the_run_and_the_tag(uri: str, tags: dict[str, str], field: str) -> None:
    params = {} if field == "flywheel.model_version" else {"model": "sft-7b"}
    run_id = _log(uri, "bad", {"flywheel.data_version": "gsm-v1", **tags}, **params)
    [run] = _runs(uri)
    with pytest.raises(BadInput) as info:
        run_fields(run, uri)
    assert info.value.field == field and f"MLflow run {run_id}" in info.value.what
    assert info.value.kept == "nothing was imported"


def test_our_experiment_becomes_a_run_that_reads_back_the_same(uri: str) -> None:
    exp = Experiment(id="EXP-0007", title="gsm8k eval", kind="formal",
                     state=ExperimentState.COMPLETED, project_id="P-TEST", model_version="sft-7b",
                     params={"shots": 8, "prompt": "cot"}, metrics={"accuracy": 0.8},
                     runtime_env=ENV, random_seed=1234, started_at=T0,
                     ended_at=T0.replace(hour=10))
    uses = [ExperimentVersion(experiment_id=exp.id, version_id="gsm-v1", role="eval",
                              version_state=VersionState.FROZEN)]
    version = DatasetVersion(id="gsm-v1", dataset_id="gsm", number=1, state=VersionState.FROZEN,
                             manifest_sha256="ab" * 32, frozen_at=T0, created_by_id="data-engineer")
    mc = client(uri)
    run_id = create_run(mc, uri, exp, uses, "from-flywheel")
    for _ in range(2):  # idempotent: the same dataset input once
        log_dataset_inputs(mc, uri, run_id, exp.id, [(version, "eval")])
    [run] = _runs(uri, [run_id])
    assert [(d.dataset.name, d.dataset.digest) for d in run.inputs.dataset_inputs] == [
        ("gsm@1", "ab" * 16)]
    assert run.data.tags["flywheel.experiment_id"] == exp.id
    back = run_fields(run, uri)
    assert back["versions"] == [{"version_id": "gsm-v1", "role": "eval"}]
    assert (back["kind"], back["state"], back["model_version"]) == ("formal", "completed", "sft-7b")
    assert back["metrics"] == exp.metrics and back["params"] == {"shots": "8", "prompt": "cot"}
    assert (back["runtime_env"], back["random_seed"]) == (ENV, 1234)
    assert (back["started_at"], back["ended_at"]) == (exp.started_at, exp.ended_at)
