"""Rendering shared by every command group: rich consoles and `--json` output."""

from __future__ import annotations

import json
import re
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Write `data` as JSON on stdout, keys in a stable order, nothing else on the line."""
    console.file.write(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def print_records(rows: list[dict[str, Any]], *, columns: list[str], title: str | None = None) -> None:
    """A rich table of `columns` from `rows`; lists are joined with commas.

    Cells are plain text, never rich markup (a `[word]` in a title or a search snippet stays).
    Nothing is cut with "…" and no column is dropped: an ID column (`id`, `*_id`) is as wide as
    its longest value, so `REQ-0001` stays whole at 80 columns; free text wraps at words with
    what width is left; other cells fold. Timestamps show to the minute in UTC; `--json` keeps
    them exact.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    cells = {c: [_cell(row.get(c)) for row in rows] for c in columns}
    table = Table(title=title, show_lines=False, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0),
                  pad_edge=False)
    for column, width in _widths(cells, console.width).items():
        table.add_column(column, width=width, overflow="fold")
    for row in rows:
        table.add_row(*[Text(_cell(row.get(c))) for c in columns])
    console.print(table)


def _widths(cells: dict[str, list[str]], width: int) -> dict[str, int | None]:
    """Fixed widths (rich's collapse ignores `min_width`, so only a fixed width is kept): an ID
    column its widest value; free text (cells with spaces) up to `_TEXT_WIDTH` of what is left
    after the table's chrome and a few characters for each other column, which fold."""
    widest = {c: max([len(v) for v in values] or [len(c)]) for c, values in cells.items()}
    ids = {c: widest[c] for c in cells if _is_id(c)}
    texts = [c for c, values in cells.items() if c not in ids and any(" " in v for v in values)]
    others = sum(min(widest[c], _FOLDED) for c in cells if c not in ids and c not in texts)
    chrome = 2 * len(cells) + 1  # the two edges, a separator and a pad per column
    left = width - chrome - sum(ids.values()) - others
    share = max(1, left // len(texts)) if texts else 0
    return {c: ids.get(c) or (min(widest[c], _TEXT_WIDTH, share) if c in texts else None)
            for c in cells}


_TEXT_WIDTH = 24
_FOLDED = 5


def _is_id(column: str) -> bool:
    return column == "id" or column.endswith("_id")


_ISO_TIME = re.compile(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(?:Z|\+00:00)")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    text = str(value)
    moment = _ISO_TIME.fullmatch(text)
    return f"{moment.group(1)} {moment.group(2)}" if moment else text


def print_fields(data: dict[str, Any]) -> None:
    """One `key: value` line per field, the key in bold and the value as typed (never markup)."""
    from rich.markup import escape

    for key, value in data.items():
        console.print(f"[bold]{key}[/]: {escape(str(value))}", highlight=False)


def print_done(json_: bool, data: dict[str, Any], message: str) -> None:
    """The result of a change: the record as JSON with `--json`, else one green line."""
    if json_:
        print_json(data)
    else:
        console.print(f"[green]{message}[/]", highlight=False)
