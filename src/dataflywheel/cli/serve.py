"""`flywheel serve`: run the team server (uvicorn) on this workspace.

The CLI sits above the API (import-linter layers): the API never imports the CLI.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.cli.output import console
from dataflywheel.hookspecs import hookimpl


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API to people with personal tokens (`flywheel tokens create PERSON`);
    callers send `Authorization: Bearer <token>`."""
    settings = settings_of(ctx)
    import uvicorn

    from dataflywheel.api.app import create_app
    from dataflywheel.flows.workspace import open_workspace

    open_workspace(settings).close()  # a missing or outdated workspace is one line, before binding
    app = create_app(settings)
    console.print(f"serving {settings.workspace} on http://{host}:{port}/api/v1", highlight=False)
    uvicorn.run(app, host=host, port=port)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
