"""`flywheel projects add|list|show|status`; with `FLYWHEEL_SERVER` set, `add` and `status` act
through the team server (`api/routers/projects.py`) and print what they print locally."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit, Owner
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.cli.remote import segment, server_of
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="The project registry.", no_args_is_help=True)
COLUMNS = ["id", "name", "phase", "status", "owner_id", "layers", "interfaces_out", "interfaces_in"]


@app.command("add")
def add(
    ctx: typer.Context,
    project_id: Annotated[str, typer.Argument(metavar="ID")],
    name: str,
    owner: Owner,
    phase: str = "build",
    layer: Annotated[list[str], typer.Option("--layer", help="data_source|processing|modeling|application|governance")] = [],  # noqa: B006
    interface_out: Annotated[list[str], typer.Option("--out", help="Interface this project provides.")] = [],  # noqa: B006
    interface_in: Annotated[list[str], typer.Option("--in", help="Interface this project consumes.")] = [],  # noqa: B006
    review_hours: float = 0.0,
    cost: float = 0.0,
    description: str = "",
    json_: Json = False,
) -> None:
    """Register a project."""
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    project = Project.model_validate({
        "id": project_id, "name": name, "owner_id": owner, "phase": phase, "layers": layer,
        "interfaces_out": interface_out, "interfaces_in": interface_in,
        "review_hours_estimate": review_hours, "cost_estimate": cost, "description": description,
    })
    client = server_of(ctx)
    if client is not None:
        project = Project.model_validate(client.call(
            "POST", "/api/v1/projects", json=project.model_dump(
                mode="json", exclude={"status", "created_at"})))
    else:
        with workspace(ctx) as ws:
            add_project(ws, project)
    if json_:
        print_json(project.model_dump(mode="json"))
    else:
        console.print(f"[green]added project {project_id}[/]", highlight=False)


@app.command("list")
def list_(ctx: typer.Context, limit: Limit = None, cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """Every registered project."""
    from dataflywheel.flows.demand.projects import projects

    with workspace(ctx) as ws:
        show_list(ctx, projects(ws), row=lambda p: p.model_dump(mode="json"), columns=COLUMNS,
                  json_=json_, limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, project_id: Annotated[str, typer.Argument(metavar="ID")], json_: Json = False) -> None:
    """One project."""
    from dataflywheel.flows.demand.projects import get_project

    with workspace(ctx) as ws:
        row = get_project(ws, project_id).model_dump(mode="json")
    if json_:
        print_json(row)
    else:
        for key, value in row.items():
            console.print(f"[bold]{key}[/]: {value}", highlight=False)


@app.command("status")
def status(ctx: typer.Context, project_id: Annotated[str, typer.Argument(metavar="ID")], new: str,
           reason: Optional[str] = None, json_: Json = False) -> None:
    """Move a project to another status (planned, active, paused, done, retired)."""
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.states import ProjectStatus
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.demand.projects import set_project_status

    try:
        target = ProjectStatus(new)
    except ValueError:
        raise BadInput(f"unknown project status {new!r}",
                       expected="one of " + ", ".join(s.value for s in ProjectStatus)) from None
    client = server_of(ctx)
    if client is not None:
        moved = Project.model_validate(client.call(
            "POST", f"/api/v1/projects/{segment(project_id)}/status",
            json={"status": target.value, "reason": reason}))
    else:
        with workspace(ctx) as ws:
            moved = set_project_status(ws, project_id, target, reason=reason)
    if json_:
        print_json(moved.model_dump(mode="json"))
    else:
        console.print(f"[green]project {project_id} is {target.value}[/]", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="projects")
