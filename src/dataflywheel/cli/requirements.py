"""`flywheel requirements add|list|show|triage|amend|commit|start|deliver|accept|reject|sla|escalate`.

With `FLYWHEEL_SERVER` set, every command that changes state sends its request to the team
server's route for the same flow (`api/routers/requirements.py`) and prints what it prints
locally, rebuilt from the answer (`cli.remote`); the reads stay local.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Optional, TypeVar

import typer
from rich.markup import escape

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit, Priority, Project
from dataflywheel.cli.output import console, print_fields, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.parsing import parse_time
from dataflywheel.cli.remote import require_named_remote, segment, server_of
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.cli.remote import ServerClient
    from dataflywheel.domain.records.demand import Requirement

E = TypeVar("E", bound=StrEnum)

app = typer.Typer(help="Requirements in the Demand Pool.", no_args_is_help=True)
Since = Annotated[Optional[str], typer.Option(help="From this ISO date or time (UTC if no zone).")]
Until = Annotated[Optional[str], typer.Option(help="Before this ISO date or time (UTC if no zone).")]
COLUMNS = ["id", "priority", "kind", "state", "project_id", "title", "deadline", "accountable_id"]


@app.command("add")
def add(
    ctx: typer.Context,
    title: str,
    project: Project,
    requester: Annotated[str, typer.Option(help="Person id of the requester.")],
    priority: Priority,
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
    from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
    from dataflywheel.flows.demand.requirements import submit_requirement

    fields = dict(title=title, requester_id=requester, kind=_enum(RequirementKind, kind, "kind"),
                  priority=_enum(Priority, priority, "priority"), target_metric=target_metric,
                  acceptance_criteria=acceptance, deadline=parse_time(deadline, "deadline"),
                  responsible_id=responsible, accountable_id=accountable, description=description)
    client = server_of(ctx)
    if client is not None:
        body = {k: _json(v) for k, v in fields.items()}
        req = Requirement.model_validate(client.call(
            "POST", f"/api/v1/projects/{segment(project)}/requirements", json=body))
    else:
        with workspace(ctx) as ws:
            req = submit_requirement(ws, project_id=project, **fields)  # type: ignore[arg-type]
    if json_:
        print_json(req.model_dump(mode="json"))
    else:
        console.print(f"[green]submitted {req.id}[/] ({req.priority.value}) {escape(req.title)}",
                      highlight=False)


@app.command("list")
def list_(ctx: typer.Context, project: Optional[str] = None, state: Optional[str] = None,
          priority: Annotated[Optional[str], typer.Option(help="P0, P1 or P2.")] = None,
          created_since: Since = None, created_until: Until = None,
          updated_since: Since = None, updated_until: Until = None,
          limit: Limit = None, cursor: Cursor = None, all_: All = False,
          json_: Json = False) -> None:
    """Requirements, most urgent first; optionally of one project, state or priority, created or
    last updated in [since, until) (the filters of `GET /api/v1/requirements`)."""
    from dataflywheel.domain.records.demand import Priority as Level
    from dataflywheel.flows.demand.requirements import requirements
    from dataflywheel.store.paging import Span

    def span(since: str | None, until: str | None, what: str) -> Span | None:
        if since is None and until is None:
            return None
        return Span(parse_time(since, f"--{what}-since"), parse_time(until, f"--{what}-until"))

    listing_of = {"project_id": project or None, "state": state or None,
                  "priority": _enum(Level, priority, "priority") if priority else None,
                  "created": span(created_since, created_until, "created"),
                  "updated": span(updated_since, updated_until, "updated")}
    with workspace(ctx) as ws:
        show_list(ctx, requirements(ws, **listing_of),  # type: ignore[arg-type]
                  row=lambda r: r.model_dump(mode="json"), columns=COLUMNS, json_=json_,
                  limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
         json_: Json = False) -> None:
    """One requirement."""
    from dataflywheel.flows.demand.requirements import get_requirement

    with workspace(ctx) as ws:
        row = get_requirement(ws, requirement_id).model_dump(mode="json")
    if json_:
        print_json(row)
    else:
        print_fields(row)


def _enum(kind: type[E], value: str, name: str) -> E:
    from dataflywheel.errors import BadInput

    try:
        return kind(value.strip() if name != "priority" else value.strip().upper())
    except ValueError:
        raise BadInput(f"unknown {name} {value!r}", field=name,
                       expected="one of " + ", ".join(m.value for m in kind)) from None


@app.command("triage")
def triage(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
           approver: Annotated[Optional[str], typer.Option(help="Data Owner approving a P0.")] = None,
           json_: Json = False) -> None:
    """Triage a submitted requirement, or return it with what it lacks (the Monday rule)."""
    from dataflywheel.flows.demand.lifecycle import triage as run

    from dataflywheel.flows.governance.identity import require_named

    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, approver, "--approver")
        _show_state(_remote(client, requirement_id, "triage", {"approver": approver}), json_)
        return
    with workspace(ctx) as ws:
        if approver is not None:
            require_named(ws, approver, "--approver")
        _show_state(run(ws, requirement_id, approver=approver), json_)


@app.command("amend")
def amend(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
          target_metric: Optional[str] = None,
          acceptance: Annotated[Optional[str], typer.Option(help="Acceptance criteria.")] = None,
          accountable: Optional[str] = None, responsible: Optional[str] = None,
          deadline: Optional[str] = None, json_: Json = False) -> None:
    """Complete a returned requirement and submit it again."""
    from dataflywheel.flows.demand.lifecycle import resubmit

    updates = {k: v for k, v in {"target_metric": target_metric, "acceptance_criteria": acceptance,
                                 "accountable_id": accountable, "responsible_id": responsible,
                                 "deadline": parse_time(deadline, "deadline")}.items() if v is not None}
    client = server_of(ctx)
    if client is not None:
        body = {k: _json(v) for k, v in updates.items()}
        _show_state(_remote(client, requirement_id, "amend", body), json_)
        return
    with workspace(ctx) as ws:
        _show_state(resubmit(ws, requirement_id, updates=updates), json_)


@app.command("commit")
def commit(ctx: typer.Context, requirement_ids: Annotated[list[str], typer.Argument(metavar="ID...")],
           week: Annotated[str, typer.Option(help="ISO week of the task list, e.g. 2026-W48.")],
           json_: Json = False) -> None:
    """Commit triaged requirements to a week's task list (all or none)."""
    from dataflywheel.flows.demand.lifecycle import commit_week

    client = server_of(ctx)
    if client is not None:
        done = _commit_remote(client, requirement_ids, week)
    else:
        with workspace(ctx) as ws:
            done = commit_week(ws, requirement_ids, week=week)
    for req in done:
        _show_state(req, json_)


