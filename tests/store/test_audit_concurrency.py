"""Sixteen concurrent writers, each with its own engine: one chain, no fork, every entry present.

Runs on a SQLite file database (threads, and separate processes) and on PostgreSQL (threads; skips
with a reason unless FLYWHEEL_TEST_POSTGRES_URL points at a reachable server).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from dataflywheel.errors import AlreadyExists, Conflict
from dataflywheel.store.audit import append_audit, entry_hash_of, verify_chain
from dataflywheel.store.base import Base
from dataflywheel.store.session import Database, make_engine
from dataflywheel.store.tables.audit import GENESIS_HASH, AuditEntryRow

WRITERS = 16
PER_WRITER = 8
AUDIT = AuditEntryRow.__table__
POSTGRES_ENV = "FLYWHEEL_TEST_POSTGRES_URL"

DatabaseFactory = Callable[[], Database]


def _sqlite_factory(tmp_path: Path) -> tuple[str, DatabaseFactory]:
    url = f"sqlite:///{tmp_path / 'flywheel.db'}"
    first = Database(url)
    Base.metadata.create_all(first.engine, tables=[AUDIT])
    first.dispose()
    return url, lambda: Database(url)


@pytest.fixture
def sqlite_factory(tmp_path: Path) -> tuple[str, DatabaseFactory]:
    return _sqlite_factory(tmp_path)


def _postgres_url_or_skip() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_ENV} to a postgresql+psycopg:// URL")
    try:
        import psycopg

        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure means: unreachable
        pytest.skip(f"PostgreSQL run skipped: {POSTGRES_ENV} is unreachable ({exc})")
    return url


@pytest.fixture
def postgres_factory() -> Iterator[DatabaseFactory]:
    """Engines on one fresh schema, dropped afterwards."""
    url = _postgres_url_or_skip()
    schema = f"t_audit_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    made: list[Database] = []

    def factory() -> Database:
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=1)
        with engine.connect():  # connect now, so the writers race on the chain, not on connecting
            pass
        made.append(Database(url, engine=engine))
        return made[-1]

    Base.metadata.create_all(factory().engine, tables=[AUDIT])
    try:
        yield factory
    finally:
        for db in made:
            db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _writer(db: Database, writer: int, barrier: threading.Barrier) -> None:
    barrier.wait()
    for i in range(PER_WRITER):
        with db.unit_of_work() as session:
            append_audit(session, actor=f"writer-{writer}", action="test.append",
                         record_kind="probe", record_id=f"{writer}-{i}",
                         before=None, after={"writer": writer, "i": i})


def _run_threads(target: Callable[..., None], dbs: list[Database]) -> list[BaseException]:
    barrier = threading.Barrier(len(dbs))
    errors: list[BaseException] = []

    def guarded(db: Database, n: int) -> None:
        try:
            target(db, n, barrier)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(db, n)) for n, db in enumerate(dbs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _assert_one_chain_with_every_entry(db: Database, expected_ids: set[str]) -> None:
    with db.session() as session:
        rows = [dict(r) for r in session.execute(select(AUDIT).order_by(AUDIT.c.seq)).mappings()]
        assert verify_chain(session) == []
    assert [r["seq"] for r in rows] == list(range(1, len(expected_ids) + 1))
    assert {r["record_id"] for r in rows} == expected_ids
    prevs = [r["prev_hash"] for r in rows]
    assert len(set(prevs)) == len(prevs)  # no two entries follow the same predecessor
    assert prevs[0] == GENESIS_HASH
    # Each writer's own entries appear in the order it wrote them.
    for writer in range(WRITERS):
        mine = [int(r["record_id"].split("-")[1]) for r in rows if r["actor"] == f"writer-{writer}"]
        assert mine == sorted(mine)


def _all_ids() -> set[str]:
    return {f"{w}-{i}" for w in range(WRITERS) for i in range(PER_WRITER)}


def test_sixteen_threads_on_sqlite_make_one_chain(sqlite_factory: tuple[str, DatabaseFactory]) -> None:
    _, factory = sqlite_factory
    dbs = [factory() for _ in range(WRITERS)]
    errors = _run_threads(_writer, dbs)
    assert errors == []
    _assert_one_chain_with_every_entry(dbs[0], _all_ids())
    for db in dbs:
        db.dispose()


@pytest.mark.postgres
def test_sixteen_threads_on_postgres_make_one_chain(postgres_factory: DatabaseFactory) -> None:
    dbs = [postgres_factory() for _ in range(WRITERS)]
    errors = _run_threads(_writer, dbs)
    assert errors == []
    _assert_one_chain_with_every_entry(dbs[0], _all_ids())


def _process_writer(url: str, writer: int, barrier: Any, failures: Any) -> None:
    """Runs in a forked child: its own engine, its own connection, its own process."""
    try:
        db = Database(url)
        barrier.wait()
        for i in range(PER_WRITER):
            with db.unit_of_work() as session:
                append_audit(session, actor=f"writer-{writer}", action="test.append",
                             record_kind="probe", record_id=f"{writer}-{i}",
                             before=None, after={"writer": writer, "i": i})
        db.dispose()
    except BaseException as exc:
        failures.put(f"writer {writer}: {type(exc).__name__}: {exc}")
        raise


@pytest.mark.slow
def test_sixteen_processes_on_sqlite_make_one_chain(
    sqlite_factory: tuple[str, DatabaseFactory],
) -> None:
    # Forked children start without re-importing anything, so sixteen of them start in no time.
    context = multiprocessing.get_context("fork")
    url, factory = sqlite_factory
    barrier, failures = context.Barrier(WRITERS), context.Queue()
    procs = [context.Process(target=_process_writer, args=(url, w, barrier, failures))
             for w in range(WRITERS)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * WRITERS, failures.get(timeout=1)
    db = factory()
    _assert_one_chain_with_every_entry(db, _all_ids())
    db.dispose()


def _naive_writer(db: Database, writer: int, barrier: threading.Barrier) -> None:
    """Read the head and insert after it with no lock: what `append_audit` must never do."""
    barrier.wait()
    with db.unit_of_work() as session:
        head = session.execute(
            select(AUDIT.c.seq, AUDIT.c.entry_hash).order_by(AUDIT.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (0, GENESIS_HASH) if head is None else (head.seq, head.entry_hash)
        fields: dict[str, Any] = {
            "seq": seq + 1 + writer * 1000, "at": datetime.now(UTC), "actor": f"writer-{writer}",
            "action": "naive", "record_kind": "probe", "record_id": str(writer),
            "before_digest": None, "after_digest": None, "reason": None, "prev_hash": prev,
        }
        session.execute(AUDIT.insert().values(**fields, entry_hash=entry_hash_of(fields)))


@pytest.mark.postgres
def test_writers_that_skip_the_lock_still_cannot_fork(postgres_factory: DatabaseFactory) -> None:
    """The UNIQUE prev_hash refuses the second child of a head even without the advisory lock."""
    dbs = [postgres_factory() for _ in range(WRITERS)]
    errors = _run_threads(_naive_writer, dbs)
    assert all(isinstance(e, AlreadyExists | Conflict) for e in errors), errors
    with dbs[0].session() as session:
        prevs = session.execute(select(AUDIT.c.prev_hash)).scalars().all()
    assert len(prevs) == len(set(prevs)) == WRITERS - len(errors)
    assert len(errors) > 0  # sixteen unlocked writers racing for one head: most must be refused
