"""What every command group needs: the settings from the root callback, and an open workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings


def settings_of(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    assert root.obj is not None, "the root callback builds the settings"
    return root.obj  # type: ignore[no-any-return]


@contextmanager
def workspace(ctx: typer.Context) -> Iterator[Workspace]:
    """Open the workspace named by the global options for the length of one command, acting as
    the person the login is bound to. A command's `--by PERSON` (the person acting, or the named
    approver) must be that person: a typed name never stands in for who runs the command."""
    from dataflywheel.flows.governance.identity import require_named
    from dataflywheel.flows.workspace import open_workspace

    ws = open_workspace(settings_of(ctx))
    try:
        by = ctx.params.get("by")
        if isinstance(by, str):
            require_named(ws, by)
        yield ws
    finally:
        ws.close()
