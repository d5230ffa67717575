"""Driver errors leave the store as product errors that never show SQL or its parameters (item 9).

A duplicate key is `AlreadyExists`, a busy database is `Conflict` (Retryable), anything else is a
`StoreFailure` naming the kind of failure and the table; in each case nothing was written and the
records already stored are intact. Both backends.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dataflywheel.domain.records.people import Person
from dataflywheel.domain.records.project import Project
from dataflywheel.errors import AlreadyExists, Conflict, Retryable, StoreFailure
from dataflywheel.store import session as store_session
from dataflywheel.store.repositories.people import People, Projects
from dataflywheel.store.session import Database
from dataflywheel.store.tables.people import PersonRow

SECRET = "Mx Secret-Value 4711"
NOW = datetime(2026, 1, 5, tzinfo=UTC)


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        People(s).add(Person(id="ann", name="Ann"))


def _assert_no_sql(message: str) -> None:
    for word in ("INSERT", "UPDATE", "SELECT", "VALUES", "parameters", "sqlalche.me", SECRET):
        assert word not in message, (word, message)


def test_a_duplicate_key_is_already_exists_without_sql(database: Database) -> None:
    _seed(database)
    with pytest.raises(AlreadyExists) as info:
        with database.unit_of_work() as s:
            s.add(PersonRow(id="zed", name="Zed", created_at=NOW))  # written, then rolled back
            s.add(PersonRow(id="ann", name=SECRET, created_at=NOW))  # past the repository's check
    message = str(info.value)
    _assert_no_sql(message)
    assert "a record with the same key already exists in" in message and "people" in message
    assert "Kept: nothing from this transaction was written" in message
    assert isinstance(info.value.__cause__, DBAPIError)
    with database.session() as s:
        assert [p.name for p in People(s).list()] == ["Ann"]


def test_any_other_refusal_is_a_store_failure_without_sql_or_values(database: Database) -> None:
    _seed(database)
    with pytest.raises(StoreFailure) as info:
        with database.unit_of_work() as s:
            Projects(s).add(Project(id="P-X", name=SECRET, owner_id="ghost-owner"))
    message = str(info.value)
    _assert_no_sql(message)
    assert "ghost-owner" not in message
    assert message.startswith(f"{database.safe_url}: internal error: the database refused")
    assert "a reference to a record that does not exist" in message
    assert message.endswith("Next: rerun with --debug and report it")
    with database.session() as s:
        assert Projects(s).list() == [] and len(People(s).list()) == 1


def test_deleting_a_row_another_still_names_is_a_store_failure_on_both_backends(
        database: Database) -> None:
    """SQLite reports `ON DELETE RESTRICT` with its trigger code: still a missing reference (as
    PostgreSQL says), never a product trigger's refusal (`PolicyViolation`, a 403 over HTTP)."""
    from sqlalchemy import delete

    _seed(database)
    with database.unit_of_work() as s:
        Projects(s).add(Project(id="P-X", name="X", owner_id="ann"))
    with pytest.raises(StoreFailure) as info:
        with database.unit_of_work() as s:
            s.execute(delete(PersonRow).where(PersonRow.id == "ann"))
    assert "a reference to a record that does not exist" in str(info.value)
    with database.session() as s:
        assert [p.id for p in People(s).list()] == ["ann"] and len(Projects(s).list()) == 1


def _hold_write_lock(database: Database, held: threading.Event, release: threading.Event) -> None:
    with database.engine.connect() as conn:
        if database.is_sqlite:
            conn.exec_driver_sql("UPDATE people SET name = name")  # inside BEGIN IMMEDIATE
        else:
            conn.execute(text("LOCK TABLE people IN ACCESS EXCLUSIVE MODE"))
        held.set()
        release.wait(30)
        conn.rollback()


def test_a_busy_database_is_retryable_and_says_so(
    database: Database, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed(database)
    monkeypatch.setattr(store_session, "SQLITE_BUSY_TIMEOUT_S", 0)  # give up at once
    impatient = Database(database.url, engine=store_session.make_engine(
        database.url, **({} if database.is_sqlite else {"connect_args": _pg_args(database)})))
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(database, held, release))
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(Conflict) as info:
            with impatient.unit_of_work() as s:
                if not impatient.is_sqlite:
                    s.execute(text("SET LOCAL lock_timeout = '200ms'"))
                People(s).add(Person(id="bob", name=SECRET))
    finally:
        release.set()
        holder.join(30)
        impatient.dispose()
    assert isinstance(info.value, Retryable)
    message = str(info.value)
    _assert_no_sql(message)
    assert message.startswith("the database is busy with another writer")
    assert message.endswith("Next: retry the command")
    with database.session() as s:
        assert [p.id for p in People(s).list()] == ["ann"]


def _pg_args(database: Database) -> dict[str, str]:
    """The search_path of the test's schema, so the impatient engine sees the same tables."""
    with database.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return {"options": f"-csearch_path={schema}"}
