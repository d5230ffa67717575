"""`flywheel requirements add|list|show`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.hookspecs import hookimpl

app = typer.Typer(help="Requirements in the Demand Pool.", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
COLUMNS = ["id", "priority", "kind", "state", "project_id", "title", "deadline", "accountable_id"]


@app.command("add")
def add(
    ctx: typer.Context,
    title: str,
    project: Annotated[str, typer.Option(help="Project id.")],
    requester: Annotated[str, typer.Option(help="Person id of the requester.")],
    priority: Annotated[str, typer.Option(help="P0, P1 or P2.")],
    kind: Annotated[str, typer.Option(help="new_data, annotation, remediation or exploration.")] = "new_data",
    target_metric: Optional[str] = None,
    acceptance: Annotated[Optional[str], typer.Option(help="Acceptance criteria.")] = None,
    deadline: Annotated[Optional[str], typer.Option(help="ISO date or datetime (UTC if no zone).")] = None,
    responsible: Optional[str] = None,
    accountable: Optional[str] = None,
    description: str = "",
    json_: Json = False,
) -> None:
    """Submit a requirement."""
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.requirements import submit_requirement

    with workspace(ctx) as ws:
        req = submit_requirement(
            ws, title=title, project_id=project, requester_id=requester,
            kind=_enum(RequirementKind, kind, "kind"), priority=_enum(Priority, priority, "priority"),
            target_metric=target_metric, acceptance_criteria=acceptance,
            deadline=_datetime(deadline), responsible_id=responsible, accountable_id=accountable,
            description=description,
        )
    if json_:
        print_json(req.model_dump(mode="json"))
    else:
        console.print(f"[green]submitted {req.id}[/] ({req.priority.value}) {req.title}", highlight=False)


@app.command("list")
def list_(ctx: typer.Context, project: Optional[str] = None, state: Optional[str] = None,
          json_: Json = False) -> None:
    """Requirements, optionally of one project or in one state."""
    from dataflywheel.flows.requirements import list_requirements

    filters = {k: v for k, v in {"project_id": project, "state": state}.items() if v}
    with workspace(ctx) as ws:
        rows = [r.model_dump(mode="json") for r in list_requirements(ws, **filters)]
    print_json(rows) if json_ else print_records(rows, columns=COLUMNS)


@app.command("show")
def show(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
         json_: Json = False) -> None:
    """One requirement."""
    from dataflywheel.flows.requirements import get_requirement

    with workspace(ctx) as ws:
        row = get_requirement(ws, requirement_id).model_dump(mode="json")
    if json_:
        print_json(row)
    else:
        for key, value in row.items():
            console.print(f"[bold]{key}[/]: {value}", highlight=False)


def _enum(kind: type, value: str, name: str):  # type: ignore[no-untyped-def]
    from dataflywheel.errors import BadInput

    try:
        return kind(value.strip() if name != "priority" else value.strip().upper())
    except ValueError:
        raise BadInput(f"unknown {name} {value!r}", field=name,
                       expected="one of " + ", ".join(m.value for m in kind)) from None


def _datetime(value: str | None) -> datetime | None:
    from datetime import UTC

    from dataflywheel.errors import BadInput

    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"not a date: {value!r}", field="deadline",
                       expected="ISO 8601, e.g. 2026-12-01 or 2026-12-01T18:00+08:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="requirements")
