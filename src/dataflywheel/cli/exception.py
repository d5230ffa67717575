"""`flywheel exceptions …`: exceptions of chapter Table 24-9 (request, decide, expire, inspect)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, By, Cursor, EndReason, Json, Limit, Now
from dataflywheel.cli.output import console, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.parsing import parse_time
from dataflywheel.cli.through_server import through_server
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.flows.governance.exceptions import ExceptionView

app = typer.Typer(help="Time, quality, format and compliance exceptions that expire by themselves.",
                  no_args_is_help=True)
ExcId = Annotated[str, typer.Argument(metavar="EXCEPTION")]
OnCall = Annotated[str | None, typer.Option(
    "--on-call", envvar="FLYWHEEL_ON_CALL",
    help="Person id who is on call (may approve time exceptions besides the platform engineer).")]
COLUMNS = ["id", "type", "state", "expires_at", "requested_by_id", "scope"]


def _view(answer: dict[str, Any]) -> ExceptionView:
    """The view a server answered (`ExceptionView.to_dict`), rebuilt to print it as locally."""
    from dataflywheel.domain.records.governance import (
        ExceptionApproval,
        ExceptionCover,
        ExceptionRecord,
    )
    from dataflywheel.flows.governance.exceptions import ExceptionView

    record = ExceptionRecord.model_validate(
        {k: v for k, v in answer.items() if k not in ("covers", "approvals", "open_slots")})
    return ExceptionView(
        exception=record, covers=[ExceptionCover.of(record.id, **c) for c in answer["covers"]],
        approvals=[ExceptionApproval.model_validate(a) for a in answer["approvals"]],
        open_slots=list(answer["open_slots"]))


def _record(answer: Any) -> Any:
    from dataflywheel.domain.records.governance import ExceptionRecord

    return ExceptionRecord.model_validate(answer)


def _print_view(view: ExceptionView, json_: bool) -> None:
    if json_:
        print_json(view.to_dict())
        return
    e = view.exception
    console.print(f"{e.id} ({e.type.value}) is [bold]{e.state.value}[/], expires "
                  f"{e.expires_at.isoformat()}", highlight=False)
    for label, value in (("scope", e.scope), ("reason", e.reason),
                         ("usage restriction", e.usage_restriction),
                         ("isolation label", e.isolation_label),
                         ("outstanding checks", ", ".join(e.outstanding_checks)),
                         *((("source", e.source_description),
                            ("risk level", e.risk_level.value if e.risk_level else ""),
                            ("access list", ", ".join(e.access_list)))
                           if e.type.value == "compliance" else ())):
        console.print(f"  {label}: {value}", highlight=False)
    covers = [f"{k.removesuffix('_id')} {v}" for c in view.covers
              for k, v in c.model_dump(exclude={"id", "exception_id"}, exclude_none=True).items()]
    console.print(f"  covers: {', '.join(covers)}", highlight=False)
    for a in view.approvals:
        console.print(f"  {a.decision.value} by {a.approver_id} as {a.role.value}"
                      + (f": {a.note}" if a.note else ""), highlight=False)
    if view.open_slots:
        console.print(f"  waiting for: {'; '.join(view.open_slots)}", highlight=False)


@app.command("request")
def request(
    ctx: typer.Context,
    type_: Annotated[str, typer.Option("--type", help="time, quality, format or compliance.")],
    scope: Annotated[str, typer.Option(help="What the exception covers, in words.")],
    reason: Annotated[str, typer.Option(help="Why the rule cannot be met now.")],
    usage_restriction: Annotated[str, typer.Option(help="How the covered data may be used.")],
    isolation_label: Annotated[str, typer.Option(help="Label that keeps the data apart.")],
    expires: Annotated[str, typer.Option(help="Expiry, ISO 8601 (UTC if no zone).")],
    by: By,
    outstanding: Annotated[list[str] | None, typer.Option(
        help="A check still to be done; repeat for more.")] = None,
    batch: Annotated[list[str] | None, typer.Option(help="Covered batch id; repeatable.")] = None,
    version: Annotated[list[str] | None, typer.Option(help="Covered version id; repeatable.")] = None,
    dataset: Annotated[list[str] | None, typer.Option(help="Covered dataset id; repeatable.")] = None,
    project: Annotated[str | None, typer.Option(help="Project whose approvers decide.")] = None,
    source_description: Annotated[str, typer.Option(
        help="Compliance: where the data comes from, what is undetermined.")] = "",
    risk_level: Annotated[str | None, typer.Option(help="Compliance: low, medium or high.")] = None,
    access: Annotated[list[str] | None, typer.Option(
        help="Compliance: person id who may read what it covers; repeatable.")] = None,
    json_: Json = False,
) -> None:
    """Request an exception; its approvers are notified."""
    from dataclasses import asdict

    from dataflywheel.flows.governance.exceptions import ExceptionRequest
    from dataflywheel.flows.governance.exceptions import request as request_flow

    expires_at = parse_time(expires, "expires_at")
    assert expires_at is not None
    req = ExceptionRequest(type=type_, scope=scope, reason=reason,
                           usage_restriction=usage_restriction, isolation_label=isolation_label,
                           outstanding_checks=outstanding or [], expires_at=expires_at,
                           batch_ids=batch or [], version_ids=version or [],
                           dataset_ids=dataset or [], project_id=project,
                           source_description=source_description, risk_level=risk_level,
                           access_list=access or [])
    client = through_server(ctx, by=by)
    if client is not None:
        body = {**asdict(req), "expires_at": expires_at.isoformat()}
        record = _record(client.call("POST", "/api/v1/exceptions", json=body))
    else:
        with workspace(ctx) as ws:
            record = request_flow(ws, req, requested_by=by)
    if json_:
        print_json(record.model_dump(mode="json"))
    else:
        console.print(f"[green]requested {record.id}[/] ({record.type.value}), expires "
                      f"{record.expires_at.isoformat()}", highlight=False)


@app.command("approve")
def approve(ctx: typer.Context, exception_id: ExcId, by: By, note: str = "",
            on_call: OnCall = None, now: Now = None, json_: Json = False) -> None:
    """Approve in the role you hold; approved once every approver the type needs has."""
    from dataflywheel.flows.governance.exceptions import approve as approve_flow

    client = through_server(ctx, by=by, now=now, on_call=on_call)
    if client is not None:
        view = _view(client.call("POST", f"/api/v1/exceptions/{exception_id}/approve",
                                 json={"note": note}))
    else:
        with workspace(ctx) as ws:
            view = approve_flow(ws, exception_id, approver=by, note=note, on_call=on_call,
                                now=parse_time(now, "now"))
    _print_view(view, json_)


@app.command("reject")
def reject(ctx: typer.Context, exception_id: ExcId, by: By,
           reason: Annotated[str, typer.Option(help="Why it is rejected.")],
           on_call: OnCall = None, now: Now = None, json_: Json = False) -> None:
    """Reject a requested exception (any of its approvers may)."""
    from dataflywheel.flows.governance.exceptions import reject as reject_flow

    client = through_server(ctx, by=by, now=now, on_call=on_call)
    if client is not None:
        view = _view(client.call("POST", f"/api/v1/exceptions/{exception_id}/reject",
                                 json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            view = reject_flow(ws, exception_id, approver=by, reason=reason, on_call=on_call,
                               now=parse_time(now, "now"))
    _print_view(view, json_)


@app.command("withdraw")
def withdraw(ctx: typer.Context, exception_id: ExcId, by: By, reason: str = "",
             json_: Json = False) -> None:
    """The requester withdraws an undecided request."""
    from dataflywheel.flows.governance.exceptions import withdraw as withdraw_flow

    client = through_server(ctx, by=by)
    if client is not None:
        record = _record(client.call("POST", f"/api/v1/exceptions/{exception_id}/withdraw",
                                     json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            record = withdraw_flow(ws, exception_id, by=by, reason=reason)
    if json_:
        print_json(record.model_dump(mode="json"))
    else:
        console.print(f"[green]withdrew {record.id}[/]", highlight=False)


@app.command("revoke")
def revoke(ctx: typer.Context, exception_id: ExcId, by: By,
           reason: EndReason,
           on_call: OnCall = None, now: Now = None, json_: Json = False) -> None:
    """End an approved exception before its expiry; what it covered is blocked again."""
    from dataflywheel.flows.governance.exceptions import revoke as revoke_flow

    client = through_server(ctx, by=by, now=now, on_call=on_call)
    if client is not None:
        record = _record(client.call("POST", f"/api/v1/exceptions/{exception_id}/revoke",
                                     json={"reason": reason}))
    else:
        with workspace(ctx) as ws:
            record = revoke_flow(ws, exception_id, by=by, reason=reason, on_call=on_call,
                                 now=parse_time(now, "now"))
    if json_:
        print_json(record.model_dump(mode="json"))
    else:
        console.print(f"[green]revoked {record.id}[/]: {reason}", highlight=False)


@app.command("list")
def list_(ctx: typer.Context, state: str | None = None,
          type_: Annotated[str | None, typer.Option("--type")] = None, now: Now = None,
          limit: Limit = None, cursor: Cursor = None, all_: All = False,
          json_: Json = False) -> None:
    """Exceptions by id (what is due expires first)."""
    from dataflywheel.flows.governance.exceptions import exceptions

    with workspace(ctx) as ws:
        show_list(ctx, exceptions(ws, state=state, type=type_, now=parse_time(now, "now")),
                  row=lambda e: e.model_dump(mode="json"), columns=COLUMNS, json_=json_,
                  limit=limit, cursor=cursor, all_=all_, title="exceptions")


@app.command("show")
def show(ctx: typer.Context, exception_id: ExcId, now: Now = None, json_: Json = False) -> None:
    """One exception: its statements, covers, decisions and who is still to decide."""
    from dataflywheel.flows.governance.exceptions import show as show_flow

    with workspace(ctx) as ws:
        view = show_flow(ws, exception_id, now=parse_time(now, "now"))
    _print_view(view, json_)


@app.command("sweep")
def sweep(ctx: typer.Context, now: Now = None, json_: Json = False) -> None:
    """Expire every approved exception past its expiry; what they covered is blocked again."""
    from dataflywheel.flows.governance.exceptions import sweep_expired

    client = through_server(ctx, now=now)
    if client is not None:
        expired: list[str] = client.call("POST", "/api/v1/exceptions/sweep")["expired"]
    else:
        with workspace(ctx) as ws:
            expired = sweep_expired(ws, parse_time(now, "now"))
    if json_:
        print_json({"expired": expired})
    else:
        console.print(f"expired {len(expired)}: {', '.join(expired) or 'none'}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="exceptions")
