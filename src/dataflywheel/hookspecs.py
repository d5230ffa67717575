"""Extension points. Built-ins register through these same hooks."""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("dataflywheel")
hookimpl = pluggy.HookimplMarker("dataflywheel")


@hookspec
def register_commands(cli: Any) -> None:
    """Add Typer commands or groups to the `flywheel` root app."""


@hookspec
def register_checks() -> list[Any]:  # type: ignore[empty-body]
    """Return check classes the quality engine may run."""


@hookspec
def register_readers() -> list[Any]:  # type: ignore[empty-body]
    """Return batch readers (format name -> reader)."""


@hookspec
def register_engines() -> list[Any]:  # type: ignore[empty-body]
    """Return engine classes (`dataflywheel.checks.engines.base.Engine`), each under its `name`."""


@hookspec
def register_annotation_formats() -> dict[str, Any]:  # type: ignore[empty-body]
    """Return annotation task readers (format name -> reader) the agreement check may read."""
