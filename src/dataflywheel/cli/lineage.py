"""`flywheel lineage …`: where a version came from, what depends on a batch, what was checked
under a contract or guide version, a requirement's path to its versions, OpenLineage events."""

from __future__ import annotations

from typing import Annotated

import typer

from dataflywheel.cli._context import settings_of, workspace
from dataflywheel.cli.options import GuideVersion, Json
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Lineage and traceability from the records' links.", no_args_is_help=True)


@app.command("version")
def version(ctx: typer.Context,
            ref: Annotated[str, typer.Argument(metavar="VERSION", help="ID or DATASET@N.")],
            json_: Json = False) -> None:
    """The batches and sources that make up a version."""
    from dataflywheel.flows.data.lineage import version_lineage

    with workspace(ctx) as ws:
        got = version_lineage(ws, ref)
    if json_:
        print_json(got.model_dump(mode="json"))
        return
    v = got.version
    console.print(f"{got.label} ({v.state.value}) — {len(got.batches)} batches; parent "
                  f"{got.parent_version_id or 'none'}", highlight=False)
    print_records([{"batch": p.batch.id, "state": p.batch.state.value, "source": p.source,
                    "contract": p.batch.contract_version_id,
                    "requirement": p.batch.requirement_id, "rows": p.batch.row_count,
                    "files": [f"{f.name} {f.sha256[:12]}" for f in p.files]}
                   for p in got.batches],
                  columns=["batch", "state", "source", "contract", "requirement", "rows",
                           "files"])
    console.print(f"sources: {', '.join(got.sources) or 'none'}", highlight=False)


@app.command("batch")
def batch(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(metavar="BATCH")],
          json_: Json = False) -> None:
    """The versions, experiments, issues and exceptions that depend on a batch."""
    from dataflywheel.flows.data.lineage import batch_dependents

    with workspace(ctx) as ws:
        got = batch_dependents(ws, batch_id)
    if json_:
        print_json(got.model_dump(mode="json"))
        return
    console.print(f"batch {got.batch.id} ({got.batch.state.value})", highlight=False)
    for label, items in (("versions", [f"{v.label} ({v.state.value})" for v in got.versions]),
                         ("experiments", [f"{e.id} {e.title}" for e in got.experiments]),
                         ("issues", [f"{i.id} {i.severity.value} {i.title}" for i in got.issues]),
                         ("exceptions", [f"{e.id} {e.type.value} {e.state.value}"
                                         for e in got.exceptions])):
        console.print(f"  {label}: {', '.join(items) or 'none'}", highlight=False)


@app.command("checked")
def checked(ctx: typer.Context,
            contract: Annotated[str | None, typer.Option(help="Contract version ID@SEMVER.")] = None,
            guide: GuideVersion = None,
            json_: Json = False) -> None:
    """Batches checked under a contract version or a guide version."""
    from dataflywheel.flows.data.lineage import checked_under

    with workspace(ctx) as ws:
        rows = [b.model_dump(mode="json") for b in checked_under(
            ws, contract_version=contract, guide_version=guide)]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=["id", "state", "dataset_id", "contract_version_id",
                                     "guide_version", "requirement_id"], title="batches")


@app.command("requirement")
def requirement(ctx: typer.Context, req_id: Annotated[str, typer.Argument(metavar="REQUIREMENT")],
                json_: Json = False) -> None:
    """From a requirement to its batches, the versions holding them, and their experiments."""
    from dataflywheel.flows.data.lineage import requirement_path

    with workspace(ctx) as ws:
        got = requirement_path(ws, req_id)
    if json_:
        print_json(got.model_dump(mode="json"))
        return
    r = got.requirement
    console.print(f"{r.id} ({r.state.value}) {r.title}", highlight=False)
    for label, items in (("batches", [f"{b.id} ({b.state.value})" for b in got.batches]),
                         ("versions", [f"{v.label} ({v.state.value})" for v in got.versions]),
                         ("delivered as", got.delivered_versions),
                         ("experiments", [f"{e.id} {e.title}" for e in got.experiments])):
        console.print(f"  {label}: {', '.join(items) or 'none'}", highlight=False)


@app.command("events")
def events(ctx: typer.Context, json_: Json = False) -> None:
    """The OpenLineage run events written to .flywheel/lineage/events.jsonl."""
    from dataflywheel.integrations.openlineage import read_events

    found = read_events(settings_of(ctx))
    if json_:
        print_json(found)
        return
    print_records([{"time": e.get("eventTime"), "job": e["job"]["name"], "event": e["eventType"],
                    "run": e["run"]["runId"],
                    "inputs": [i["name"] for i in e.get("inputs") or []],
                    "outputs": [o["name"] for o in e.get("outputs") or []]} for e in found],
                  columns=["time", "job", "event", "run", "inputs", "outputs"],
                  title="OpenLineage events")


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="lineage")
