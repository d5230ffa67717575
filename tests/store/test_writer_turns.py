"""On a SQLite file the units of work of one process take turns before `BEGIN IMMEDIATE`
(`store.session._Turn`): the next writer starts the moment the last commits instead of polling in
SQLite's busy handler. Waiting past the busy timeout is the same retryable `Conflict`, naming the
turn, with nothing written; a failed unit of work gives the turn back; every `Database` on the
same file shares one turn."""

from __future__ import annotations

import threading
import pytest

from dataflywheel.domain.records.people import Person
from dataflywheel.errors import Conflict, Retryable
from dataflywheel.store import session as store_session
from dataflywheel.store.repositories.people import People
from dataflywheel.store.session import Database


@pytest.fixture
def db(database: Database) -> Database:
    """The shared empty database, on SQLite only: a PostgreSQL unit of work takes no turn."""
    if not database.is_sqlite:
        pytest.skip("the writers' turn is a SQLite file's; PostgreSQL units of work take none")
    return database


def _hold_turn(db: Database, held: threading.Event, release: threading.Event) -> None:
    with db.unit_of_work() as s:
        People(s).add(Person(id="holder", name="Holder"))
        s.flush()
        held.set()
        release.wait(30)


def test_a_writer_waiting_past_the_timeout_gets_a_retryable_conflict_and_writes_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_session, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_turn, args=(db, held, release))
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(Conflict) as info:
            with db.unit_of_work() as s:
                People(s).add(Person(id="late", name="Late"))
    finally:
        release.set()
        holder.join(30)
    assert isinstance(info.value, Retryable)
    message = str(info.value)
    assert message.startswith("the database is busy with another writer")
    assert "writer turn timeout" in message and "nothing from this transaction was written" in message
    with db.session() as s:
        assert [p.id for p in People(s).list()] == ["holder"]


def test_every_database_on_the_same_file_shares_the_turn(
    db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_session, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    other = Database(db.url)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_turn, args=(db, held, release))
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(Conflict, match="writer turn timeout"):
            with other.unit_of_work() as s:
                People(s).add(Person(id="late", name="Late"))
    finally:
        release.set()
        holder.join(30)
        other.dispose()


def test_a_failed_unit_of_work_gives_the_turn_back(
    db: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store_session, "SQLITE_BUSY_TIMEOUT_S", 2)
    with pytest.raises(ValueError, match="boom"):
        with db.unit_of_work() as s:
            People(s).add(Person(id="gone", name="Gone"))
            raise ValueError("boom")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            with db.unit_of_work() as s:
                People(s).add(Person(id="next", name="Next"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(30)
    assert errors == []
    with db.session() as s:
        assert [p.id for p in People(s).list()] == ["next"]


def test_sixteen_concurrent_writers_all_commit(db: Database) -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with db.unit_of_work() as s:
                    People(s).add(Person(id=f"p{n:02d}-{i}", name=f"P {n} {i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with db.session() as s:
        assert len(People(s).list()) == 160
