"""Experiment Pool records through the store on both backends: round trips, usage queries, and
foreign keys that keep every experiment tied to real versions."""

from __future__ import annotations

from typing import Any

import pytest
from pools_seed import NOW, refused, seed_data
from sqlalchemy import update

from dataflywheel.domain.records.experiment import (
    ErrorSample, Experiment, ExperimentKind, ExperimentVersion, UsageRole,
)
from dataflywheel.domain.states import ExperimentState, VersionState
from dataflywheel.store.repositories.experiments import (
    ErrorSamples, Experiments, ExperimentVersions,
)
from dataflywheel.store.session import Database
from dataflywheel.store.tables.experiments import ExperimentRow, ExperimentVersionRow

CONTEXT: dict[str, Any] = dict(
    runtime_env={"python": "3.11.9", "packages": {"torch": "2.5.1"}},
    container_image="ghcr.io/team/train@sha256:" + "1" * 64, dependency_lock="uv.lock:" + "2" * 64,
    hardware_profile={"gpu": "H100", "count": 8}, cuda_driver="550.54.15",
    random_seed=2**63 - 1, determinism_flags={"cudnn.deterministic": True, "tf32": False},
)


def _experiment(exp_id: str = "EXP-0001", **changes: Any) -> Experiment:
    fields: dict[str, Any] = dict(
        id=exp_id, title="SFT on k12@1", kind=ExperimentKind.FORMAL, project_id="P-K12",
        owner_id="bob", model_version="tutor-7b-r4", started_at=NOW,
    )
    return Experiment.model_validate(fields | changes)


