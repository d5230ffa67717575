"""A generic repository: records in, records out; rows never leave the store.

Field names of a record equal the column names of its table, so the mapping is by name. Columns
of JSON type get the record's JSON form (dates as ISO strings, enums as values).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import (
    ARRAY,
    JSON,
    ColumnElement,
    Row,
    Select,
    Table,
    any_,
    bindparam,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import STORED, Record
from dataflywheel.errors import AlreadyExists, NotFound
from dataflywheel.store.base import Base
from dataflywheel.store.bulk import insert_rows
from dataflywheel.store.paging import Page, Span, page_rows, stream_rows

R = TypeVar("R", bound=Record)
T = TypeVar("T", bound=Base)
CHUNK = 500  # keys per IN (...) query: far below SQLite's and PostgreSQL's parameter limits


@cache
def _json_columns(row_type: type[Base]) -> frozenset[str]:
    return frozenset(c.key for c in row_type.__table__.columns if isinstance(c.type, JSON))


@cache
def _column_keys(row_type: type[Base]) -> tuple[str, ...]:
    """The table's column keys, in order (a record's fields as a row holds them)."""
    return tuple(c.key for c in row_type.__table__.columns)


@cache
def _key_names(row_type: type[Base]) -> tuple[str, ...]:
    """The primary key's column names (asked once per record in a bulk ingest)."""
    return tuple(c.key for c in row_type.__table__.primary_key)


def existing_keys(session: Session, row_type: type[Base], keys: Sequence[Any]) -> set[Any]:
    """Which of `keys` are stored in `row_type`: one query per `CHUNK` keys, so a bulk ingest
    checks a batch at once instead of a `get` per record. A composite primary key's keys are
    tuples in column order (as `Repository.key_of` gives them)."""
    columns = list(row_type.__table__.primary_key)
    found: set[Any] = set()
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start:start + CHUNK]
        if len(columns) == 1:
            found.update(session.scalars(select(columns[0]).where(
                key_in(session, columns[0], chunk))))
        else:
            rows = session.execute(select(*columns).where(tuple_(*columns).in_(chunk)))
            found.update(tuple(row) for row in rows)
    return found


def pairs_of(session: Session, key: Any, value: Any,
             keys: Iterable[Any]) -> dict[Any, Any]:
    """`key → value` (two columns of one table) of the rows whose `key` is one of `keys` (one
    query per `CHUNK` keys): a lookup such as each requirement's project, without loading the
    records."""
    ordered = sorted(set(keys))
    out: dict[Any, Any] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = session.execute(select(key, value).where(key.in_(ordered[start:start + CHUNK])))
        out.update((k, v) for k, v in rows)
    return out


def key_in(session: Session, pk: ColumnElement[Any], keys: list[Any]) -> ColumnElement[bool]:
    """`pk IN (keys)`; on PostgreSQL `pk = ANY(:keys)`, one array parameter instead of one per
    key (psycopg parses every placeholder of a statement too long for its cache: at 500 keys
    that cost more than the lookup itself)."""
    if session.get_bind().dialect.name == "postgresql":
        return pk == any_(bindparam("keys", keys, type_=ARRAY(pk.type)))
    return pk.in_(keys)


