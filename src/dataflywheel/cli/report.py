"""`flywheel report monday`: the cadence reports, generated from the records.

Markdown to the terminal by default; `--format html|json` for a page or the data; `--out FILE`
writes it atomically instead. The same records give the same bytes. Reads locally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import console
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Cadence reports (Tables 24-11, 24-12) generated from the records.",
                  no_args_is_help=True)
FORMATS = ("markdown", "html", "json")


@app.command("monday")
def monday(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Option(
        help="ISO week, e.g. 2026-W48 (default: this week in the workspace's time zone).")] = None,
    project: Annotated[str | None, typer.Option(help="Only this project's records.")] = None,
    format_: Annotated[str, typer.Option("--format", help="markdown, html or json.")] = "markdown",
    out: Annotated[Path | None, typer.Option(help="Write the report here instead.")] = None,
) -> None:
    """The Monday requirement sync: the week's commitment list in priority order with owners,
    what is returned or waiting for triage, recent conclusions, and the deviations."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.cadence import monday_report
    from dataflywheel.reports.render import render

    if format_ not in FORMATS:
        raise BadInput("unknown report format", field="format", expected=", ".join(FORMATS),
                       got=format_)
    with workspace(ctx) as ws:
        report = monday_report(ws, week=week, project=project)
    text = render(report, format_)  # type: ignore[arg-type]
    if out is None:
        console.out(text, end="", highlight=False)
        return
    from dataflywheel.atomicfile import write_text

    write_text(out, text)
    console.print(f"wrote the Monday sync of {report.week} to {out}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="report")
