"""Many rows into one table in one go, the fastest way each backend offers (bulk ingest).

Why: on PostgreSQL, psycopg sends an executemany INSERT as one statement per row (pipelined);
at a 2,000-row batch that is most of an ingest's time (issue 24). `COPY ... FROM STDIN` sends the
rows as one stream. On SQLite the INSERT is compiled once and the rows go to the driver's
`executemany` as tuples, without SQLAlchemy building a parameter dict per row. Either way each
value goes through the column type's own bind processing first (the same conversion an INSERT
applies: UTC timestamps, JSON columns), so the stored rows are the same. Any other driver, and a
table whose omitted columns have Python-side defaults (which neither path would fill), keep
SQLAlchemy's executemany INSERT.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (each with the same keys, all column names) inside the caller's transaction.

    A driver error is SQLAlchemy's `DBAPIError` (`IntegrityError` for a constraint) on every
    backend, as the INSERT would raise it; pending ORM changes are flushed first, as `session.execute` would.
    """
    if not rows:
        return
    names = list(rows[0])
    session.flush()
    connection = session.connection()
    driver = connection.dialect.driver
    if driver not in ("psycopg", "pysqlite") or not _plain(table, names, rows):
        session.execute(insert(table), list(rows))
    elif driver == "psycopg":
        _copy(connection, table, names, rows)
    else:
        _executemany(connection, table, names, rows)


def _plain(table: Table, names: list[str], rows: Sequence[Mapping[str, Any]]) -> bool:
    """The fast paths give the same rows only when every key is a column, every row has the
    same keys, and no omitted column needs a Python-side default."""
    keys = set(names)
    if not keys <= set(table.c.keys()):
        return False
    if any(c.key not in keys and (c.default is not None or c.onupdate is not None)
           for c in table.columns):
        return False
    return all(len(row) == len(names) and row.keys() == keys for row in rows)


def _values(connection: Connection, table: Table, names: Sequence[str],
            rows: Sequence[Mapping[str, Any]]) -> Iterator[list[Any]]:
    """Each row's values in `names` order, as the columns' types bind them."""
    dialect = connection.dialect
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                  for name in names]
    for row in rows:
        yield [row[name] if process is None else process(row[name])
               for process, name in zip(processors, names, strict=True)]


def _executemany(connection: Connection, table: Table, names: list[str],
                 rows: Sequence[Mapping[str, Any]]) -> None:
    """SQLite: one compiled INSERT, positional parameters; errors wrapped as SQLAlchemy's."""
    text, order = _compiled_insert(table, tuple(names), connection.dialect)
    connection.exec_driver_sql(text, [tuple(values) for values in
                                      _values(connection, table, order, rows)])


@lru_cache(maxsize=512)
def _compiled_insert(table: Table, names: tuple[str, ...], dialect: Dialect
                     ) -> tuple[str, list[str]]:
    """The INSERT's SQL and its parameters' order, compiled once per table, columns and dialect:
    compiling took about a third of a one-event audited write (two INSERTs: the row and its audit
    entry)."""
    compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
    return str(compiled), list(compiled.positiontup or ())


def _copy(connection: Connection, table: Table, names: list[str],
          rows: Sequence[Mapping[str, Any]]) -> None:
    import psycopg  # only on PostgreSQL, so SQLite workspaces never import it
    from psycopg import sql

    target = sql.Identifier(*((table.schema,) if table.schema else ()), table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        target, sql.SQL(", ").join(sql.Identifier(name) for name in names))
    raw: Any = connection.connection.dbapi_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for values in _values(connection, table, names, rows):
                copy.write_row(values)
    except psycopg.Error as exc:  # wrapped as SQLAlchemy wraps it for an INSERT (store.dberrors)
        raise DBAPIError.instance(statement.as_string(raw), None, exc, psycopg.Error,
                                  dialect=connection.dialect) from exc
