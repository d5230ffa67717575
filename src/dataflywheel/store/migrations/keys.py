"""Foreign keys in migrations that work with reference cycles on both backends.

SQLite checks foreign keys only when rows are written, so keys go inline in CREATE TABLE even when
they point at a table created later. PostgreSQL needs the target to exist, so there every key is
added after all tables of the migration exist. Migrations import this module; keep it stable.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


class DeferredForeignKeys:
    """Collects the keys of one migration's `upgrade()` and adds them where the backend needs."""

    def __init__(self) -> None:
        self._deferred: list[tuple[str, str, list[str], str, list[str], str]] = []

    def fk(self, table: str, name: str, cols: list[str], target: str, target_cols: list[str],
           ondelete: str) -> list[sa.ForeignKeyConstraint]:
        """Use as `*keys.fk(...)` inside `op.create_table(...)`."""
        if op.get_bind().dialect.name == "sqlite":
            return [sa.ForeignKeyConstraint(cols, [f"{target}.{c}" for c in target_cols], name=name,
                                            ondelete=ondelete)]
        self._deferred.append((table, name, cols, target, target_cols, ondelete))
        return []

    def create_deferred(self) -> None:
        for table, name, cols, target, target_cols, ondelete in self._deferred:
            op.create_foreign_key(name, table, target, cols, target_cols, ondelete=ondelete)
        self._deferred.clear()


def drop_all_foreign_keys() -> None:
    """Before dropping tables that reference each other (not needed on SQLite)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        for key in inspector.get_foreign_keys(table):
            if key["name"]:
                op.drop_constraint(key["name"], table, type_="foreignkey")
