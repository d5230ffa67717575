"""`flywheel guides add|change|faq|show|list|diff`: annotation guides, their versions and FAQ.

`add`, `change` and `faq` act through the team server when `FLYWHEEL_SERVER` is set
(`api/routers/guides.py`) and print what they print locally; the file is sent as read here, so its
bytes are what the server keeps. The reads stay local.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json, MaybeProject
from dataflywheel.cli.output import console, print_done, print_json, print_records
from dataflywheel.cli.remote import ServerClient, require_named_remote, segment, server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Annotation guides: versioned files with labels, an example library, a FAQ "
                       "and change records.", no_args_is_help=True)
By = Annotated[str | None, typer.Option("--by", help="The person acting: must be the person your "
                                                     "login is bound to (default: that person).")]
File = Annotated[Path, typer.Argument(metavar="FILE", help="Guide file: YAML front matter, then "
                                                           "Markdown.")]
VersionId = Annotated[str, typer.Argument(metavar="GUIDE@VERSION")]


def _read(file: Path) -> bytes:
    from dataflywheel.errors import NotFound

    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise NotFound("guide file not found", path=str(file)) from None


def _server(ctx: typer.Context, by: str | None) -> ServerClient | None:
    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, by)
    return client


def _text(data: bytes, file: Path) -> str:
    from dataflywheel.errors import BadInput

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("guide file is not UTF-8", path=str(file), expected="UTF-8 Markdown") from None


def _print_change(json_: bool, change: dict[str, Any], verb: str) -> None:
    v = change["version"]
    told = len(change.get("notices") or [])
    examples = ", ".join(v["examples_changed"]) or "none"
    message = (f"{verb} {v['id']} ({v['change_class']}), effective {v['effective_from'][:10]}; "
               f"examples changed: {examples}; {told} notice(s) sent")
    print_done(json_, change, message)


@app.command("add")
def add(ctx: typer.Context, file: File, project: MaybeProject = None, by: By = None,
        json_: Json = False) -> None:
    """Register a new guide with its first version (kept byte for byte under its sha256)."""
    data = _read(file)
    client = _server(ctx, by)
    if client is not None:
        where = f"/api/v1/projects/{segment(project)}/guides" if project else "/api/v1/guides"
        change = client.call("POST", where, json={"document": _text(data, file)})
    else:
        from dataflywheel.flows.contracts.guides import add_guide

        with workspace(ctx) as ws:
            change = add_guide(ws, data, source=str(file), project_id=project).model_dump(mode="json")
    _print_change(json_, change, "added")


@app.command("change")
def change(ctx: typer.Context, file: File, by: By = None, json_: Json = False) -> None:
    """Store the next version: classify the change (contract rules), record who, why and which
    examples changed, and notify the annotation roles and vendor annotators."""
    data = _read(file)
    client = _server(ctx, by)
    if client is not None:
        from dataflywheel.domain.records.guide import parse_guide

        guide = parse_guide(_text(data, file), source=str(file)).guide
        made = client.call("POST", f"/api/v1/guides/{segment(guide)}/versions",
                           json={"document": _text(data, file)})
    else:
        from dataflywheel.flows.contracts.guides import change_guide

        with workspace(ctx) as ws:
            made = change_guide(ws, data, source=str(file)).model_dump(mode="json")
    _print_change(json_, made, "changed to")


@app.command("faq")
def faq(ctx: typer.Context, version_id: VersionId,
        question: Annotated[str, typer.Option(help="The question asked.")],
        answer: Annotated[str, typer.Option(help="The answer, citing this version.")],
        asked_by: Annotated[str | None, typer.Option(help="Person id of who asked.")] = None,
        by: By = None, json_: Json = False) -> None:
    """Answer a question about a guide; the entry cites the version it clarifies."""
    from dataflywheel.domain.records.guide import split_version_id

    guide, version = split_version_id(version_id)
    client = _server(ctx, by)
    if client is not None:
        entry = client.call("POST", f"/api/v1/guides/{segment(guide)}/versions/"
                                    f"{segment(version)}/faq",
                            json={"question": question, "answer": answer, "asked_by": asked_by})
    else:
        from dataflywheel.flows.contracts.guides import add_faq

        with workspace(ctx) as ws:
            entry = add_faq(ws, version_id, question=question, answer=answer,
                            asked_by=asked_by).model_dump(mode="json")
    print_done(json_, entry, f"added {entry['id']} to {version_id}")


@app.command("list")
def list_(ctx: typer.Context,
          guide: Annotated[str | None, typer.Option(help="Only this guide's versions.")] = None,
          json_: Json = False) -> None:
    """Every guide version with its change class, author, reason and when it took effect."""
    from dataflywheel.flows.contracts.guides import list_versions

    with workspace(ctx) as ws:
        rows = [v.model_dump(mode="json") for v in list_versions(ws, guide)]
    if json_:
        print_json(rows)
    elif not rows:
        console.print("no annotation guide yet (flywheel guides add FILE)", highlight=False)
    else:
        print_records(rows, columns=["id", "change_class", "author_id", "effective_from",
                                     "examples_changed", "reason"])


@app.command("show")
def show(ctx: typer.Context, version_id: VersionId,
         file: Annotated[bool, typer.Option("--file", help="Print the stored file exactly.")] = False,
         json_: Json = False) -> None:
    """One version: labels, example library, FAQ and change record (or the file itself)."""
    from dataflywheel.flows.contracts.guides import read_file, show as run

    with workspace(ctx) as ws:
        if file:
            typer.echo(read_file(ws, version_id), nl=False)
            return
        view = run(ws, version_id)
    if json_:
        print_json(view.model_dump(mode="json"))
        return
    v = view.version
    console.print(f"[bold]{v.id}[/] {escape(v.title)} — {v.change_class.value}, by {v.author_id}, "
                  f"effective {v.effective_from:%Y-%m-%d}, sha256 {v.sha256}", highlight=False)
    if v.reason:
        console.print(f"why: {v.reason}", markup=False, highlight=False)
    for label in v.labels:
        console.print(f"label {label.name}: {label.definition}", markup=False, highlight=False)
    for ex in v.examples:
        console.print(f"example {ex.id} ({ex.kind.value}, {ex.label}): {ex.text}", markup=False,
                      highlight=False)
    for entry in view.faq:
        console.print(f"{entry.id}: Q {entry.question} — A {entry.answer}", markup=False,
                      highlight=False)


@app.command("diff")
def diff(ctx: typer.Context, old: VersionId, new: VersionId, json_: Json = False) -> None:
    """The changes between two versions of a guide, classified, and the line diff of the files."""
    from dataflywheel.flows.contracts.guides import diff as run

    with workspace(ctx) as ws:
        view = run(ws, old, new)
    if json_:
        print_json(view.model_dump(mode="json"))
        return
    d = view.diff
    console.print(f"{old} → {new}: {d.change_class.value} (needs a {d.required_bump} version)",
                  highlight=False)
    for c in d.changes:
        console.print(f"  {c.describe()}", markup=False, highlight=False)
    for line in view.text_diff:
        console.print(line, markup=False, highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="guides")
