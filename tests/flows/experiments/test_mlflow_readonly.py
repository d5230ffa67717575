"""A foreign MLflow store is read, never changed: importing from a store written by an older MLflow
leaves its bytes and schema as they were (MLflow would migrate it on open, and the MLflow that
wrote it would then refuse it); write-back to such a store is refused before anything happens."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from mlflow_helpers import digest, downgrade
from test_mlflow_import import Store, mlflow_store  # noqa: F401 - the session store fixture

from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace

pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow


def _schema(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


@pytest.fixture(scope="session")
def older_store(mlflow_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:  # noqa: F811
    """The session store taken back three MLflow schema revisions, as an older MLflow left it."""
    path = tmp_path_factory.mktemp("mlflow-old") / "mlflow.db"
    shutil.copyfile(mlflow_store.path, path)
    downgrade(path)
    return Store(path, mlflow_store.runs)


@pytest.fixture
def old(older_store: Store, tmp_path: Path) -> Store:
    copy = tmp_path / "mlflow.db"
    shutil.copyfile(older_store.path, copy)
    return Store(copy, older_store.runs)


def test_import_without_write_back_leaves_an_older_store_byte_for_byte(
        lab: Workspace, old: Store, cli: Any) -> None:
    from mlflow.store.db.utils import _get_latest_schema_revision

    schema, before = _schema(old.path), digest(old.path)
    assert schema != _get_latest_schema_revision()  # the store really is an older MLflow's
    result = cli("experiments", "import-mlflow", "--tracking-uri", str(old.path),
                 "--experiment", "gsm8k-evals", "--no-write-back", "--json")
    assert result.code == 0, result.err
    assert [x["experiment"]["mlflow_run_id"] for x in result.json()["imported"]] == [
        old.runs["baseline"], old.runs["candidate"], old.runs["explore"]]
    assert digest(old.path) == before and _schema(old.path) == schema
    assert [p.name for p in old.path.parent.glob("mlflow.db*")] == ["mlflow.db"]  # no journal


def test_write_back_to_an_older_store_is_refused_and_changes_nothing(
        lab: Workspace, old: Store) -> None:
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    schema, before = _schema(old.path), digest(old.path)
    with pytest.raises(BadInput) as info:
        import_runs(lab, str(old.path), experiment="gsm8k-evals")
    message = str(info.value)
    assert f"MLflow store is at schema {schema}, not this MLflow's" in message
    assert "Kept: nothing was imported or exported; the store was not changed" in message
    assert "Next: import with --no-write-back (it only reads)" in message
    assert digest(old.path) == before
    from dataflywheel.flows.experiments.experiment_read import list_experiments

    assert list_experiments(lab) == []
