"""`flywheel serve`: run the team server (uvicorn) on this workspace.

The CLI sits above the API (import-linter layers): the API never imports the CLI.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.cli.output import console
from dataflywheel.errors import BadInput
from dataflywheel.hookspecs import hookimpl

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

    from dataflywheel.api.app import create_app
    from dataflywheel.flows.workspace import open_workspace

    open_workspace(settings).close()  # a missing or outdated workspace is one line, before binding
    app = create_app(settings)
    console.print(f"serving {settings.workspace} on http://{host}:{port}/api/v1 "
                  f"({len(settings.api_tokens)} token(s))", highlight=False)
    uvicorn.run(app, host=host, port=port)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
