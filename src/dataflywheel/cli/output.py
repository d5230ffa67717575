"""Rendering shared by every command group: rich consoles and `--json` output."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Write `data` as JSON on stdout, keys in a stable order, nothing else on the line."""
    console.file.write(json.dumps(data, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n")


def print_records(rows: list[dict[str, Any]], *, columns: list[str], title: str | None = None) -> None:
    """A rich table of `columns` from `rows`; lists are joined with commas."""
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def print_done(json_: bool, data: dict[str, Any], message: str) -> None:
    """The result of a change: the record as JSON with `--json`, else one green line."""
    if json_:
        print_json(data)
    else:
        console.print(f"[green]{message}[/]", highlight=False)
