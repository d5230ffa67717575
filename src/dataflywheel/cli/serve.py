"""`flywheel serve`: run the team server (uvicorn) on this workspace.

The CLI and the API are sibling top layers that never import each other; the server app is loaded
by its module name at run time, the way any ASGI server loads an app.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.cli.output import console
from dataflywheel.errors import BadInput
from dataflywheel.hookspecs import hookimpl

APP_MODULE = "dataflywheel.api.app"


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API; needs FLYWHEEL_API_TOKENS (callers send `Authorization: Bearer <token>`)."""
    settings = settings_of(ctx)
    if not settings.api_tokens:
        raise BadInput("refusing to serve without API tokens", field="FLYWHEEL_API_TOKENS",
                       hint="export FLYWHEEL_API_TOKENS='[\"<a token of 24+ characters>\"]' "
                            "and run `flywheel serve` again")
    import uvicorn

    from dataflywheel.flows.workspace import open_workspace

    open_workspace(settings).close()  # a missing or outdated workspace is one line, before binding
    app = importlib.import_module(APP_MODULE).create_app(settings)
    console.print(f"serving {settings.workspace} on http://{host}:{port}/api/v1 "
                  f"({len(settings.api_tokens)} token(s))", highlight=False)
    uvicorn.run(app, host=host, port=port)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
