"""Counts of a table's rows by two columns, for the boards' tables (state × priority, tier ×
state): one GROUP BY, every named pair present (zero where none), values the database holds that
the names miss kept too — never dropped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select

from dataflywheel.flows.workspace import Workspace


def counts_by(ws: Workspace, rows: Any, cols: Any, *, row_names: Sequence[str],
              col_names: Sequence[str], where: ColumnElement[bool] | None = None
              ) -> dict[str, dict[str, int]]:
    """{row value: {column value: count}} of the rows matching `where`."""
    stmt = select(rows, cols, func.count()).group_by(rows, cols)
    if where is not None:
        stmt = stmt.where(where)
    table = {r: dict.fromkeys(col_names, 0) for r in row_names}
    with ws.db.session() as s:
        for row, col, count in s.execute(stmt):
            table.setdefault(row, dict.fromkeys(col_names, 0))[col] = count
    return table
