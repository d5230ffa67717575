"""`flywheel inbox`: notices the flows sent to people."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import print_json, print_records
from dataflywheel.hookspecs import hookimpl


def inbox(ctx: typer.Context, person: Annotated[Optional[str], typer.Argument()] = None,
          json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Notifications (escalations, consultations, notices), for one person or everyone."""
    from dataflywheel.flows.notifications import inbox as read

    with workspace(ctx) as ws:
        rows = [n.model_dump(mode="json") for n in read(ws, person)]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=["created_at", "to_person_id", "kind", "subject", "record_id"])


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("inbox")(inbox)