@app.command("start")
def start(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
          json_: Json = False) -> None:
    """Start work on a committed (or rejected) requirement."""
    from dataflywheel.flows.demand.lifecycle import start as run

    client = server_of(ctx)
    if client is not None:
        _show_state(_remote(client, requirement_id, "start"), json_)
        return
    with workspace(ctx) as ws:
        _show_state(run(ws, requirement_id), json_)


@app.command("deliver")
def deliver(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
            version: Annotated[list[str], typer.Option("--version", help="Dataset version id (repeatable).")] = [],  # noqa: B006
            json_: Json = False) -> None:
    """Mark a requirement delivered in one or more dataset versions."""
    from dataflywheel.flows.demand.lifecycle import deliver as run

    client = server_of(ctx)
    if client is not None:
        _show_state(_remote(client, requirement_id, "deliver", {"versions": version}), json_)
        return
    with workspace(ctx) as ws:
        _show_state(run(ws, requirement_id, version_ids=version), json_)


@app.command("accept")
def accept(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
           by: Annotated[str, typer.Option(help="The Accountable person.")], json_: Json = False) -> None:
    """Accept a delivery (the Accountable person only)."""
    from dataflywheel.flows.demand.lifecycle import decide

    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, by)
        _show_state(_remote(client, requirement_id, "accept"), json_)
        return
    with workspace(ctx) as ws:
        _show_state(decide(ws, requirement_id, accept=True, by=by), json_)


