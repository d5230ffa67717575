"""Rendering shared by every command group: rich consoles and `--json` output."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console

from dataflywheel.canonjson import sorted_json

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Write `data` as JSON on stdout, keys in a stable order, nothing else on the line."""
    console.file.write(sorted_json(data, indent=2, ascii=False, default=str) + "\n")


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
    """Fixed column widths that fit `width` (rich's own collapse ignores `min_width`, so only a
    fixed width holds). An ID column gets its longest value and never less. The others start
    wide enough for their longest value and their header (free text up to `_TEXT_WIDTH`), then
    give way in this order until the table fits: headers fold (to `_FOLDED`), free text narrows to
    `_TEXT_FLOOR`, values fold down to `_FOLDED`, free text narrows further. Room to spare
    widens free text instead."""
    value = {c: max((len(v) for v in values), default=0) for c, values in cells.items()}
    ids = {c: value[c] for c in cells if _is_id(c) and value[c]}
    texts = [c for c, values in cells.items() if c not in ids and any(" " in v for v in values)]
    others = [c for c in cells if c not in ids and c not in texts]
    widths = {c: max(value[c], min(len(c), _HEADER)) for c in others}
    widths |= {c: max(1, min(value[c], _TEXT_WIDTH)) for c in texts}
    excess = sum(widths.values()) + sum(ids.values()) + 2 * len(cells) + 1 - width
    headers = {c: max(value[c], min(len(c), _FOLDED)) for c in others}
    for group, floor in ((others, headers), (texts, dict.fromkeys(texts, _TEXT_FLOOR)),
                         (others, dict.fromkeys(others, _FOLDED)), (texts, dict.fromkeys(texts, 1))):
        excess = _shrink(widths, group, floor, excess)
    for c in ids:  # spare room goes first to ID headers, so that `project_id` need not fold,
        excess += _grow(ids, c, len(c), excess)
    for c in texts:  # then to free text (a wide terminal), up to its longest value
        excess += _grow(widths, c, value[c], excess)
    return {c: ids.get(c) or widths.get(c) for c in cells}


def _grow(widths: dict[str, int], column: str, target: int, excess: int) -> int:
    """Widen `column` towards `target` with the room that a negative `excess` leaves; how much."""
    grow = max(0, min(-excess, target - widths[column]))
    widths[column] += grow
    return grow


def _shrink(widths: dict[str, int], group: list[str], floor: dict[str, int], excess: int) -> int:
    """Take `excess` characters from the widest columns of `group`, none below its floor."""
    while excess > 0:
        room = [c for c in group if widths[c] > max(1, floor[c])]
        if not room:
            break
        widest = max(room, key=lambda c: widths[c])
        widths[widest] -= 1
        excess -= 1
    return excess


_TEXT_WIDTH = 24
_TEXT_FLOOR = 12
_HEADER = 10
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