def test_every_experiment_record_round_trips(database: Database) -> None:
    seed_data(database)
    records: list[tuple[Any, Any]] = [
        (Experiments, _experiment("EXP-0001")),
        (Experiments, _experiment(
            "EXP-0002", baseline_experiment_id="EXP-0001", state=ExperimentState.COMPLETED,
            params={"lr": 2e-5, "epochs": 3, "lora": {"r": 16}},
            metrics={"acc": 0.713, "loss": 1.25}, conclusion="geometry +3pt",
            mlflow_run_id="abc123", mlflow_tracking_uri="sqlite:///m.db",
            ended_at=NOW, **CONTEXT)),
        (ExperimentVersions, ExperimentVersion(experiment_id="EXP-0002", version_id="V-1",
                                               role=UsageRole.TRAIN,
                                               version_state=VersionState.FROZEN)),
        (ErrorSamples, ErrorSample(id="ES-1", experiment_id="EXP-0002", record_id="gsm8k-17",
                                   category="geometry", version_id="V-1",
                                   detail={"output": "12", "expected": "14"})),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record
    with database.session() as s:
        again = Experiments(s).get("EXP-0002")
        assert again.random_seed == 2**63 - 1 and again.missing_reproducibility() == []
        assert Experiments(s).get("EXP-0001").missing_reproducibility()[0] == "runtime_env"


def test_every_experiment_state_is_kept(database: Database) -> None:
    seed_data(database)
    ids = [f"EXP-{n + 1:04d}" for n in range(len(ExperimentState))]
    with database.unit_of_work() as s:
        for exp_id, state in zip(ids, ExperimentState, strict=True):
            Experiments(s).add(_experiment(exp_id, state=state))
    with database.session() as s:
        assert [Experiments(s).get(i).state for i in ids] == list(ExperimentState)


def test_usage_queries_answer_which_versions_and_which_experiments(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        assert Experiments(s).next_id() == "EXP-0001"
        Experiments(s).add(_experiment("EXP-0001"))
        Experiments(s).add(_experiment("EXP-0002", kind="exploratory"))
        assert Experiments(s).next_id() == "EXP-0003"
        uses = ExperimentVersions(s)
        uses.add(ExperimentVersion(experiment_id="EXP-0001", version_id="V-1",
                                   version_state="frozen"))
        uses.add(ExperimentVersion(experiment_id="EXP-0002", version_id="V-1", role="eval",
                                   version_state="frozen"))
        uses.add(ExperimentVersion(experiment_id="EXP-0002", version_id="V-2",
                                   version_state="candidate"))
    with database.session() as s:
        experiments = Experiments(s)
        assert [v.id for v in experiments.versions_of("EXP-0002")] == ["V-1", "V-2"]
        assert [e.id for e in experiments.using("V-1")] == ["EXP-0001", "EXP-0002"]
        assert [e.id for e in experiments.using("V-2")] == ["EXP-0002"]
        candidates = [u for u in ExperimentVersions(s).list() if u.used_candidate]
        assert [(u.experiment_id, u.version_id) for u in candidates] == [("EXP-0002", "V-2")]


def test_links_to_missing_records_are_refused(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Experiments(s).add(_experiment())
    refused(database, lambda s: ExperimentVersions(s).add(
        ExperimentVersion(experiment_id="EXP-0001", version_id="V-404", version_state="frozen")))
    refused(database, lambda s: ExperimentVersions(s).add(
        ExperimentVersion(experiment_id="EXP-0404", version_id="V-1", version_state="frozen")))
    refused(database, lambda s: Experiments(s).add(
        _experiment("EXP-0002", baseline_experiment_id="EXP-0404")))
    refused(database, lambda s: Experiments(s).add(_experiment("EXP-0002", project_id="P-404")))
    refused(database, lambda s: Experiments(s).add(_experiment("EXP-0002", owner_id="ghost")))
    refused(database, lambda s: ErrorSamples(s).add(ErrorSample(
        id="ES-1", experiment_id="EXP-0404", record_id="r1", category="c")))
    refused(database, lambda s: ErrorSamples(s).add(ErrorSample(
        id="ES-1", experiment_id="EXP-0001", record_id="r1", category="c", version_id="V-404")))
    with database.session() as s:
        assert [e.id for e in Experiments(s).list()] == ["EXP-0001"]
        assert ExperimentVersions(s).list() == [] and ErrorSamples(s).list() == []


def test_the_database_refuses_bad_kinds_roles_and_duplicate_samples(database: Database) -> None:
    seed_data(database)
    with database.unit_of_work() as s:
        Experiments(s).add(_experiment())
        ExperimentVersions(s).add(ExperimentVersion(experiment_id="EXP-0001", version_id="V-1",
                                                    version_state="frozen"))
        ErrorSamples(s).add(ErrorSample(id="ES-1", experiment_id="EXP-0001", record_id="r1",
                                        category="geometry"))
    refused(database, lambda s: s.execute(update(ExperimentRow).values(kind="casual")))
    refused(database, lambda s: s.execute(update(ExperimentVersionRow).values(role="test")))
    refused(database, lambda s: s.execute(update(ExperimentVersionRow).values(version_state="x")))
    refused(database, lambda s: ErrorSamples(s).add(ErrorSample(
        id="ES-2", experiment_id="EXP-0001", record_id="r1", category="algebra")))
    with database.session() as s:
        assert Experiments(s).get("EXP-0001").kind is ExperimentKind.FORMAL
        assert [e.category for e in ErrorSamples(s).list()] == ["geometry"]


def test_bulk_lookups_answer_for_a_whole_batch(database: Database) -> None:
    """What the bulk MLflow import asks once per batch: ids (skipping one taken by hand), runs
    already imported, and which composite keys (version uses) are stored."""
    seed_data(database)
    with database.unit_of_work() as s:
        Experiments(s).add(_experiment("EXP-0001", mlflow_run_id="r1"))
        Experiments(s).add(_experiment("EXP-0003", mlflow_run_id="r1"))  # by hand, same run
        ExperimentVersions(s).add(ExperimentVersion(experiment_id="EXP-0001", version_id="V-1",
                                                    version_state="frozen"))
        assert Experiments(s).next_ids(3) == ["EXP-0004", "EXP-0005", "EXP-0006"]
        assert Experiments(s).next_ids(0) == []
        Experiments(s).add(_experiment("EXP-0005"))
        assert Experiments(s).next_ids(2) == ["EXP-0004", "EXP-0006"]
    with database.session() as s:
        assert Experiments(s).by_mlflow_run(["r1", "r2", "r1"]) == {"r1": "EXP-0001"}
        keys = [("EXP-0001", "V-1"), ("EXP-0001", "V-2"), ("EXP-0003", "V-1")]
        assert ExperimentVersions(s).existing_keys(keys) == {("EXP-0001", "V-1")}
        assert Experiments(s).existing_keys(["EXP-0003", "EXP-0404"]) == {"EXP-0003"}
