"""Engines and units of work for both backends.

SQLite: WAL, foreign keys on, and every write transaction begins with `BEGIN IMMEDIATE`, so there is
exactly one writer at a time and a read-then-write inside a flow step cannot interleave with
another writer. PostgreSQL: ordinary transactions; code that must serialise (the audit chain) takes
an advisory lock itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from dataflywheel.errors import Conflict
from dataflywheel.store.dberrors import KEPT, product_error

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
        self._writer = _writer_of(self.engine)

    def _one_writer(self) -> AbstractContextManager[None]:
        """On a SQLite file, the units of work of this process take turns before `BEGIN
        IMMEDIATE`.

        Why: SQLite admits one writer; the others wait in its busy handler, which sleeps in steps
        of up to 100 ms and so answers a queue of writers in bursts — 16 concurrent audited POSTs
        had a p99 of 2.5 s. A lock wakes the next writer the moment the last one commits. Other
        processes (the CLI beside a server) still meet SQLite's own busy timeout. One turn per
        database file in the process, shared by every `Database` on it; reentrant, so a unit of
        work opened inside another on the same thread is not made to wait for itself. PostgreSQL
        and an in-memory SQLite need no turn (`nullcontext`)."""
        if self._writer is None:
            return nullcontext()
        return _Turn(self._writer)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all.

        A driver error (at any statement or at the commit) leaves as a product error that never
        shows the SQL or its parameters (`store.dberrors`); the driver error is its `__cause__`.
        """
        try:
            with self._one_writer(), self._sessions.begin() as session:
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


_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_of(engine: Engine) -> threading.RLock | None:
    """The writers' turn of the SQLite file behind `engine` (None: not a file on SQLite)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    path = os.path.realpath(str(engine.url.database))
    with _WRITERS_LOCK:
        return _WRITERS.setdefault(path, threading.RLock())


class _Turn:
    """Holding `lock` for one unit of work; waiting longer than SQLite's own busy timeout is the
    same `Conflict` a busy database gives."""

    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock

    def __enter__(self) -> None:
        if not self.lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise Conflict("the database is busy with another writer", got="writer turn timeout",
                           kept=KEPT, hint="retry the command")

    def __exit__(self, *exc: object) -> None:
        self.lock.release()
