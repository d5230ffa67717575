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
