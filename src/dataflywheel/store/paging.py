"""Keyset pagination: the one way a list leaves the store a page at a time.

Why keyset and not OFFSET: a page starts *after the last key seen* (`WHERE key > :last ORDER BY
key LIMIT n`), so it costs the same at row 10 as at row 1,000,000 (an index seek, never a scan
past skipped rows), and rows inserted or deleted elsewhere while someone pages never shift a
page: no row that was there is skipped or shown twice. The sort key is a tuple of columns that
ends in a unique one: the primary key alone (the default), or a list's own order such as the
Demand Pool's (priority, deadline, created_at, id); the unique tail makes the order total and
stable. A nullable column sorts its NULLs last (`NULLS LAST`, the same on SQLite and PostgreSQL,
"a record without a deadline after those with one"), and `after` spells NULL out (`IS NULL`,
never `= NULL`), so a page may end on a row whose deadline is NULL.

A cursor is the last key of a page, as URL-safe base64 of its canonical JSON (a timestamp as ISO
8601 text): opaque to the user, stable across processes and backends, and checked against the key
columns when read back (`BadInput`, exit 2).

Filters are `WHERE` clauses on the statement the caller builds; nothing is filtered in Python.
Streaming (`stream_rows`) walks the same keyset in fixed batches, so memory stays flat whatever
the row count and the first row comes back after one small query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, DateTime, Row, Select, TypeDecorator, and_, func, or_, true
from sqlalchemy.orm import Session

from dataflywheel.canonjson import canonical_json
from dataflywheel.errors import BadInput

DEFAULT_LIMIT = 50
"""Rows in one page when the caller names no limit: one screen of a table."""
MAX_LIMIT = 1000
"""The largest page anyone may ask for; more is `--all` (streamed) or several pages."""
STREAM_BATCH = 1000
"""Rows fetched per query while streaming: large enough to amortise a query, small enough to
keep memory flat."""

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, the cursor of the next page (None on the last) and how many
    rows follow this page under the same filters (None when not counted)."""

    items: list[T]
    next_cursor: str | None
    remaining: int | None = None


@dataclass(frozen=True)
class Span:
    """A filter on a timestamp column: `since <= column < until` (either end open when None).
    Given as a filter value (`Listing(..., created_at=Span(since, until))`), it becomes a WHERE
    range on the column, so a date-range filter pages like an equality one."""

    since: datetime | None = None
    until: datetime | None = None

    def clause(self, column: ColumnElement[Any]) -> ColumnElement[bool]:
        terms = ([column >= self.since] if self.since is not None else []) + \
                ([column < self.until] if self.until is not None else [])
        return and_(*terms) if terms else true()


