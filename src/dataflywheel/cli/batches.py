"""`flywheel batches list|show|report|review-sheet|review`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Delivered batches.", no_args_is_help=True)
COLUMNS = ["id", "dataset_id", "state", "row_count", "nonconforming_count", "contract_version_id",
           "requirement_id", "source", "received_at"]


@app.command("list")
def list_(ctx: typer.Context, dataset: Optional[str] = None, state: Optional[str] = None,
          requirement: Optional[str] = None, limit: Limit = None, cursor: Cursor = None,
          all_: All = False, json_: Json = False) -> None:
    """Batches, optionally of one dataset id, in one state, or for one requirement."""
    from dataflywheel.flows.data.batches import batches, listed

    with workspace(ctx) as ws:
        show_list(ctx, batches(ws, dataset_id=dataset or None, state=state or None,
                               requirement_id=requirement or None),
                  row=listed, columns=COLUMNS, json_=json_, limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(metavar="ID")],
         json_: Json = False) -> None:
    """One batch with its files (name, sha256, size, rows)."""
    from dataflywheel.flows.data.batches import get_batch, shown

    with workspace(ctx) as ws:
        data = shown(*get_batch(ws, batch_id))
    if json_:
        print_json(data)
        return
    for key in COLUMNS + ["failure_reason", "report_sha256", "guide_version", "annotator_ids"]:
        console.print(f"[bold]{key}[/]: {data.get(key)}", highlight=False)
    print_records(data["files"], columns=["name", "sha256", "size_bytes", "row_count"], title="files")


@app.command("report")
def report(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(metavar="ID")],
           markdown: Annotated[bool, typer.Option("--markdown", help="Markdown instead of JSON.")] = False) -> None:
    """The stored quality report of a batch, byte for byte as the engine wrote it."""
    from dataflywheel.reports.quality import batch_quality_report, stored_report_text
    from dataflywheel.reports.render import render

    with workspace(ctx) as ws, ws.db.session() as s:
        if markdown:
            text = render(batch_quality_report(s, ws.blobs, batch_id), "markdown")
        else:
            text = stored_report_text(s, ws.blobs, batch_id)
    console.file.write(text)


@app.command("review-sheet")
def review_sheet_(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(metavar="ID")],
                  out: Annotated[Path, typer.Option("--out", help="Sheet to write (JSONL).")]) -> None:
    """Write the review sheet (the stratified spot-check sample) of a batch awaiting review."""
    from dataflywheel.flows.data.reviews import review_sheet

    with workspace(ctx) as ws:
        rows = review_sheet(ws, batch_id, out)
    console.print(f"{rows} sampled record(s) of {batch_id} written to {out}; fill in reviewer "
                  f"and verdict (pass/fail), optionally label, then: flywheel batches review "
                  f"{batch_id} {out}", highlight=False)


@app.command("review")
def review(ctx: typer.Context, batch_id: Annotated[str, typer.Argument(metavar="ID")],
           reviews: Annotated[Path, typer.Argument(metavar="FILE", help="CSV or JSONL reviews.")],
           json_: Json = False) -> None:
    """Take reviews of a batch awaiting review and re-evaluate its gates.

    Exit 0: taken (accepted, or still awaiting the rest); 1: the batch failed its gates after
    review; 2: some rows were rejected (the good rows are kept).
    """
    from dataflywheel.cli.remote import server_of
    from dataflywheel.flows.data.reviews import ReviewAnswer, take_reviews

    client = server_of(ctx)
    if client is not None:
        answer = ReviewAnswer.model_validate(_review_remote(client, batch_id, reviews))
    else:
        with workspace(ctx) as ws:
            answer = take_reviews(ws, batch_id, reviews).answer()
    data: dict[str, Any] = answer.model_dump(mode="json")
    if json_:
        print_json(data)
    else:
        _print_review(data, reviews)
    if answer.rejected:
        raise typer.Exit(2)
    if answer.state.value == "failed":
        raise typer.Exit(1)


def _review_remote(client: Any, batch_id: str, reviews: Path) -> Any:
    """Send the reviews file as it is to the server's review route (its name kept)."""
    from urllib.parse import quote

    from dataflywheel.flows.data.review_input import reviews_bytes

    kind = "text/csv" if reviews.suffix.lower() == ".csv" else "application/x-ndjson"
    return client.call("POST", f"/api/v1/batches/{quote(batch_id, safe='')}/review",
                       params={"name": reviews.name}, content=reviews_bytes(reviews),
                       headers={"content-type": kind})


def _print_review(data: dict[str, Any], path: Path) -> None:
    console.print(f"{data['batch']}: {data['taken']} review(s) taken; state {data['state']}",
                  highlight=False)
    for r in data["rejected"]:
        console.print(f"[red]{path}:{r['line']}: rejected: {r['reason']}[/]", highlight=False)
    for line in data["still_missing"]:
        console.print(f"still awaiting review: {line}", highlight=False)
    if data["failure_reason"]:
        console.print(f"{data['failure_reason']}", highlight=False)
    if data["issue"]:
        console.print(f"filed issue {data['issue']}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="batches")
