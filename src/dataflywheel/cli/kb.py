"""`flywheel kb add|search|show|link|templates`: the knowledge base.

`add` and `link` act through the team server when `FLYWHEEL_SERVER` is set (`cli.remote`,
`api/routers/kb.py`) and print what they print locally; `search` and `show` read locally.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from typing import Annotated

import typer
from rich.markup import escape

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.cli.remote import server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Knowledge base: post-mortems, best practices, templates, decision records, "
                       "onboarding pages.", no_args_is_help=True)
DocId = Annotated[str, typer.Argument(metavar="DOC")]


@app.command("add")
def add(
    ctx: typer.Context,
    title: str,
    kind: Annotated[str, typer.Option(help="post_mortem, best_practice, template, decision_record "
                                           "or onboarding.")],
    file: Annotated[Path | None, typer.Option(help="Markdown file with the body.")] = None,
    body: Annotated[str | None, typer.Option(help="The body, if no --file.")] = None,
    project: str | None = None,
    author: str | None = None,
    link: Annotated[list[str] | None, typer.Option(
        help="KIND:ID of a record or kb:DOC of another document; repeat for more.")] = None,
    json_: Json = False,
) -> None:
    """Add a Markdown document, linked to records and other documents."""
    from dataflywheel.errors import BadInput, NotFound
    from dataflywheel.flows.issues.kb import add_document, parse_target

    if (file is None) == (body is None):
        raise BadInput("give the body with exactly one of --file or --body", field="body")
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFound("document file not found", path=str(file)) from None
        except UnicodeDecodeError:
            raise BadInput("document file is not UTF-8", path=str(file)) from None
    from dataflywheel.domain.records.kb import KbDocument

    links = [parse_target(item) for item in link or []]
    client = server_of(ctx)
    if client is not None:
        payload = {"kind": kind, "title": title, "body": body or "", "author": author,
                   "links": [f"{k.value}:{i}" for k, i in links]}
        path = (f"/api/v1/projects/{quote(project, safe='')}/kb/documents" if project
                else "/api/v1/kb/documents")
        doc = KbDocument.model_validate(client.call("POST", path, json=payload))
    else:
        with workspace(ctx) as ws:
            doc = add_document(ws, kind=kind, title=title, body=body or "", project_id=project,
                               author_id=author, links=links)
    if json_:
        print_json(doc.model_dump(mode="json"))
    else:
        console.print(f"[green]added {doc.id}[/] ({doc.kind.value}) {escape(doc.title)}",
                      highlight=False)


@app.command("search")
def search(ctx: typer.Context, query: str,
           kind: Annotated[str | None, typer.Option(help="Only documents of this kind.")] = None,
           limit: int = 20, json_: Json = False) -> None:
    """Full-text search: documents containing every word of QUERY, best first."""
    from dataflywheel.flows.issues.kb import search as run

    with workspace(ctx) as ws:
        hits = [h.model_dump(mode="json") for h in run(ws, query, kind=kind, limit=limit)]
    if json_:
        print_json(hits)
    elif not hits:
        console.print(f"no document matches {query!r}", highlight=False)
    else:
        print_records(hits, columns=["id", "kind", "title", "snippet"])


@app.command("show")
def show(ctx: typer.Context, doc_id: DocId, json_: Json = False) -> None:
    """One document with its links and backlinks."""
    from dataflywheel.flows.issues.kb import show as run

    with workspace(ctx) as ws:
        view = run(ws, doc_id)
    if json_:
        print_json(view.model_dump(mode="json"))
        return
    doc = view.document
    console.print(f"[bold]{doc.id}[/] ({doc.kind.value}) {escape(doc.title)}", highlight=False)
    console.print(doc.body, markup=False, highlight=False)
    links = ", ".join(f"{lk.target_kind.value}:{lk.target_id}" for lk in view.links) or "none"
    back = ", ".join(lk.document_id for lk in view.backlinks) or "none"
    console.print(f"links: {links}\nlinked from: {back}", highlight=False)


@app.command("link")
def link(ctx: typer.Context, doc_id: DocId,
         target: Annotated[str, typer.Argument(metavar="KIND:ID")], json_: Json = False) -> None:
    """Link a document to a record (issue:ISS-0001) or another document (kb:KB-0002)."""
    from dataflywheel.domain.records.kb import KbLink
    from dataflywheel.flows.issues.kb import link as run

    client = server_of(ctx)
    if client is not None:
        made = KbLink.model_validate(client.call(
            "POST", f"/api/v1/kb/documents/{quote(doc_id, safe='')}/links", json={"target": target}))
    else:
        with workspace(ctx) as ws:
            made = run(ws, doc_id, target)
    print_json(made.model_dump(mode="json")) if json_ else console.print(
        f"{doc_id} → {made.target_kind.value}:{made.target_id}", highlight=False)


@app.command("templates")
def templates(ctx: typer.Context,
              install: Annotated[bool, typer.Option("--install", help="File the shipped versions "
                                                    "not yet in the knowledge base.")] = False,
              json_: Json = False) -> None:
    """The standard templates shipped with this version (Table 24-18), and filing them."""
    from dataflywheel.flows.issues.kb_templates import install as run, shipped

    if not install:
        rows = [t.model_dump(mode="json", exclude={"body"}) for t in shipped()]
        print_json(rows) if json_ else print_records(rows, columns=["name", "version", "title",
                                                                    "sha256"])
        return
    client = server_of(ctx)
    if client is not None:
        from dataflywheel.domain.records.kb import KbDocument

        added = [KbDocument.model_validate(d) for d in client.call(
            "POST", "/api/v1/kb/templates/install")]
    else:
        with workspace(ctx) as ws:
            added = run(ws)
    if json_:
        print_json([d.model_dump(mode="json") for d in added])
    else:
        console.print(f"[green]filed {len(added)} template(s)[/]" + "".join(
            f"\n  {d.id} {escape(d.title)}" for d in added), highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="kb")
