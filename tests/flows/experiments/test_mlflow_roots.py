"""`check_served_store`: which MLflow stores the team server opens for a caller — http(s) tracking
servers, and local stores (a path made `sqlite:///…`, `sqlite:///…`, `file:///…`) only under a
configured root after resolving symlinks and `..`; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataflywheel.errors import BadInput
from dataflywheel.flows.experiments.mlflow_roots import check_served_store
from dataflywheel.integrations.mlflow_store import normalise_uri


@pytest.mark.parametrize("uri", ["http://mlflow.internal:5000", "https://mlflow.example.org/x"])
def test_a_tracking_server_is_allowed_without_roots(uri: str) -> None:
    assert check_served_store(uri, [], kept="k") == uri


def test_local_stores_under_a_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "team").mkdir(parents=True)
    inside = root / "team" / "mlflow.db"
    for uri in (normalise_uri(str(inside)), f"sqlite:///{inside}", inside.as_uri(),
                f"sqlite:///{root}/team/../team/mlflow.db"):
        assert check_served_store(uri, [root], kept="k") == uri


@pytest.mark.parametrize("uri", ["http://", "https:///path", "sqlite://", "sqlite:///:memory:",
                                 "file://otherhost/srv/mlflow", "mysql://u@h/db", "databricks",
                                 "ftp://host/mlflow.db", "sqlite:///ROOT/mlflow.db?mode=rwc",
                                 "simplecache::file:///ROOT/mlflow.db"])
def test_anything_else_is_refused_with_the_rule(tmp_path: Path, uri: str) -> None:
    uri = uri.replace("/ROOT", str(tmp_path))
    with pytest.raises(BadInput) as refused:
        check_served_store(uri, [tmp_path], kept="nothing was imported")
    assert str(refused.value).startswith(f"the server does not open the MLflow store {uri!r}")
    assert "nothing was imported" in str(refused.value)
    assert "under a folder its operator allowed" in str(refused.value)
