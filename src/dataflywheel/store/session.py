"""Engines and units of work for both backends.

SQLite: WAL, foreign keys on, and every write transaction begins with `BEGIN IMMEDIATE`, so there is
exactly one writer at a time and a read-then-write inside a flow step cannot interleave with
another writer. PostgreSQL: ordinary transactions; code that must serialise (the audit chain) takes
an advisory lock itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from dataflywheel.store.dberrors import product_error

SQLITE_BUSY_TIMEOUT_S = 30


SQLITE_POOL = {"pool_size": 32, "max_overflow": 16}
"""Connections kept open to a SQLite file: as many as the team server admits requests at once
(`api.backpressure.default_limit`), so a loaded server reuses its connections instead of opening
(and setting the pragmas of) one per request beyond SQLAlchemy's default five: under 16 concurrent
list GETs that churn was 8% of the server's wall-clock samples. An in-memory database keeps
SQLAlchemy's own pool (one connection per thread)."""
POSTGRES_POOL = {"pool_size": 16, "max_overflow": 16}
"""Connections to PostgreSQL per process: at most 32, so two server workers stay well inside the
server's default `max_connections` of 100."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the pragmas and isolation the house rules need."""
    if url.startswith("sqlite"):
        in_memory = make_url(url).database in (None, "", ":memory:")
        pool = {} if in_memory else SQLITE_POOL
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
                               **{**pool, **kwargs})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **{**POSTGRES_POOL, **kwargs})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's `begin` event issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """A database the flows write through: `unit_of_work()` for changes, `session()` for reads."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._reads = sessionmaker(
            self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all.

        A driver error (at any statement or at the commit) leaves as a product error that never
        shows the SQL or its parameters (`store.dberrors`); the driver error is its `__cause__`.
        """
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            raise product_error(exc, where=self.safe_url) from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only view; nothing is committed. Driver errors as in `unit_of_work`."""
        try:
            with self._reads() as session:
                try:
                    yield session
                finally:
                    session.rollback()
        except DBAPIError as exc:
            raise product_error(exc, where=self.safe_url) from exc

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
