"""`flywheel init` and `flywheel db upgrade|current|check`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.cli.output import console, print_json
from dataflywheel.hookspecs import hookimpl

db_app = typer.Typer(help="Schema migrations of the workspace database.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    no_raci: Annotated[bool, typer.Option("--no-raci", help="Do not load the default RACI matrix.")] = False,
    person: Annotated[Optional[str], typer.Option(help="Your person id (default: your login).")] = None,
    name: Annotated[Optional[str], typer.Option(help="Your name (default: the person id).")] = None,
    json_: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Create a workspace: .flywheel/flywheel.db (SQLite, WAL) and .flywheel/objects/; you become
    its first person, bound to your login."""
    from dataflywheel.flows.governance.bootstrap import init_workspace

    settings = settings_of(ctx)
    ws = init_workspace(settings, default_raci=not no_raci, person=person, name=name)
    ws.close()
    info = {"workspace": str(settings.workspace), "db": ws.db.safe_url, "objects": settings.objects_root,
            "person": ws.acting_person, "login": ws.login}
    if json_:
        print_json(info)
    else:
        console.print(f"[green]initialised[/] workspace {info['workspace']}\n  db: {info['db']}\n"
                      f"  objects: {info['objects']}\n  you: {info['person']} (login {info['login']})",
                      highlight=False)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the workspace database to this program's schema version."""
    from dataflywheel.flows.workspace import upgrade_workspace

    before, after = upgrade_workspace(settings_of(ctx))
    console.print(f"schema {before or '(empty)'} -> {after}", highlight=False)


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the workspace schema version and this program's."""
    from dataflywheel.flows.workspace import require_workspace
    from dataflywheel.store import migrate
    from dataflywheel.store.session import Database

    require_workspace(settings_of(ctx))
    db = Database(settings_of(ctx).db_url)
    try:
        console.print(f"workspace: {migrate.current_revision(db.engine)}\nprogram:   {migrate.head_revision()}",
                      highlight=False)
    finally:
        db.dispose()


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("init")(init)
    cli.add_typer(db_app, name="db")
