"""`flywheel export V --format hf|croissant --out DIR`: a frozen version in another system's format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json
from dataflywheel.hookspecs import hookimpl


def export(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(metavar="VERSION", help="ID or DATASET@N (frozen).")],
    format_: Annotated[str, typer.Option("--format", help="hf or croissant.")],
    out: Annotated[Path, typer.Option(help="A new (or empty) folder to write.")],
    license_: Annotated[str | None, typer.Option(
        "--license", help="SPDX license id to state (e.g. CC-BY-4.0).")] = None,
    reader: Annotated[str | None, typer.Option(
        "--as", help="Person id of who reads (needed, with a grant, above public or archived).")] = None,
    purpose: Annotated[str | None, typer.Option(
        help="Why it is read (needed above public; recorded in the audit log).")] = None,
    json_: Json = False,
) -> None:
    """Export a frozen version: Parquet + dataset card (hf) or Parquet + Croissant 1.1 (audited).

    Exit 2 when the access decision refuses it (the refusal is audited) or on bad input."""
    from dataflywheel.flows.data.export import export_version

    with workspace(ctx) as ws:
        result = export_version(ws, version, format=format_, out=out, license=license_,
                                reader=reader, purpose=purpose)
    if json_:
        print_json(result.to_dict())
    else:
        console.print(f"[green]exported {result.label}[/] ({result.rows} rows, {result.format}) "
                      f"to {result.out}: {', '.join(result.files)}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("export")(export)