class Repository(Generic[R, T]):
    """CRUD for one record kind inside the caller's session (the caller owns the transaction)."""

    record_type: ClassVar[type[Record]]
    row_type: ClassVar[type[Base]]
    kind: ClassVar[str]
    hint: ClassVar[str | None] = None

    def __init__(self, session: Session) -> None:
        self.session = session

    def to_row_values(self, record: R, json_form: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The row's column values; `json_form`, when the caller has the record's JSON form
        already (`Record.digest_dict`, taken for the audit digest), saves dumping it again."""
        values = record.model_dump(mode="python")
        json_cols = _json_columns(self.row_type)
        if json_cols:
            if json_form is None:
                json_form = record.model_dump(mode="json", include=set(json_cols))
            values.update((name, json_form[name]) for name in json_cols)
        return values

    def to_record(self, row: Base | Row[Any]) -> R:
        """The record of a stored row (an ORM row or a plain row with the table's columns)."""
        data = {key: getattr(row, key) for key in _column_keys(self.row_type)}
        return self.record_type.model_validate(data, context=STORED)  # type: ignore[return-value]

    def _records_of(self, rows: Iterable[Row[Any]]) -> Iterator[R]:
        """The records of plain rows of `_select`: their values are the table's columns in
        order, so each is zipped with the column keys (not read column by column)."""
        validate, keys = self.record_type.model_validate, _column_keys(self.row_type)
        for row in rows:
            yield validate(dict(zip(keys, row, strict=True)), context=STORED)  # type: ignore[misc]

    def find(self, key: Any) -> R | None:
        row = self.session.get(self.row_type, key)
        return None if row is None else self.to_record(row)

    def get(self, key: Any) -> R:
        record = self.find(key)
        if record is None:
            raise NotFound(f"{self.kind} {key!s} does not exist", hint=self.hint)
        return record

    def add(self, record: R) -> R:
        """Insert a new record; an existing identity is refused before anything is written."""
        key = self.key_of(record)
        if self.session.get(self.row_type, key) is not None:
            raise AlreadyExists(f"{self.kind} {key!s} already exists", hint=self.hint)
        self.session.add(self.row_type(**self.to_row_values(record)))
        self.session.flush()
        return record

    def add_many(self, records: Sequence[R],
                 json_forms: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Insert new records in one go (`store.bulk.insert_rows`: COPY on PostgreSQL, one
        executemany INSERT on SQLite), refusing as `add` does; `json_forms`, when given, are the
        records' JSON forms in the same order (see `to_row_values`).

        The existence check is one query over the batch's keys; a key that appears twice in
        `records` is refused as well, before anything is written.
        """
        if not records:
            return
        keys = [self.key_of(r) for r in records]
        taken = self.existing_keys(keys)
        seen: set[Any] = set()
        for key in keys:
            if key in taken or key in seen:
                raise AlreadyExists(f"{self.kind} {key!s} already exists", hint=self.hint)
            seen.add(key)
        forms = json_forms if json_forms is not None else [None] * len(records)
        insert_rows(self.session, cast(Table, self.row_type.__table__),
                    [self.to_row_values(r, form) for r, form in zip(records, forms, strict=True)])

    def existing_keys(self, keys: Sequence[Any]) -> set[Any]:
        """Which of `keys` are stored (tuples for a composite primary key)."""
        return existing_keys(self.session, self.row_type, keys)

    def find_many(self, keys: Sequence[Any]) -> dict[Any, R]:
        """The stored records among `keys` by key (single-column primary keys)."""
        (pk,) = self.row_type.__table__.primary_key
        found: dict[Any, R] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), CHUNK):
            rows = self.session.scalars(select(self.row_type).where(
                key_in(self.session, pk, unique[start:start + CHUNK])))
            found.update((getattr(row, pk.key), self.to_record(row)) for row in rows)
        return found

    def where_in(self, name: str, values: Sequence[Any]) -> list[R]:
        """The records whose column `name` is one of `values`, by primary key: the children of a
        page of parents in one query (a few for more than `CHUNK` parents)."""
        column = self.row_type.__table__.columns[name]
        unique = list(dict.fromkeys(values))
        rows: list[Row[Any]] = []
        for start in range(0, len(unique), CHUNK):
            stmt = select(*self.row_type.__table__.columns).where(
                column.in_(unique[start:start + CHUNK]))
            rows += self.session.execute(stmt.order_by(*self._key_columns()))
        if len(unique) > CHUNK:
            keys = self._key_columns()
            rows.sort(key=lambda r: tuple(r._mapping[k] for k in keys))
        return [self.to_record(r) for r in rows]

    def matching(self, *clauses: ColumnElement[bool]) -> list[R]:
        """The records whose rows meet every clause (conditions on this table's columns, such as
        a time window), by primary key: the database filters, not a loop over every row."""
        stmt = self._select().where(*clauses).order_by(*self._key_columns())
        return list(self._records_of(self.session.execute(stmt)))

    def update(self, record: R) -> R:
        row = self.session.get(self.row_type, self.key_of(record))
        if row is None:
            raise NotFound(f"{self.kind} {self.key_of(record)!s} does not exist", hint=self.hint)
        for name, value in self.to_row_values(record).items():
            setattr(row, name, value)
        self.session.flush()
        return record

    def list(self, **equals: Any) -> list[R]:
        """Every record matching `equals`, by primary key, as one list: for the flows that need
        them all at once; a listing people or clients read pages (`page`, `stream`)."""
        stmt = select(self.row_type)
        for name, value in equals.items():
            stmt = stmt.where(getattr(self.row_type, name) == value)
        rows = self.session.scalars(stmt.order_by(*self._key_columns())).all()
        return [self.to_record(r) for r in rows]

    def page(self, *, limit: int | None = None, cursor: str | None = None, count: bool = True,
             order_by: Sequence[str] = (), **equals: Any) -> Page[R]:
        """One page after `cursor` (`store.paging`) in the order of the columns `order_by` (empty:
        the primary key); `equals` are WHERE clauses."""
        found = page_rows(self.session, self._select(**equals), self._key_columns(order_by),
                          limit=limit, cursor=cursor, count=count)
        return Page(list(self._records_of(found.items)), found.next_cursor, found.remaining)

    def stream(self, *, order_by: Sequence[str] = (), **equals: Any) -> Iterator[R]:
        """Every record matching `equals` in the order `order_by` (empty: the primary key), a
        batch at a time (flat memory)."""
        yield from self._records_of(
            stream_rows(self.session, self._select(**equals), self._key_columns(order_by)))

    def _select(self, **equals: Any) -> Select[Any]:
        """The table's columns (plain rows, no ORM identity map: flat memory) where `equals` (a
        `store.paging.Span` value is a range on its column)."""
        table = self.row_type.__table__
        stmt = select(*table.columns)
        for name, value in equals.items():
            column = table.columns[name]
            stmt = stmt.where(value.clause(column) if isinstance(value, Span) else column == value)
        return stmt

    def _key_columns(self, names: Sequence[str] = ()) -> tuple[ColumnElement[Any], ...]:
        """The columns `names` (a listing's order, ending in a unique column), or the primary key."""
        if names:
            return tuple(self.row_type.__table__.columns[n] for n in names)
        return tuple(self.row_type.__table__.primary_key)

    def key_of(self, record: R) -> Any:
        values = tuple(getattr(record, n) for n in _key_names(self.row_type))
        return values[0] if len(values) == 1 else values
