"""Paged answers: every list route takes `limit` and `cursor` and answers one bounded page.

`PageOut[T]` is the body (`items`, `next_cursor`, `remaining`); `Paging` the two query parameters,
validated the way the CLI's `--limit/--cursor` are (`store.paging.check_limit`, opaque cursors:
a bad one is a 400 saying so). A route returns `page_out(listing.page(p.limit, p.cursor), dump)`.

Why `page_out` answers JSON bytes rather than a dict: a route's `response_model` makes FastAPI
validate the returned dict against the model again and only then serialise it, item by item; for
a page of 50 records that re-validation cost more than reading them. The records on a page were
validated when they were read, so `page_out` serialises them once, in pydantic's Rust serialiser
(one call for the whole list when the items are models of one type), into the same JSON the
model would give (`test_paging` holds the two equal). The route keeps `response_model`, which now
only documents the answer in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json
from starlette.responses import Response

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


def page_out(page: Page[Any], dump: Callable[[Any], Any] | None = None) -> Response:
    """The JSON answer of `page`; `dump` turns an item into JSON (default: a model's JSON form)."""
    return Response(page_json(page, dump), media_type="application/json")


def page_json(page: Page[Any], dump: Callable[[Any], Any] | None = None) -> bytes:
    """`PageOut`'s JSON form of `page`, serialised once (see the module's docstring)."""
    items = page.items
    kinds: set[type[Any]] = {type(item) for item in items}
    kind = kinds.pop() if len(kinds) == 1 else None
    if dump is None and kind is not None and issubclass(kind, BaseModel):
        listed = _list_of(kind).dump_json(items)
    elif dump is None:
        listed = to_json([item.model_dump(mode="json") for item in items])
    else:
        listed = to_json([dump(item) for item in items])
    return b"".join((b'{"items":', listed, b',"next_cursor":', to_json(page.next_cursor),
                     b',"remaining":', to_json(page.remaining), b"}"))


@cache
def _list_of(model: type[BaseModel]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]
