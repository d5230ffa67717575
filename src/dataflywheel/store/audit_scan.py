"""Reading the audit log for verification: raw rows in large batches, in `seq` order.

`verify_chain` re-hashes every entry, so at 10⁶ entries the cost per row is the whole cost. An ORM
or `Row` object per entry and the type processors' `datetime` parsing cost more than the hashing
itself, so this module reads plain DB-API tuples (`COLUMNS` order) from the session's own
connection and transaction, a keyset-paged batch at a time (constant memory on both backends:
psycopg's client-side cursor would otherwise hold the whole result). A driver error still leaves
as SQLAlchemy's `DBAPIError`, so `Database.session()` turns it into the same product error.

It turns the stored `at` into the text the hash covers (`at_text`) without building a `datetime`
where the stored text already says it exactly (SQLite's `YYYY-MM-DD HH:MM:SS.ffffff`, always UTC
here); any other stored form goes through the column's own type, exactly as an ORM read would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

COLUMNS = ("seq", "at", "actor", "action", "record_kind", "record_id", "before_digest",
           "after_digest", "reason", "prev_hash", "entry_hash")
BATCH = 20_000


def raw_batches(session: Session, table: Table, *,
                after_seq: int) -> Iterator[Sequence[Any]]:
    """Lists of up to `BATCH` rows (tuples in `COLUMNS` order) with `seq > after_seq`, in `seq`
    order, until the log ends; read in the session's transaction (one snapshot)."""
    batch = BATCH
    connection = session.connection()
    dialect = connection.dialect
    columns = [table.c[name] for name in COLUMNS]
    cursor = connection.connection.cursor()
    try:
        while True:
            statement = str(select(*columns).where(table.c.seq > int(after_seq))
                            .order_by(table.c.seq).limit(batch)
                            .compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            try:
                cursor.execute(statement)
                rows = cursor.fetchall()
            except dialect.loaded_dbapi.Error as exc:
                raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error,
                                          dialect=dialect) from exc
            if rows:
                yield rows
            if len(rows) < batch:
                return
            after_seq = rows[-1][0]
    finally:
        cursor.close()


def stored_at(session: Session, table: Table) -> Callable[[Any], datetime]:
    """A function from a raw stored `at` to the `datetime` an ORM read gives (the column's type)."""
    dialect = session.get_bind().dialect
    process = table.c.at.type.dialect_impl(dialect).result_processor(dialect, None)
    return (lambda raw: raw) if process is None else cast(Callable[[Any], datetime], process)


def at_text(stored: Callable[[Any], datetime],
            iso: Callable[[datetime], str]) -> Callable[[Any], str]:
    """A function from a raw stored `at` to `iso(stored(at))`, the text inside the hashed body."""

    def text(raw: Any) -> str:
        # SQLite keeps `YYYY-MM-DD HH:MM:SS.ffffff`, the UTC time to the microsecond: then only the
        # separator and the offset differ. The separators' places and a parse without a zone (which
        # also refuses month 13, as `stored` does) make sure it is that form; a regex costs more.
        if (type(raw) is str and len(raw) == 26 and raw[4:20:3] == "-- ::."
                and datetime.fromisoformat(raw).tzinfo is None):
            return f"{raw[:10]}T{raw[11:]}+00:00"
        if type(raw) is datetime and raw.tzinfo is not None:  # PostgreSQL's: `stored` only re-zones it
            return iso(raw)
        return iso(stored(raw))

    return text
