"""`flywheel assess`: the self-assessment — the Table 24-26 checklist judged from the records, the
Table 24-2 stage it implies, the Table 24-30 questions answered and the Table 24-28 roadmap checked.

Markdown to the terminal by default, `--format html|json`, `--out FILE` writes atomically; the
same records give the same bytes. `--require-stage N` makes it a gate: exit 1 when the team has
not reached stage N (a CI job or a quarterly review can hold a team to its stage). Reads only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import console, err_console
from dataflywheel.hookspecs import hookimpl

FORMATS = ("markdown", "html", "json")


def assess(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Judge the window ending here, ISO date or time (default: now).")] = None,
    window_days: Annotated[int, typer.Option(
        help="The window's length in days (default: a quarter, 91).")] = 91,
    format_: Annotated[str, typer.Option("--format", help="markdown, html or json.")] = "markdown",
    out: Annotated[Path | None, typer.Option(help="Write the assessment here instead.")] = None,
    require_stage: Annotated[int | None, typer.Option(
        help="Exit 1 unless the team has reached this Table 24-2 stage (1-4).")] = None,
) -> None:
    """Judge the team's DataOps from its records: checklist, maturity stage, questions, roadmap."""
    from dataflywheel.cli.parsing import parse_time
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.assess import assess as run
    from dataflywheel.reports.render import render

    if format_ not in FORMATS:
        raise BadInput("unknown report format", field="format", expected=", ".join(FORMATS),
                       got=format_)
    if require_stage is not None and not 1 <= require_stage <= 4:
        raise BadInput("there are four maturity stages", field="require_stage",
                       expected="1, 2, 3 or 4", got=require_stage)
    when = parse_time(as_of, "as_of")
    with workspace(ctx) as ws:
        found = run(ws, as_of=when, window_days=window_days)
    text = render(found, format_)  # type: ignore[arg-type]
    if out is None:
        console.out(text, end="", highlight=False)
    else:
        from dataflywheel.atomicfile import write_text

        write_text(out, text)
        console.print(f"wrote the self-assessment to {out}", highlight=False)
    if require_stage is not None and found.stage.number < require_stage:
        err_console.print(f"stage {found.stage.number} ({found.stage.stage}) is below the "
                          f"required stage {require_stage}", highlight=False)
        raise typer.Exit(1)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("assess")(assess)
