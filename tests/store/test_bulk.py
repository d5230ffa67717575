"""Bulk insert (`store.bulk.insert_rows`, COPY on PostgreSQL): the rows stored are exactly those
one INSERT per record stores, and a constraint violation is refused the same way (`AlreadyExists`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pools_seed import NOW
from sqlalchemy import select

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackType, ImpactScope
from dataflywheel.domain.states import FeedbackState
from dataflywheel.errors import AlreadyExists, FlywheelError
from dataflywheel.store.bulk import insert_rows
from dataflywheel.store.repositories.feedback import FeedbackEvents
from dataflywheel.store.session import Database
from dataflywheel.store.tables.feedback import FeedbackEventRow

EVENTS = FeedbackEventRow.__table__


def _event(event_id: str, **changes: Any) -> FeedbackEvent:
    fields: dict[str, Any] = dict(
        id=event_id, occurred_at=NOW - timedelta(hours=1, microseconds=7), received_at=NOW,
        source="evaluation", failure_type=FeedbackType.DATA_GAP,
        impact_scope=ImpactScope.TASK_FAMILY, state=FeedbackState.TRIAGE,
        payload={"sample": {"question": "数学题\t\"tab\"\n\\ back", "n": [1, 2.5, None, True]},
                 "model_output": "7", "expected_behaviour": None, "attributes": {"é": "ü"}},
        origin="eval.jsonl:3", triage_reason="unknown project 'P-X'", reported_project_id="P-X",
    )
    return FeedbackEvent.model_validate(fields | changes)


def _stored(db: Database, prefix: str) -> list[dict[str, Any]]:
    with db.session() as s:
        rows = s.execute(select(EVENTS).where(EVENTS.c.id.like(f"{prefix}%"))
                         .order_by(EVENTS.c.id)).mappings()
        return [dict(row) | {"id": row["id"].removeprefix(prefix)} for row in rows]


def test_bulk_rows_equal_rows_inserted_one_by_one(database: Database) -> None:
    variants: list[dict[str, Any]] = [{}, {"recommended_action": None, "payload": {}},
                                      {"origin": "line with , and ; and |"}]
    with database.unit_of_work() as s:
        FeedbackEvents(s).add_many([_event(f"FB-B{i}", **v) for i, v in enumerate(variants)])
    for i, v in enumerate(variants):
        with database.unit_of_work() as s:
            FeedbackEvents(s).add(_event(f"FB-O{i}", **v))
    bulk, one_by_one = _stored(database, "FB-B"), _stored(database, "FB-O")
    assert len(bulk) == len(variants)
    assert bulk == one_by_one
    with database.session() as s:
        assert FeedbackEvents(s).get("FB-B0") == _event("FB-B0")


def test_a_duplicate_key_is_refused_and_nothing_is_kept(database: Database) -> None:
    with database.unit_of_work() as s:
        FeedbackEvents(s).add(_event("FB-1"))
    with pytest.raises(AlreadyExists, match="feedback_events"), database.unit_of_work() as s:
        repo = FeedbackEvents(s)
        insert_rows(s, EVENTS, [repo.to_row_values(_event(i)) for i in ("FB-2", "FB-1")])
    assert [row["id"] for row in _stored(database, "")] == ["FB-1"]


def test_a_value_too_long_for_its_column_is_refused_as_an_insert_is(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    with pytest.raises(FlywheelError) as bulk, database.unit_of_work() as s:
        repo = FeedbackEvents(s)
        insert_rows(s, EVENTS, [repo.to_row_values(_event("FB-1", model_version="m" * 300))])
    with pytest.raises(FlywheelError) as single, database.unit_of_work() as s:
        FeedbackEvents(s).add(_event("FB-1", model_version="m" * 300))
    assert type(bulk.value) is type(single.value)
    assert _stored(database, "") == []
