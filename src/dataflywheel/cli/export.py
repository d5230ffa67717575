"""`flywheel export V --format hf|croissant|dvc --out DIR`: a frozen version in another system's
format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json
from dataflywheel.cli.remote import server_as
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.cli.remote import ServerClient
    from dataflywheel.flows.data.export import ExportResult


def export(
    ctx: typer.Context,
    version: Annotated[str, typer.Argument(metavar="VERSION", help="ID or DATASET@N (frozen).")],
    format_: Annotated[str, typer.Option("--format", help="hf, croissant or dvc.")],
    out: Annotated[Path, typer.Option(help="A new (or empty) folder to write.")],
    license_: Annotated[str | None, typer.Option(
        "--license", help="SPDX license id to state (e.g. CC-BY-4.0).")] = None,
    reader: Annotated[str | None, typer.Option(
        "--as", help="Person id of who reads (needed, with a grant, above public or archived).")] = None,
    purpose: Annotated[str | None, typer.Option(
        help="Why it is read (needed above public; recorded in the audit log).")] = None,
    json_: Json = False,
) -> None:
    """Export a frozen version: Parquet + dataset card (hf), + Croissant 1.1 (croissant), or
    tracked by DVC (dvc: a `.dvc` file, and the DVC cache filled inside a repository); audited.

    Exit 2 when the access decision refuses it (the refusal is audited) or on bad input."""
    from dataflywheel.flows.data.export import export_version

    client = server_as(ctx, reader, option="--as")
    if client is not None:
        result = _export_through(client, version, format_, out, license_, purpose)
    else:
        with workspace(ctx) as ws:
            result = export_version(ws, version, format=format_, out=out, license=license_,
                                    reader=reader, purpose=purpose)
    if json_:
        print_json(result.to_dict())
    else:
        console.print(f"[green]exported {result.label}[/] ({result.rows} rows, {result.format}) "
                      f"to {result.out}: {', '.join(result.files)}", highlight=False)


def _export_through(client: ServerClient, version: str, format_: str, out: Path,
                    license_: str | None, purpose: str | None) -> ExportResult:
    """The export made by the team server as the token's person (the reader its access decision
    and audit entry name), streamed back as a ZIP archive and unpacked into `out` whole or not at
    all; the result is what the server reports, with `out` the local folder."""
    import json
    import tempfile
    from urllib.parse import quote

    from dataflywheel.flows.data.export import (
        EXPORT_HEADER,
        ExportResult,
        check_out,
        into_dvc_cache,
        unpack_export,
    )

    check_out(out)
    body = {"format": format_, "license": license_, "purpose": purpose}
    with tempfile.TemporaryDirectory(prefix="flywheel-export-") as folder:
        archive = Path(folder) / "export.zip"
        headers = client.download("POST", f"/api/v1/versions/{quote(version, safe='@')}/export",
                                  archive, json=body)
        unpack_export(archive, out)
    if format_ == "dvc":
        into_dvc_cache(out)  # where the files land, as a local export does
    summary = json.loads(headers.get(EXPORT_HEADER.lower(), "{}"))
    return ExportResult(version_id=summary["version"], label=summary["label"],
                        format=summary["format"], out=out, rows=summary["rows"],
                        manifest_sha256=summary["manifest_sha256"], files=summary["files"],
                        fields=summary["fields"])


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.command("export")(export)
