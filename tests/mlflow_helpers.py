"""Helpers for the MLflow tests (tests/integrations, tests/flows/experiments): a store as an older
MLflow left it, and a file's digest to prove a store was not changed."""

from __future__ import annotations

import hashlib
from pathlib import Path


def downgrade(path: Path, revisions: int = 3) -> None:
    """Take the MLflow store at `path` back `revisions` schema revisions, as an older MLflow left it."""
    import sqlalchemy
    from alembic import command
    from mlflow.store.db.utils import _get_alembic_config

    url = f"sqlite:///{path}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        config = _get_alembic_config(url)
        config.attributes["connection"] = conn
        command.downgrade(config, f"-{revisions}")
    engine.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
