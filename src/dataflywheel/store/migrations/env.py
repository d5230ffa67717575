"""Alembic environment: runs against the connection handed in by `store.migrate`."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning

from dataflywheel.store.tables import Base

# datasets <-> dataset_versions is a deliberate FK cycle; migrations add such keys after the tables.
warnings.filterwarnings("ignore", message="Cannot correctly sort tables", category=SAWarning)

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through store.migrate
    raise RuntimeError("run migrations through dataflywheel.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
