"""`flywheel raci import|show|check|who|consult|answer|consultations`; with `FLYWHEEL_SERVER`
set, `import`, `consult` and `answer` act through the team server (`api/routers/raci.py`) and
print what they print locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import Json
from dataflywheel.cli.output import console, err_console, print_json, print_records
from dataflywheel.cli.remote import segment, server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="The RACI matrix: who is Responsible, Accountable, Consulted, Informed.",
                  no_args_is_help=True)


@app.command("import")
def import_(ctx: typer.Context, path: Path, reason: Optional[str] = None) -> None:
    """Replace the matrix with a YAML file (validated first; nothing changes if it is invalid)."""
    from dataflywheel.flows.governance.raci import import_matrix, read_matrix_file

    matrix = read_matrix_file(path)
    client = server_of(ctx)
    if client is not None:
        client.call("POST", "/api/v1/raci/import", json={
            "matrix": matrix.model_dump(mode="json"), "reason": reason or f"imported from {path}"})
    else:
        with workspace(ctx) as ws:
            import_matrix(ws, matrix, reason=reason or f"imported from {path}")
    console.print(f"[green]imported {len(matrix.items)} RACI items from {path}[/]", highlight=False)


@app.command("show")
def show(ctx: typer.Context, yaml_: Annotated[bool, typer.Option("--yaml", help="Editable YAML.")] = False,
         json_: Json = False) -> None:
    """The matrix as it stands."""
    from dataflywheel.flows.governance.raci import export_matrix, matrix_yaml

    with workspace(ctx) as ws:
        matrix = export_matrix(ws)
    if yaml_:
        console.file.write(matrix_yaml(matrix))
    elif json_:
        print_json(matrix.model_dump(mode="json"))
    else:
        rows = [{"item": i.id, "A": [r.value for r in i.A], "R": [r.value for r in i.R],
                 "C": [r.value for r in i.C], "I": [r.value for r in i.I]} for i in matrix.items]
        print_records(rows, columns=["item", "A", "R", "C", "I"], title="RACI (team-wide)")


@app.command("check")
def check(ctx: typer.Context, json_: Json = False) -> None:
    """Check the rules and that every Accountable role resolves to exactly one person. Exit 1 if not."""
    from dataflywheel.flows.governance.raci import check as run_check

    with workspace(ctx) as ws:
        problems = run_check(ws)
    if json_:
        print_json({"ok": not problems, "problems": problems})
    elif problems:
        for problem in problems:
            err_console.print(f"[red]✗[/] {problem}", highlight=False)
    else:
        console.print("[green]RACI matrix OK[/]")
    if problems:
        raise typer.Exit(1)


@app.command("who")
def who(ctx: typer.Context, item: str, project: Optional[str] = None, json_: Json = False) -> None:
    """Who is A, R, C and I for ITEM (in PROJECT)."""
    from dataflywheel.flows.governance.raci import ask_who

    with workspace(ctx) as ws:
        answer = ask_who(ws, item, project)
    if json_:
        print_json(answer.model_dump(mode="json"))
        return
    console.print(f"[bold]{item}[/]" + (f" in {project}" if project else ""), highlight=False)
    console.print(f"  A: {answer.accountable}\n  R: {', '.join(answer.responsible)}\n"
                  f"  C: {', '.join(answer.consulted)}\n  I: {', '.join(answer.informed)}", highlight=False)


On = Annotated[str, typer.Option("--on", metavar="KIND:ID",
                                  help="The decision's record, e.g. dataset_version:V-0001.")]


def _on(value: str) -> tuple[str, str]:
    from dataflywheel.errors import BadInput

    kind, sep, record_id = value.partition(":")
    if not sep or not kind or not record_id:
        raise BadInput("--on needs KIND:ID", field="--on", expected="e.g. dataset_version:V-0001",
                       got=value, kept="nothing was asked")
    return kind, record_id


@app.command("consult")
def consult(ctx: typer.Context, item: str, on: On,
            due: Annotated[str, typer.Option(help="Deadline (ISO 8601 with a zone, or a date).")],
            project: Optional[str] = None, json_: Json = False) -> None:
    """Ask every Consulted person of ITEM for input on a decision, by a deadline (notified)."""
    from dataflywheel.cli.parsing import parse_time
    from dataflywheel.flows.governance.consultations import request

    kind, record_id = _on(on)
    due_at = parse_time(due, "--due")
    assert due_at is not None
    client = server_of(ctx)
    if client is not None:
        made = _from_server(client.call("POST", "/api/v1/raci/consultations", json={
            "item": item, "record_kind": kind, "record_id": record_id,
            "due": due_at.isoformat(), "project": project}))
    else:
        with workspace(ctx) as ws:
            made = request(ws, item, record_kind=kind, record_id=record_id, due_at=due_at,
                           project_id=project)
    _consultations(made, json_)


@app.command("answer")
def answer(ctx: typer.Context, consultation_id: Annotated[str, typer.Argument(metavar="ID")],
           response: Annotated[str, typer.Option(help="Your input.")], json_: Json = False) -> None:
    """Answer a consultation addressed to you (before its deadline)."""
    from dataflywheel.flows.governance.consultations import answer as run

    client = server_of(ctx)
    if client is not None:
        done = _from_server([client.call(
            "POST", f"/api/v1/raci/consultations/{segment(consultation_id)}/answer",
            json={"response": response})])[0]
    else:
        with workspace(ctx) as ws:
            done = run(ws, consultation_id, response=response)
    _consultations([done], json_)


@app.command("consultations")
def consultations(ctx: typer.Context, on: Annotated[Optional[str], typer.Option(
        "--on", metavar="KIND:ID", help="Only those of one decision.")] = None,
        json_: Json = False) -> None:
    """Consultations: who was asked, on what, by when, and what they said (or that they did not)."""
    from dataflywheel.flows.governance.consultations import consultations as listing

    kind, record_id = _on(on) if on else (None, None)
    with workspace(ctx) as ws:
        found = listing(ws, record_kind=kind, record_id=record_id)
    _consultations(found, json_)


def _from_server(answer: list[dict[str, Any]]) -> list[Any]:
    """The consultations of a server's answer as records (their `outcome` is derived again)."""
    from dataflywheel.domain.records.raci import Consultation

    return [Consultation.model_validate({k: v for k, v in row.items() if k != "outcome"})
            for row in answer]


def _consultations(found: list[Any], json_: bool) -> None:
    from dataflywheel.flows.governance.consultations import consultation_json

    rows = [consultation_json(c) for c in found]
    if json_:
        print_json(rows)
    else:
        print_records(rows, columns=["id", "item_id", "record_kind", "record_id", "person_id",
                                     "due_at", "state", "outcome"], title="Consultations")


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="raci")