@app.command("reject")
def reject(ctx: typer.Context, requirement_id: Annotated[str, typer.Argument(metavar="ID")],
           by: Annotated[str, typer.Option(help="The Accountable person.")],
           reason: Annotated[str, typer.Option(help="Why the delivery is rejected.")], json_: Json = False) -> None:
    """Reject a delivery with a reason (the Accountable person only); work resumes with `start`."""
    from dataflywheel.flows.demand.lifecycle import decide

    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, by)
        _show_state(_remote(client, requirement_id, "reject", {"reason": reason}), json_)
        return
    with workspace(ctx) as ws:
        _show_state(decide(ws, requirement_id, accept=False, by=by, reason=reason), json_)


@app.command("sla")
def sla(ctx: typer.Context, project: Annotated[str | None, typer.Option(
            help="Only this project's requirements.")] = None, json_: Json = False) -> None:
    """The SLA clock of every requirement (Table 24-13), breaches first. Exit 1 if any is breached.

    The rows of `GET /api/v1/requirements/sla` (paged there)."""
    from dataflywheel.flows.demand.lifecycle import sla_report

    marks = {"met": "✓", "unmet": "✗", "pending": "…"}
    with workspace(ctx) as ws:
        rows = [st.model_dump(mode="json") for st in sla_report(ws, project_id=project)]
    if json_:
        print_json(rows)
    else:
        for row in rows:
            row["dimensions"] = " ".join(f"{d['dimension']}{marks[d['status']]}" for d in row["dimensions"])
        print_records(rows, columns=["requirement_id", "priority", "clock", "due", "breached",
                                     "escalate_to_data_owner", "dimensions"])
    if any(r["breached"] for r in rows):
        raise typer.Exit(1)


@app.command("escalate")
def escalate(ctx: typer.Context, json_: Json = False) -> None:
    """Notify the Data Owner of every P0 still undelivered after 48 h (once per requirement)."""
    from dataflywheel.flows.demand.lifecycle import escalate_overdue

    client = server_of(ctx)
    if client is not None:
        escalated = client.call("POST", "/api/v1/requirements/escalate")["escalated"]
    else:
        with workspace(ctx) as ws:
            escalated = escalate_overdue(ws)
    if json_:
        print_json({"escalated": escalated})
    else:
        console.print(f"escalated: {', '.join(escalated) or 'none'}", highlight=False)


def _json(value: Any) -> Any:
    """A value as a JSON body carries it (a time as ISO 8601)."""
    from datetime import datetime

    return value.isoformat() if isinstance(value, datetime) else value


def _remote(client: ServerClient, requirement_id: str, verb: str,
            body: dict[str, Any] | None = None) -> Requirement:
    """`POST /api/v1/requirements/{id}/{verb}`: the requirement as the server left it."""
    from dataflywheel.domain.records.demand import Requirement

    return Requirement.model_validate(client.call(
        "POST", f"/api/v1/requirements/{segment(requirement_id)}/{verb}", json=body))


def _commit_remote(client: ServerClient, requirement_ids: list[str], week: str) -> list[Requirement]:
    """All or none through the server: one request to the project's commit route, so the
    requirements must be of one project (each is read first to learn which)."""
    from dataflywheel.domain.records.demand import Requirement
    from dataflywheel.errors import BadInput

    projects = {r: client.call("GET", f"/api/v1/requirements/{segment(r)}")["project_id"]
                for r in requirement_ids}
    if len(set(projects.values())) > 1:
        raise BadInput("through the server, one commit takes the requirements of one project",
                       field="ID...", got=", ".join(f"{r} ({p})" for r, p in projects.items()),
                       expected="requirements of one project", kept="nothing was committed",
                       hint="commit each project's requirements in its own command")
    project = next(iter(projects.values()))
    answer = client.call("POST", f"/api/v1/projects/{segment(project)}/requirements/commit",
                         json={"requirements": requirement_ids, "week": week})
    return [Requirement.model_validate(row) for row in answer]


def _show_state(req: object, json_: bool) -> None:
    from dataflywheel.domain.records.demand import Requirement

    assert isinstance(req, Requirement)
    if json_:
        print_json(req.model_dump(mode="json"))
    else:
        extra = f" — {req.returned_reason}" if req.state.value == "returned" else ""
        console.print(f"{req.id} is [bold]{req.state.value}[/]{extra}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="requirements")
