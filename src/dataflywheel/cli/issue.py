"""`flywheel issues …`: the Issue Pool (open, move, escalate, tier) and post-mortems.

Every command that changes state acts through the team server when `FLYWHEEL_SERVER` is set
(`cli.remote`): it calls the route for the same flow (`api/routers/issues.py`,
`api/routers/postmortems.py`), rebuilds the record from the answer and prints it as it does
locally. Reads stay local.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit, MaybeOwner, MaybeProject, Purpose
from dataflywheel.cli.output import console, print_fields, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.parsing import parse_time
from dataflywheel.cli.remote import server_of
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.domain.records.issue import Issue, PostMortem

app = typer.Typer(help="Issues in the Issue Pool, their escalation and post-mortems.",
                  no_args_is_help=True)
IssueId = Annotated[str, typer.Argument(metavar="ISSUE")]
COLUMNS = ["id", "severity", "state", "owner_id", "remediate_by", "escalation_level", "title"]


def _show(issue: Issue, json_: bool) -> None:
    if json_:
        print_json(issue.model_dump(mode="json"))
    else:
        console.print(f"{issue.id} ({issue.severity.value}) is [bold]{issue.state.value}[/]: "
                      f"{escape(issue.title)}", highlight=False)


@app.command("open")
def open_(
    ctx: typer.Context, title: str,
    severity: Annotated[str, typer.Option(help="P0, P1, P2 or P3 (Table 24-19).")],
    source: Annotated[str, typer.Option(help="quality_check, experiment, feedback, spot_check, "
                                             "platform or manual.")] = "manual",
    project: MaybeProject = None,
    owner: MaybeOwner = None,
    reporter: Annotated[str | None, typer.Option(help="Person id of the reporter.")] = None,
    link: Annotated[list[str] | None, typer.Option(
        help="KIND:ID of a linked record (batch, version, experiment, requirement, error_sample, "
             "feedback); repeat for more.")] = None,
    description: str = "",
    remediate_by: Annotated[str | None, typer.Option(
        help="Tighter remediation deadline (ISO 8601, UTC if no zone).")] = None,
    json_: Json = False,
) -> None:
    """Open an issue; its deadlines follow its severity."""
    from dataflywheel.flows.issues.lifecycle import open_issue, parse_link

    from dataflywheel.domain.records.issue import Issue

    links = [parse_link(item) for item in link or []]
    due = parse_time(remediate_by, "remediate_by")
    client = server_of(ctx)
    if client is not None:
        body = {"title": title, "severity": severity, "source": source, "owner": owner,
                "reporter": reporter, "links": [f"{k}:{i}" for k, i in links],
                "description": description, "remediate_by": due.isoformat() if due else None}
        path = f"/api/v1/projects/{_seg(project)}/issues" if project else "/api/v1/issues"
        issue = Issue.model_validate(client.call("POST", path, json=body))
    else:
        with workspace(ctx) as ws:
            issue = open_issue(ws, title=title, severity=severity, source=source,
                               project_id=project, owner_id=owner, reporter_id=reporter,
                               links=links, description=description, remediate_by=due)
    if json_:
        print_json(issue.model_dump(mode="json"))
    else:
        console.print(f"[green]opened {issue.id}[/] ({issue.severity.value}) {escape(issue.title)}; "
                      f"respond {_due(issue.respond_by)}, remediate {_due(issue.remediate_by)}",
                      highlight=False)


def _seg(value: str) -> str:
    """A path segment, quoted (an id typed by the user never changes the route it goes to)."""
    from urllib.parse import quote

    return quote(value, safe="")


def _act(ctx: typer.Context, issue_id: str, verb: str, body: dict[str, Any],
         local: Callable[[Any], Issue]) -> Issue:
    """A lifecycle move: through the server's `POST /api/v1/issues/{issue}/<verb>` when one is
    set, else `local(ws)` on the workspace."""
    from dataflywheel.domain.records.issue import Issue

    client = server_of(ctx)
    if client is not None:
        return Issue.model_validate(
            client.call("POST", f"/api/v1/issues/{_seg(issue_id)}/{verb}", json=body))
    with workspace(ctx) as ws:
        return local(ws)


def _pm_act(ctx: typer.Context, issue_id: str, verb: str, local: Callable[[Any], PostMortem],
            method: str = "POST", body: dict[str, Any] | None = None) -> PostMortem:
    """A post-mortem step: through `…/issues/{issue}/postmortem[/<verb>]` or locally."""
    from dataflywheel.domain.records.issue import PostMortem

    client = server_of(ctx)
    if client is not None:
        path = f"/api/v1/issues/{_seg(issue_id)}/postmortem" + (f"/{verb}" if verb else "")
        return PostMortem.model_validate(client.call(method, path, json=body))
    with workspace(ctx) as ws:
        return local(ws)


def _due(moment: datetime | None) -> str:
    from dataflywheel.domain.durations import when
    from dataflywheel.domain.records.base import utcnow

    return when(moment, utcnow()) if moment else "whenever (no deadline)"


@app.command("list")
def list_(ctx: typer.Context, state: str | None = None, severity: str | None = None,
          project: str | None = None, owner: str | None = None,
          opened_from: Annotated[str | None, typer.Option(
              help="Only issues opened at or after this time (ISO 8601, UTC if no zone).")] = None,
          opened_to: Annotated[str | None, typer.Option(
              help="Only issues opened before this time (ISO 8601, UTC if no zone).")] = None,
          limit: Limit = None, cursor: Cursor = None, all_: All = False,
          json_: Json = False) -> None:
    """Issues, optionally filtered by state, severity (risk tier), project, owner or opening
    window, most urgent first."""
    from dataflywheel.flows.issues.lifecycle import issues

    since, until = parse_time(opened_from, "opened_from"), parse_time(opened_to, "opened_to")
    with workspace(ctx) as ws:
        show_list(ctx, issues(ws, state=state, severity=severity, project_id=project,
                              owner_id=owner, opened_from=since, opened_to=until),
                  row=lambda i: i.model_dump(mode="json"), columns=COLUMNS, json_=json_,
                  limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """One issue with its links, its post-mortem and its escalation timers."""
    from dataflywheel.flows.issues.lifecycle import issue_view

    with workspace(ctx) as ws:
        data = issue_view(ws, issue_id).model_dump(mode="json")
    if json_:
        print_json(data)
        return
    pm, clock = data.pop("post_mortem"), data.pop("escalation")
    print_fields(data)
    console.print(f"[bold]post_mortem[/]: {pm['id'] + ' (' + pm['state'] + ')' if pm else 'none'}",
                  highlight=False)
    nxt = (f"{clock['next_label']} at {clock['next_at']}" if clock["next_at"] else "none")
    console.print(f"[bold]escalation[/]: {escape(clock['level_label'])} (level {clock['level']}); "
                  f"due now: {escape(clock['due_label'])}; next: {escape(nxt)}", highlight=False)


@app.command("ack")
def ack(ctx: typer.Context, issue_id: IssueId, note: str | None = None,
        json_: Json = False) -> None:
    """Acknowledge an issue (the response)."""
    from dataflywheel.flows.issues.lifecycle import acknowledge

    _show(_act(ctx, issue_id, "ack", {"note": note},
               lambda ws: acknowledge(ws, issue_id, note=note)), json_)


@app.command("assign")
def assign(ctx: typer.Context, issue_id: IssueId,
           owner: Annotated[str, typer.Option(help="Person id of the new owner.")],
           json_: Json = False) -> None:
    """Assign an issue to an owner, who is notified."""
    from dataflywheel.flows.issues.lifecycle import assign as run

    _show(_act(ctx, issue_id, "assign", {"owner": owner},
               lambda ws: run(ws, issue_id, owner_id=owner)), json_)


@app.command("resolve")
def resolve(ctx: typer.Context, issue_id: IssueId,
            resolution: Annotated[str, typer.Option(help="What was fixed or mitigated.")],
            root_cause: str | None = None, json_: Json = False) -> None:
    """Mark an issue resolved (fixed or mitigated)."""
    from dataflywheel.flows.issues.lifecycle import resolve as run

    _show(_act(ctx, issue_id, "resolve", {"resolution": resolution, "root_cause": root_cause},
               lambda ws: run(ws, issue_id, resolution=resolution, root_cause=root_cause)), json_)


@app.command("close")
def close(ctx: typer.Context, issue_id: IssueId, reason: str | None = None,
          json_: Json = False) -> None:
    """Close a resolved issue (P0/P1 need a published post-mortem with an implemented change)."""
    from dataflywheel.flows.issues.lifecycle import close as run

    verb = "close"
    _show(_act(ctx, issue_id, verb, {"reason": reason},
               lambda ws: run(ws, issue_id, reason=reason)), json_)


@app.command("reopen")
def reopen(ctx: typer.Context, issue_id: IssueId,
           reason: Annotated[str, typer.Option(help="Why the issue is back.")],
           json_: Json = False) -> None:
    """Reopen a closed issue."""
    from dataflywheel.flows.issues.lifecycle import reopen as run

    verb = "reopen"
    _show(_act(ctx, issue_id, verb, {"reason": reason},
               lambda ws: run(ws, issue_id, reason=reason)), json_)


@app.command("escalate")
def escalate(ctx: typer.Context,
             committee: Annotated[list[str] | None, typer.Option(
                 help="A role on the P0 decision committee; repeat for more (default: data_owner, "
                      "legal_compliance, platform_engineer).")] = None,
             json_: Json = False) -> None:
    """Escalate every overdue issue one path level per missed deadline (run it on a schedule)."""
    from dataflywheel.domain.policies.risk import COMMITTEE_ROLES
    from dataflywheel.domain.roles import parse_role
    from dataflywheel.flows.issues.lifecycle import Escalation, escalate_overdue

    roles = [parse_role(r) for r in committee] if committee else list(COMMITTEE_ROLES)
    client = server_of(ctx)
    if client is not None:
        answer = client.call("POST", "/api/v1/issues/escalate",
                             json={"committee": [r.value for r in roles]})
        done = [Escalation.model_validate(e).model_dump(mode="json") for e in answer]
    else:
        with workspace(ctx) as ws:
            done = [e.model_dump(mode="json") for e in escalate_overdue(ws, committee=roles)]
    if json_:
        print_json(done)
    elif not done:
        console.print("escalated: none")
    else:
        print_records(done, columns=["issue_id", "severity", "from_level", "to_level", "notified",
                                     "note"], title="Escalations")


@app.command("tier")
def tier(ctx: typer.Context,
         share: Annotated[float, typer.Option(help="Share of non-conforming records, 0 to 1.")],
         purpose: Purpose,
         pii: bool = False, contamination: bool = False, json_: Json = False) -> None:
    """The severity Table 24-19 gives a failed delivery (no workspace needed)."""
    from dataflywheel.domain.policies.risk import tier_for_failed_batch

    severity = tier_for_failed_batch(share, purpose, pii=pii, contamination=contamination)
    print_json({"severity": severity.value}) if json_ else console.print(severity.value)


@app.command("postmortem-template")
def pm_template(ctx: typer.Context, issue_id: IssueId) -> None:
    """Print the blameless post-mortem template for an issue: the YAML that `postmortem --file`
    accepts back (`… postmortem-template ISS-0001 > pm.yaml`)."""
    from dataflywheel.flows.issues.postmortems import template

    with workspace(ctx) as ws:
        text = template(ws, issue_id)
    console.file.write(text)  # as is: no markup, no wrapping at the terminal's width


@app.command("postmortem")
def pm_write(ctx: typer.Context, issue_id: IssueId,
             file: Annotated[Path, typer.Option(help="YAML with the sections: event, impact, "
                                                     "timeline, root_cause, remediation, "
                                                     "preventive_measures, process_change.")],
             json_: Json = False) -> None:
    """Write (or update, while a draft) the issue's post-mortem from a YAML file."""
    from dataflywheel.errors import BadInput, NotFound
    from dataflywheel.flows.issues.postmortems import write
    from dataflywheel.yamlsafe import safe_load
    from pydantic_core import to_jsonable_python

    try:
        data = safe_load(file.read_text(encoding="utf-8"), source=str(file))
    except FileNotFoundError:
        raise NotFound("post-mortem file not found", path=str(file)) from None
    if not isinstance(data, dict):
        raise BadInput("a post-mortem file is a mapping of sections", path=str(file),
                       expected="event: …, impact: …, timeline: [{at, what}], …")
    pm = _pm_act(ctx, issue_id, "", lambda ws: write(ws, issue_id, **data), method="PUT",
                 body=to_jsonable_python(data))
    if json_:
        print_json(pm.model_dump(mode="json"))
    else:
        gaps = pm.missing()
        console.print(f"{pm.id} ({pm.state.value}); still missing: {', '.join(gaps) or 'nothing'}",
                      highlight=False)


