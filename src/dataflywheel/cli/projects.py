"""`flywheel projects add|list|show|status|checks|import|export`; with `FLYWHEEL_SERVER` set,
`add` and `status` act through the team server (`api/routers/projects.py`) and print what they
print locally. `import`/`export` move the registry as a file in the chapter's `PROJECT_SPECS`
shape (`flows/demand/project_registry.py`)."""

from __future__ import annotations

from pathlib import Path
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
    deliverable: Annotated[list[str], typer.Option("--deliverable", help="An artifact the project delivers.")] = [],  # noqa: B006
    registry_role: Annotated[Optional[str], typer.Option(help="Its role in the registry, e.g. assembly_layer.")] = None,
    needs_human_review: Annotated[bool, typer.Option("--needs-human-review", help="Its results need extra human review.")] = False,
    needs_governance_control: Annotated[bool, typer.Option("--needs-governance-control", help="Its results need extra governance control.")] = False,
    json_: Json = False,
) -> None:
    """Register a project."""
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    project = Project.model_validate({
        "id": project_id, "name": name, "owner_id": owner, "phase": phase, "layers": layer,
        "interfaces_out": interface_out, "interfaces_in": interface_in,
        "review_hours_estimate": review_hours, "cost_estimate": cost, "description": description,
        "deliverables": deliverable, "registry_role": registry_role,
        "needs_human_review": needs_human_review,
        "needs_governance_control": needs_governance_control,
    })
    client = server_of(ctx)
    if client is not None:
        project = Project.model_validate(client.call(
            "POST", "/api/v1/projects", json=project.model_dump(
                mode="json", exclude={"status", "created_at", "imported_checks_passed",
                                     "imported_checks_total"})))
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


@app.command("checks")
def checks(ctx: typer.Context, project_id: Annotated[str, typer.Argument(metavar="ID")],
           json_: Json = False) -> None:
    """The project's checks passed: from its batches and experiments, else imported (says which)."""
    from dataflywheel.flows.demand.projects import project_checks

    with workspace(ctx) as ws:
        row = project_checks(ws, project_id)
    if json_:
        print_json(row)
    else:
        console.print(f"{project_id}: {row['passed']}/{row['total']} checks passed "
                      f"(source: {row['source']})", highlight=False)


@app.command("import")
def import_(ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE")],
            json_: Json = False) -> None:
    """Register every project of a YAML or JSON registry file, all or none."""
    from dataflywheel.flows.demand.project_registry import import_registry, read_registry_file

    with workspace(ctx) as ws:
        added = import_registry(ws, read_registry_file(file), source=str(file))
    if json_:
        print_json([p.model_dump(mode="json") for p in added])
    else:
        console.print(f"[green]imported {len(added)} project(s) from {file}[/]", highlight=False)


@app.command("export")
def export(ctx: typer.Context,
           format_: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml") -> None:
    """Print the registry in the chapter's PROJECT_SPECS shape (re-importable as it is)."""
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.demand.project_registry import export_entries, render_registry

    if format_ not in ("yaml", "json"):
        raise BadInput(f"unknown export format {format_!r}", field="--format",
                       expected="yaml or json")
    with workspace(ctx) as ws:
        text = render_registry(export_entries(ws), "json" if format_ == "json" else "yaml")
    console.file.write(text)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="projects")
