"""Many rows into one table in one go, the fastest way each backend offers (bulk ingest).

Why: on PostgreSQL, psycopg sends an executemany INSERT as one statement per row (pipelined);
at a 2,000-row batch that is most of an ingest's time (issue 24). `COPY ... FROM STDIN` sends the
rows as one stream. Each value goes through the column type's own bind processing first (the
same conversion an INSERT applies: UTC timestamps, JSON columns), so the stored rows are the
same. SQLite, and any table whose omitted columns have Python-side defaults (which COPY would not
fill), keep the executemany INSERT.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (each with the same keys, all column names) inside the caller's transaction.

    A constraint violation raises SQLAlchemy's `IntegrityError` on every backend, as the INSERT
    would; pending ORM changes are flushed first, as `session.execute` would.
    """
    if not rows:
        return
    names = list(rows[0])
    session.flush()
    connection = session.connection()
    if connection.dialect.driver != "psycopg" or not _copyable(table, names, rows):
        session.execute(insert(table), list(rows))
        return
    _copy(connection, table, names, rows)


def _copyable(table: Table, names: list[str], rows: Sequence[Mapping[str, Any]]) -> bool:
    """COPY gives the same rows only when every key is a column, every row has the same keys,
    and no omitted column needs a Python-side default."""
    keys = set(names)
    if not keys <= set(table.c.keys()):
        return False
    if any(c.key not in keys and (c.default is not None or c.onupdate is not None)
           for c in table.columns):
        return False
    return all(len(row) == len(names) and row.keys() == keys for row in rows)


def _copy(connection: Connection, table: Table, names: list[str],
          rows: Sequence[Mapping[str, Any]]) -> None:
    import psycopg  # only on PostgreSQL, so SQLite workspaces never import it
    from psycopg import sql

    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names]
    target = sql.Identifier(*((table.schema,) if table.schema else ()), table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name in names))
    raw: Any = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([value if process is None else process(value)
                                for process, value in zip(processors, row.values(), strict=True)])
    except psycopg.IntegrityError as exc:
        raise IntegrityError(statement.as_string(raw), None, exc) from exc
