"""Opening an MLflow store (integrations/mlflow_store.py) on real SQLite files: what is not an MLflow
store is refused untouched, a store is read without being changed (even one an older MLflow wrote,
which opening would migrate), and a client that may write is refused on such a store."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from mlflow_helpers import digest, downgrade

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.integrations.mlflow import read_runs
from dataflywheel.integrations.mlflow_store import (
    check_sqlite_store,
    client,
    normalise_uri,
    reading_client,
    store_schema,
)

pytest.importorskip("mlflow")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def older(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one run, taken back three schema revisions (built once: migrations are slow)."""
    path = tmp_path_factory.mktemp("mlflow-older") / "mlflow.db"
    mc = client(f"sqlite:///{path}", create=True)
    mc.create_run(mc.create_experiment("evals"), run_name="old run")
    downgrade(path)
    return path


def test_what_is_not_an_mlflow_store_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("hello")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE runs (id TEXT)")
    before = digest(other)
    with pytest.raises(BadInput, match="not an MLflow tracking store"):
        check_sqlite_store(normalise_uri(str(notes)))
    with pytest.raises(BadInput) as info:
        check_sqlite_store(normalise_uri(str(other)))
    assert info.value.got == "no alembic_version, experiments, metrics, params, tags"
    assert notes.read_text() == "hello" and digest(other) == before
    with pytest.raises(NotFound, match="no MLflow tracking store here"):
        check_sqlite_store(normalise_uri(str(tmp_path / "absent.db")))
    check_sqlite_store(normalise_uri(str(tmp_path / "absent.db")), create=True)  # may be created
    assert not (tmp_path / "absent.db").exists()


def test_an_older_store_is_read_without_a_change_and_refused_for_writing(
        older: Path, tmp_path: Path) -> None:
    path = tmp_path / "mlflow.db"
    shutil.copyfile(older, path)
    uri, schema, before = normalise_uri(str(path)), store_schema(f"sqlite:///{path}"), digest(path)
    with reading_client(uri) as mc:
        assert [r.info.run_name for r in read_runs(mc, uri)] == ["old run"]
    assert digest(path) == before and store_schema(uri) == schema
    with pytest.raises(BadInput) as info:
        client(uri)
    assert info.value.what.startswith(f"MLflow store is at schema {schema}, not this MLflow's")
    assert digest(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["mlflow.db"]  # no journal, no copy left