def encode_cursor(key: Sequence[Any]) -> str:
    """The opaque cursor of a key (a tuple of key-column values; a timestamp as ISO text)."""
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    return base64.urlsafe_b64encode(canonical_json(values)).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, key: int | Sequence[ColumnElement[Any]]) -> tuple[Any, ...]:
    """The key a cursor holds, or `BadInput` naming what a cursor should be. `key` is the key
    columns (each value checked against its column: NULL only where the column is nullable, a
    timestamp where it holds timestamps), or only their number for a key of text and integers."""
    columns = [None] * key if isinstance(key, int) else list(key)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong arity")
        return tuple(_value_of(column, v) for column, v in zip(columns, values, strict=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadInput("not a cursor of this list", field="cursor", got=cursor,
                       expected="the cursor a previous page printed",
                       hint="start again without --cursor") from None


def _value_of(column: ColumnElement[Any] | None, value: Any) -> Any:
    """`value` read back from a cursor for `column` (None: a text or integer column), or
    `ValueError`."""
    if value is None and column is not None and _nullable(column):
        return None
    if column is not None and _holds_timestamps(column):
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError("not a timestamp with a zone")
        return moment
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("not a key value")
    return value


def _nullable(column: ColumnElement[Any]) -> bool:
    return bool(getattr(column, "nullable", False))


def _holds_timestamps(column: ColumnElement[Any]) -> bool:
    kind = column.type
    return isinstance(kind.impl_instance if isinstance(kind, TypeDecorator) else kind, DateTime)


def page_of(items: Sequence[T], key: Callable[[T], tuple[str | int, ...]], *,
            limit: int | None = None, cursor: str | None = None) -> Page[T]:
    """One page of `items` computed in memory (sorted by `key`, a tuple of text and integers
    unique per item), paged like a query: the items after `cursor`'s key, `limit` of them."""
    limit = check_limit(limit)
    after_key = None
    if cursor is not None:
        shape = [type(v) for v in key(items[0])] if items else []
        after_key = decode_cursor(cursor, len(shape))
        if [type(v) for v in after_key] != shape:  # a key of another list: not comparable
            raise BadInput("not a cursor of this list", field="cursor", got=cursor,
                           expected="the cursor a previous page printed",
                           hint="start again without --cursor")
    rest = [item for item in items if after_key is None or key(item) > after_key]
    shown = rest[:limit]
    more = len(rest) > limit
    return Page(shown, encode_cursor(key(shown[-1])) if more else None, len(rest) - len(shown))


def check_limit(limit: int | None) -> int:
    """`limit` (None: `DEFAULT_LIMIT`) if it is a page size we serve, else `BadInput`."""
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput("page size out of range", field="limit", got=limit,
                       expected=f"1 to {MAX_LIMIT}", hint="use --all to list everything")
    return limit


def after(key_columns: Sequence[ColumnElement[Any]], key: Sequence[Any]) -> ColumnElement[bool]:
    """`key_columns > key` in lexicographic order, spelled out (row-value comparison is not
    portable, nor is the order of NULL): (a > x) OR (a = x AND b > y) ... A nullable column's
    NULLs come last (`order_of`): after a value x come the values above x and NULL; after NULL
    nothing (its ties go on to the next column)."""
    terms = []
    for i, column in enumerate(key_columns):
        equal = [_equals(c, v) for c, v in zip(key_columns[:i], key[:i], strict=True)]
        if key[i] is None:
            continue
        above = or_(column > key[i], column.is_(None)) if _nullable(column) else column > key[i]
        terms.append(and_(*equal, above))
    return or_(*terms)


def _equals(column: ColumnElement[Any], value: Any) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def order_of(key_columns: Sequence[ColumnElement[Any]]) -> list[ColumnElement[Any]]:
    """The ORDER BY of a key: each column ascending, a nullable one with its NULLs last."""
    return [c.asc().nulls_last() if _nullable(c) else c for c in key_columns]


def page_rows(session: Session, stmt: Select[Any], key_columns: Sequence[ColumnElement[Any]], *,
              limit: int | None, cursor: str | None = None,
              count: bool = True) -> Page[Row[Any]]:
    """One page of `stmt` in key order after `cursor`; `count` also counts what follows it."""
    limit = check_limit(limit)
    if cursor is not None:
        stmt = stmt.where(after(key_columns, decode_cursor(cursor, key_columns)))
    rows = list(session.execute(stmt.order_by(*order_of(key_columns)).limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None, 0 if count else None)
    rows = rows[:limit]
    last = _key_of(rows[-1], key_columns)
    remaining = None
    if count:
        rest = stmt.where(after(key_columns, last)).order_by(None)
        remaining = session.scalar(rest.with_only_columns(func.count(), maintain_column_froms=True))
    return Page(rows, encode_cursor(last), remaining)


def stream_rows(session: Session, stmt: Select[Any], key_columns: Sequence[ColumnElement[Any]], *,
                batch: int | None = None) -> Iterator[Row[Any]]:
    """Every row of `stmt` in key order, fetched `batch` (default `STREAM_BATCH`) at a time
    (flat memory)."""
    batch = batch or STREAM_BATCH
    last: tuple[Any, ...] | None = None
    while True:
        query = stmt if last is None else stmt.where(after(key_columns, last))
        rows = list(session.execute(query.order_by(*order_of(key_columns)).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last = _key_of(rows[-1], key_columns)


def _key_of(row: Row[Any], key_columns: Sequence[ColumnElement[Any]]) -> tuple[Any, ...]:
    """The sort key of `row` (the values of its key columns)."""
    return tuple(row._mapping[column] for column in key_columns)
