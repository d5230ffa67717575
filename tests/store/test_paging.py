"""Keyset paging (`store.paging`): cursors are opaque and checked, pages are bounded, and paging
through a list while others insert never skips or repeats a row that was there."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from dataflywheel.errors import BadInput
from dataflywheel.store.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    after,
    check_limit,
    decode_cursor,
    encode_cursor,
    page_rows,
    stream_rows,
)


def test_a_cursor_round_trips_and_is_opaque_text() -> None:
    cursor = encode_cursor(("FB-ÄÖ/1", 7))
    assert cursor.isascii() and "FB" not in cursor and "=" not in cursor
    assert decode_cursor(cursor, 2) == ("FB-ÄÖ/1", 7)


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", encode_cursor(("a", "b")),
                                    "eyJhIjoxfQ", "W251bGxd", "W3RydWVd"])
def test_a_cursor_that_is_not_one_of_this_list_is_bad_input(cursor: str) -> None:
    with pytest.raises(BadInput, match="not a cursor of this list") as caught:
        decode_cursor(cursor, 1)
    assert caught.value.hint == "start again without --cursor"


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_limits_are_bounded(limit: int) -> None:
    with pytest.raises(BadInput, match="page size out of range"):
        check_limit(limit)
    assert check_limit(None) == DEFAULT_LIMIT and check_limit(MAX_LIMIT) == MAX_LIMIT


# A two-column key on a table of its own: `after` spells the lexicographic order out.
_META = MetaData()
_PAIRS = Table("pairs", _META, Column("a", String, primary_key=True),
               Column("b", Integer, primary_key=True), Column("tag", String))


@pytest.fixture
def pairs() -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    engine = create_engine("sqlite://")
    _META.create_all(engine)
    with Session(engine) as s:
        s.execute(_PAIRS.insert(), [{"a": a, "b": b, "tag": "odd" if b % 2 else "even"}
                                    for a in "xyz" for b in range(5)])
        yield s


def _keys(rows: Any) -> list[tuple[str, int]]:
    return [(r.a, r.b) for r in rows]


def test_pages_of_a_composite_key_cover_every_row_once_in_order(pairs: Any) -> None:
    stmt, key = select(_PAIRS), [_PAIRS.c.a, _PAIRS.c.b]
    seen, cursor, remaining = [], None, []
    while True:
        page = page_rows(pairs, stmt, key, limit=4, cursor=cursor)
        seen += _keys(page.items)
        remaining.append(page.remaining)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [(a, b) for a in "xyz" for b in range(5)]
    assert remaining == [11, 7, 3, 0]


def test_filters_are_where_clauses_and_the_count_follows_them(pairs: Any) -> None:
    stmt = select(_PAIRS).where(_PAIRS.c.tag == "odd")
    page = page_rows(pairs, stmt, [_PAIRS.c.a, _PAIRS.c.b], limit=2)
    assert _keys(page.items) == [("x", 1), ("x", 3)] and page.remaining == 4
    assert "WHERE" in str(stmt.where(after([_PAIRS.c.a], ["x"])))


def test_a_stream_yields_every_row_once_in_batches(pairs: Any) -> None:
    rows = list(stream_rows(pairs, select(_PAIRS), [_PAIRS.c.a, _PAIRS.c.b], batch=4))
    assert _keys(rows) == [(a, b) for a in "xyz" for b in range(5)]
    assert list(stream_rows(pairs, select(_PAIRS).where(_PAIRS.c.a == "q"), [_PAIRS.c.a])) == []


def test_page_of_pages_a_computed_list_like_a_query() -> None:
    """`page_of`: a list sorted by a unique key is paged by cursor, every item once, in order."""
    from dataflywheel.errors import BadInput
    from dataflywheel.store.paging import encode_cursor, page_of

    items = [(b, f"id-{n:02d}") for n, b in enumerate([0, 0, 1, 1, 1])]
    seen: list[tuple[int, str]] = []
    cursor = None
    while True:
        page = page_of(items, lambda item: item, limit=2, cursor=cursor)
        seen += page.items
        assert page.remaining == len(items) - len(seen)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == items
    assert page_of([], lambda item: item).items == []
    for bad in ("garbage", encode_cursor(["id-01", 0]), encode_cursor([0])):
        with pytest.raises(BadInput, match="not a cursor of this list"):
            page_of(items, lambda item: item, cursor=bad)
