"""`flywheel serve`: run the team server (uvicorn) on this workspace.

One process by default; `--workers N` starts N uvicorn worker processes that share the port, each
building the site from `web.site` (`api.serving` carries the settings) (the settings travel in the environment). For a team, run it on
PostgreSQL (`--db postgresql+psycopg://…`): SQLite serialises writers, so extra workers only wait
on its lock. Each worker bounds its own requests in flight (`--max-concurrency`, default sized for
the machine and split between the workers); over it the answer is 503 + `Retry-After`.
`--mlflow-root DIR` names a folder whose MLflow stores callers may have the server open
(`flows.experiments.mlflow_roots`; none by default).

The CLI sits above the API (import-linter layers): the API never imports the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.cli.output import console
from dataflywheel.hookspecs import hookimpl


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[Optional[str], typer.Option(
        help="Database URL to serve (postgresql+psycopg://… for a team); default: the global "
             "--db, else the workspace's SQLite file.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    max_concurrency: Annotated[Optional[int], typer.Option(
        min=1, max=100_000, envvar="FLYWHEEL_MAX_CONCURRENCY",
        help="Requests in flight per worker before the server answers 503 + Retry-After; "
             "default: 16 per core (at least 32), split between the workers.")] = None,
    max_body_mb: Annotated[int, typer.Option(min=1, max=100_000,
                                             help="Largest request body, MiB.")] = 10,
    mlflow_root: Annotated[Optional[list[Path]], typer.Option(
        "--mlflow-root", help="A folder whose MLflow stores callers may name for the server to "
                              "open (import-mlflow, export-mlflow; repeat); default: "
                              "FLYWHEEL_MLFLOW_ROOTS, else none (http(s) tracking servers and "
                              "uploaded stores only).")] = None,
) -> None:
    """Serve the HTTP API and the web dashboard to people with personal tokens (`flywheel tokens
    create PERSON`): API callers send `Authorization: Bearer <token>`; the dashboard at `/` takes
    the token once at its login page."""
    settings = settings_of(ctx)
    if db is not None or mlflow_root:
        settings = type(settings)(**{**settings.model_dump(), "db": db or settings.db,  # validated
                                     "mlflow_roots": [*settings.mlflow_roots, *(mlflow_root or [])]})
    from dataflywheel.extras import require

    require("server", what="flywheel serve")
    import uvicorn

    from dataflywheel.api.backpressure import default_limit
    from dataflywheel.api.serving import export
    from dataflywheel.flows.workspace import open_workspace

    open_workspace(settings).close()  # a missing or outdated workspace is one line, before binding
    bound = max_concurrency or max(16, default_limit() // workers)
    export(settings, max_body_bytes=max_body_mb * 1024 * 1024, max_concurrency=bound)
    backend = "PostgreSQL" if settings.db_url.startswith("postgresql") else "SQLite"
    console.print(f"serving {settings.workspace} ({backend}) on http://{host}:{port}/api/v1 with "
                  f"{workers} worker(s), at most {bound} requests in flight each",
                  highlight=False)
    console.print(f"dashboard: http://{host}:{port}/ (log in with a personal token)",
                  highlight=False)
    uvicorn.run("dataflywheel.web.site:site_from_environment", factory=True, host=host,
                port=port, workers=workers, log_level="info", access_log=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("serve")(serve)
