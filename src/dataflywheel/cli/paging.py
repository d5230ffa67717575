"""How every `… list` command prints: one page (a table, or a JSON list with `--json`) and, when
more follows, one line on stderr with how many and the command for the next page; or, with
`--all`, every row streamed (tables a batch at a time, NDJSON with `--json`).

Why here and not in each command: paging, the hint and the streaming rules are the same for every
list, so a list command only names its listing (a flow's `Listing`) and how a record becomes a
row. The hint goes to stderr so that `--json` stays one JSON document on stdout.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Protocol, TypeVar

import typer

from dataflywheel.cli.output import console, err_console, print_json, print_records
from dataflywheel.errors import BadInput

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

TABLE_BATCH = 1000
"""Rows per table while `--all` streams a table (a table is laid out from all its rows)."""

_PAGING = {"cursor", "all_"}


class Listing(Protocol[T_co]):
    """What a list command reads (`flows._listing.Listing`): a page, or everything streamed."""

    def page(self, limit: int | None = None, cursor: str | None = None) -> Any: ...

    def stream(self) -> Iterator[T_co]: ...


def show_list(ctx: typer.Context, listing: Listing[T], *, row: Callable[[T], dict[str, Any]],
              columns: list[str], json_: bool, limit: int | None, cursor: str | None,
              all_: bool, title: str | None = None) -> None:
    """Print one page of `listing` (a `store.paging.Page`) or, with `all_`, all of it streamed;
    `row` turns a record into the dict printed."""
    if all_:
        if cursor is not None:
            raise BadInput("--all lists from the start", field="cursor", got=cursor,
                           expected="--all or --cursor, not both")
        rows = (row(item) for item in listing.stream())
        print_ndjson(rows) if json_ else _print_tables(rows, columns, title)
        return
    found = listing.page(limit, cursor)
    rows_ = [row(item) for item in found.items]
    print_json(rows_) if json_ else print_records(rows_, columns=columns, title=title)
    if found.next_cursor is not None:
        more = "" if found.remaining is None else f"{found.remaining:,} more: "
        err_console.print(f"... {more}{next_command(ctx, found.next_cursor)}", highlight=False,
                          markup=False, soft_wrap=True)


def print_ndjson(rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object a line (NDJSON), keys sorted; the first line is flushed at once, then
    one flush a batch."""
    from dataflywheel.canonjson import sorted_json

    out = console.file
    for n, data in enumerate(rows, 1):
        out.write(sorted_json(data, ascii=False, default=str) + "\n")
        if n % TABLE_BATCH == 1:  # the first row leaves at once, then every batch
            out.flush()
    out.flush()


def _print_tables(rows: Iterator[dict[str, Any]], columns: list[str], title: str | None) -> None:
    while batch := list(islice(rows, TABLE_BATCH)):
        print_records(batch, columns=columns, title=title)


def next_command(ctx: typer.Context, cursor: str) -> str:
    """The command line that prints the page after this one: the same command and filters."""
    names: list[str] = []
    at: Any = ctx
    while at is not None and at.parent is not None:
        names.insert(0, at.info_name or "")
        at = at.parent
    words = ["flywheel", *names]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.param_type_name != "option" or param.name in _PAGING or value is None:
            continue
        if value == param.default or value is False:
            continue
        words += [param.opts[0]] if value is True else [param.opts[0], str(value)]
    return " ".join(shlex.quote(w) for w in [*words, "--cursor", cursor])
