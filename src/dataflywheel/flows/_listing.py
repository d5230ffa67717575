"""A list people and clients read (`flywheel … list`, `GET /api/v1/…`): one kind of record,
filtered by column equalities, read a page at a time or streamed whole.

Why a flow object and not a repository call in the CLI: the CLI and the API import flows, never
the store, and every list should open its read sessions the same way. The paging itself (keyset on
the primary key or on a list's own order, opaque cursors, bounded pages, batched streams) is
`store.paging`; the filters become WHERE clauses there, never a Python loop over rows, and an order
such as the Demand Pool's is ORDER BY columns there, never a Python sort.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import Record
from dataflywheel.store import paging
from dataflywheel.store.paging import Page
from dataflywheel.store.repositories.base import Repository

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

R = TypeVar("R", bound=Record)
T = TypeVar("T")


class Listing(Generic[R]):
    """The records of `repository` matching `equals` (None values are no filter), by primary key
    or, made by `ordered`, in a list's own order."""

    def __init__(self, ws: Workspace, repository: type[Repository[R, Any]],
                 **equals: Any) -> None:
        self.ws = ws
        self.repository = repository
        self.order_by: tuple[str, ...] = ()
        self.equals = {k: v for k, v in equals.items() if v is not None}

    @classmethod
    def ordered(cls, ws: Workspace, repository: type[Repository[R, Any]], order_by: Sequence[str],
                **equals: Any) -> Listing[R]:
        """The listing in the order of the columns `order_by` (a policy's sort key as column
        names, ending in a unique one, e.g. `REQUIREMENT_ORDER`), sorted by the database."""
        listing = cls(ws, repository, **equals)
        listing.order_by = tuple(order_by)
        return listing

    def page(self, limit: int | None = None, cursor: str | None = None) -> Page[R]:
        """One page after `cursor` (None: the first), with the count of what follows."""
        with self.ws.db.session() as s:
            return self.page_in(s, limit, cursor)

    def stream(self) -> Iterator[R]:
        """Every record in key order, read in batches inside one read session (one consistent
        snapshot); the session closes when the iterator ends or is closed."""
        with self.ws.db.session() as s:
            yield from self.stream_in(s)

    def page_in(self, s: Session, limit: int | None, cursor: str | None) -> Page[R]:
        """`page` inside the read session `s`."""
        return self.repository(s).page(limit=limit, cursor=cursor, order_by=self.order_by,
                                       **self.equals)

    def stream_in(self, s: Session) -> Iterator[R]:
        """`stream` inside the read session `s`."""
        return self.repository(s).stream(order_by=self.order_by, **self.equals)


class Joined(Generic[R, T]):
    """A list of parent records each shown with its children (a person and their roles, a contract
    and its versions): the parents are paged or streamed (`Listing`), and `join` turns one page, or
    one streamed batch, of parents into the items printed, reading their children in the same
    session with one query per page (`Repository.where_in`), never one per parent."""

    def __init__(self, parents: Listing[R], join: Callable[[Session, list[R]], list[T]]) -> None:
        self.parents = parents
        self.join = join

    def page(self, limit: int | None = None, cursor: str | None = None) -> Page[T]:
        """One page of parents after `cursor`, joined; the count is of the parents that follow."""
        with self.parents.ws.db.session() as s:
            found = self.parents.page_in(s, limit, cursor)
            return Page(self.join(s, found.items), found.next_cursor, found.remaining)

    def stream(self) -> Iterator[T]:
        """Every parent joined, `store.paging.STREAM_BATCH` parents at a time in one session."""
        with self.parents.ws.db.session() as s:
            parents = self.parents.stream_in(s)
            while batch := list(islice(parents, paging.STREAM_BATCH)):
                yield from self.join(s, batch)


def by_parent(children: Sequence[T], parent_of: Callable[[T], Any]) -> dict[Any, list[T]]:
    """`children` grouped by their parent's key, each group in the order given."""
    groups: dict[Any, list[T]] = {}
    for child in children:
        groups.setdefault(parent_of(child), []).append(child)
    return groups