@app.command("postmortem-link")
def pm_link(ctx: typer.Context, issue_id: IssueId,
            kind: Annotated[str, typer.Option(help="contract_version, raci_change, check or "
                                                   "guide_version.")],
            ref: Annotated[str, typer.Option(help="Id or name of the implemented change.")],
            json_: Json = False) -> None:
    """Link the implemented process change to the issue's post-mortem."""
    from dataflywheel.flows.issues.postmortems import link_change

    pm = _pm_act(ctx, issue_id, "link", lambda ws: link_change(ws, issue_id, kind=kind, ref=ref),
                 body={"kind": kind, "ref": ref})
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} → {kind} {ref}", highlight=False)


@app.command("postmortem-submit")
def pm_submit(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """Send the post-mortem to review (draft → review)."""
    from dataflywheel.flows.issues.postmortems import submit

    pm = _pm_act(ctx, issue_id, "submit", lambda ws: submit(ws, issue_id))
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} is {pm.state.value}", highlight=False)


@app.command("postmortem-publish")
def pm_publish(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """Publish the post-mortem (complete, change verified) and file it in the knowledge base."""
    from dataflywheel.flows.issues.postmortems import publish

    pm = _pm_act(ctx, issue_id, "publish", lambda ws: publish(ws, issue_id))
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} is {pm.state.value}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="issues")
