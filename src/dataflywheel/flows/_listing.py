"""A list people and clients read (`flywheel … list`, `GET /api/v1/…`): one kind of record,
filtered by column equalities, read a page at a time or streamed whole.

Why a flow object and not a repository call in the CLI: the CLI and the API import flows, never
the store, and every list should open its read sessions the same way. The paging itself (keyset on
the primary key or on a list's own order, opaque cursors, bounded pages, batched streams) is
`store.paging`; the filters become WHERE clauses there, never a Python loop over rows, and an order
such as the Demand Pool's is ORDER BY columns there, never a Python sort.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dataflywheel.domain.records.base import Record
from dataflywheel.store.paging import Page
from dataflywheel.store.repositories.base import Repository

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

R = TypeVar("R", bound=Record)


class Listing(Generic[R]):
    """The records of `repository` matching `equals` (None values are no filter), in the order of
    the columns `order_by` (a policy's sort key as column names, ending in a unique one; empty:
    the primary key)."""

    def __init__(self, ws: Workspace, repository: type[Repository[R, Any]], *,
                 order_by: Sequence[str] = (), **equals: Any) -> None:
        self.ws = ws
        self.repository = repository
        self.order_by = tuple(order_by)
        self.equals = {k: v for k, v in equals.items() if v is not None}

    def page(self, limit: int | None = None, cursor: str | None = None) -> Page[R]:
        """One page after `cursor` (None: the first), with the count of what follows."""
        with self.ws.db.session() as s:
            return self.repository(s).page(limit=limit, cursor=cursor, order_by=self.order_by,
                                           **self.equals)

    def stream(self) -> Iterator[R]:
        """Every record in key order, read in batches inside one read session (one consistent
        snapshot); the session closes when the iterator ends or is closed."""
        with self.ws.db.session() as s:
            yield from self.repository(s).stream(order_by=self.order_by, **self.equals)
