"""Reading one kind of record a page at a time, or all of it as a stream, for the lists people
and clients read (`flywheel … list`, `GET /api/v1/…`).

Why a flow helper and not a repository call in the CLI: the CLI and the API import flows, never
the store, and each list should open its read session the same way. The paging itself (keyset on
the primary key, opaque cursors, bounded pages) is `store.paging`; filters arrive as column
equalities and become WHERE clauses there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from dataflywheel.domain.records.base import Record
from dataflywheel.store.paging import Page
from dataflywheel.store.repositories.base import Repository

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

R = TypeVar("R", bound=Record)


def page_of(ws: Workspace, repository: type[Repository[R, Any]], *, limit: int | None,
            cursor: str | None = None, **equals: Any) -> Page[R]:
    """One page of `repository`'s records matching `equals`, after `cursor`."""
    with ws.db.session() as s:
        return repository(s).page(limit=limit, cursor=cursor, **equals)


def stream_of(ws: Workspace, repository: type[Repository[R, Any]], **equals: Any) -> Iterator[R]:
    """Every record matching `equals`, in key order, read in batches inside one read session
    (one consistent snapshot); the session closes when the iterator ends or is closed."""
    with ws.db.session() as s:
        yield from repository(s).stream(**equals)
