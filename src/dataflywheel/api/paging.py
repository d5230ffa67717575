"""Paged answers: every list route takes `limit` and `cursor` and answers one bounded page.

`PageOut[T]` is the body (`items`, `next_cursor`, `remaining`); `Paging` the two query parameters,
validated the way the CLI's `--limit/--cursor` are (`store.paging.check_limit`, opaque cursors:
a bad one is a 400 saying so). A route returns `page_out(listing.page(p.limit, p.cursor), dump)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from dataflywheel.store.paging import DEFAULT_LIMIT, MAX_LIMIT, Page

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` asks for the next one (null on the last page) and
    `remaining` says how many items follow this page."""

    items: list[T]
    next_cursor: str | None
    remaining: int | None = None


class PageParams(BaseModel):
    limit: int
    cursor: str | None


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000,
                                        description="`next_cursor` of the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)  # async: no I/O, so no thread-pool hop


Paging = Annotated[PageParams, Depends(paging)]


def page_out(page: Page[Any], dump: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The JSON body of `page`; `dump` turns an item into JSON (default: a model's JSON form)."""
    dump = dump or (lambda item: item.model_dump(mode="json"))
    return {"items": [dump(item) for item in page.items], "next_cursor": page.next_cursor,
            "remaining": page.remaining}
