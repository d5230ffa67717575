"""`flywheel trace`: the self-assessment questions (Table 24-30), answered from records."""

from __future__ import annotations

from typing import Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json
from dataflywheel.hookspecs import hookimpl

_STYLE = {"answered": "green", "gaps": "yellow", "no_records": "dim"}


def trace(
    ctx: typer.Context,
    experiment: Annotated[str | None, typer.Option(
        help="Experiment id for 'which data versions did it use' (default: the latest).")] = None,
    guide: Annotated[str | None, typer.Option(
        help="Guide change GUIDE@VERSION whose affected batches, versions and experiments to list (or a guide name batches carry; default: the newest change).")] = None,
    days: Annotated[int, typer.Option(help="Window for 'which permissions expire soon'.")] = 14,
    json_: Json = False,
) -> None:
    """Answer who approved, what was used, what a change touched, what was learnt, what expires."""
    from dataflywheel.flows.trace import trace as run

    with workspace(ctx) as ws:
        answers = run(ws, experiment_id=experiment, guide=guide, days=days)
    if json_:
        print_json([a.model_dump(mode="json") for a in answers])
        return
    for a in answers:
        style = _STYLE[a.status.value]
        console.print(f"[bold]{a.question}[/]\n  [{style}]{a.answer}[/]", highlight=False)
        for line in a.evidence:
            console.print(f"    - {line}", highlight=False, markup=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("trace")(trace)
