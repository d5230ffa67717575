"""`flywheel issues …`: the Issue Pool (open, move, escalate, tier) and post-mortems."""

from __future__ import annotations

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
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.domain.records.issue import Issue

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

    links = [parse_link(item) for item in link or []]
    with workspace(ctx) as ws:
        issue = open_issue(ws, title=title, severity=severity, source=source, project_id=project,
                           owner_id=owner, reporter_id=reporter, links=links,
                           description=description,
                           remediate_by=parse_time(remediate_by, "remediate_by"))
    if json_:
        print_json(issue.model_dump(mode="json"))
    else:
        console.print(f"[green]opened {issue.id}[/] ({issue.severity.value}) {escape(issue.title)}; "
                      f"respond {_due(issue.respond_by)}, remediate {_due(issue.remediate_by)}",
                      highlight=False)


def _due(moment: datetime | None) -> str:
    from dataflywheel.domain.durations import when
    from dataflywheel.domain.records.base import utcnow

    return when(moment, utcnow()) if moment else "whenever (no deadline)"


@app.command("list")
def list_(ctx: typer.Context, state: str | None = None, severity: str | None = None,
          project: str | None = None, owner: str | None = None, limit: Limit = None,
          cursor: Cursor = None, all_: All = False, json_: Json = False) -> None:
    """Issues, optionally filtered by state, severity, project or owner, most urgent first."""
    from dataflywheel.flows.issues.lifecycle import issues

    with workspace(ctx) as ws:
        show_list(ctx, issues(ws, state=state, severity=severity, project_id=project,
                              owner_id=owner),
                  row=lambda i: i.model_dump(mode="json"), columns=COLUMNS, json_=json_,
                  limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """One issue with its links and its post-mortem."""
    from dataflywheel.errors import NotFound
    from dataflywheel.flows.issues.lifecycle import issue_detail
    from dataflywheel.flows.issues.postmortems import post_mortem_of

    with workspace(ctx) as ws:
        issue, links = issue_detail(ws, issue_id)
        try:
            pm: dict[str, Any] | None = post_mortem_of(ws, issue_id).model_dump(mode="json")
        except NotFound:
            pm = None
    data = {**issue.model_dump(mode="json"), "links": [dict([lk.target]) | {"relation": lk.relation.value}
                                                      for lk in links], "post_mortem": pm}
    if json_:
        print_json(data)
        return
    print_fields({k: v for k, v in data.items() if k != "post_mortem"})
    console.print(f"[bold]post_mortem[/]: {pm['id'] + ' (' + pm['state'] + ')' if pm else 'none'}",
                  highlight=False)


@app.command("ack")
def ack(ctx: typer.Context, issue_id: IssueId, note: str | None = None,
        json_: Json = False) -> None:
    """Acknowledge an issue (the response)."""
    from dataflywheel.flows.issues.lifecycle import acknowledge

    with workspace(ctx) as ws:
        _show(acknowledge(ws, issue_id, note=note), json_)


@app.command("assign")
def assign(ctx: typer.Context, issue_id: IssueId,
           owner: Annotated[str, typer.Option(help="Person id of the new owner.")],
           json_: Json = False) -> None:
    """Assign an issue to an owner, who is notified."""
    from dataflywheel.flows.issues.lifecycle import assign as run

    with workspace(ctx) as ws:
        _show(run(ws, issue_id, owner_id=owner), json_)


@app.command("resolve")
def resolve(ctx: typer.Context, issue_id: IssueId,
            resolution: Annotated[str, typer.Option(help="What was fixed or mitigated.")],
            root_cause: str | None = None, json_: Json = False) -> None:
    """Mark an issue resolved (fixed or mitigated)."""
    from dataflywheel.flows.issues.lifecycle import resolve as run

    with workspace(ctx) as ws:
        _show(run(ws, issue_id, resolution=resolution, root_cause=root_cause), json_)


@app.command("close")
def close(ctx: typer.Context, issue_id: IssueId, reason: str | None = None,
          json_: Json = False) -> None:
    """Close a resolved issue (P0/P1 need a published post-mortem with an implemented change)."""
    from dataflywheel.flows.issues.lifecycle import close as run

    with workspace(ctx) as ws:
        _show(run(ws, issue_id, reason=reason), json_)


@app.command("reopen")
def reopen(ctx: typer.Context, issue_id: IssueId,
           reason: Annotated[str, typer.Option(help="Why the issue is back.")],
           json_: Json = False) -> None:
    """Reopen a closed issue."""
    from dataflywheel.flows.issues.lifecycle import reopen as run

    with workspace(ctx) as ws:
        _show(run(ws, issue_id, reason=reason), json_)


@app.command("escalate")
def escalate(ctx: typer.Context,
             committee: Annotated[list[str] | None, typer.Option(
                 help="A role on the P0 decision committee; repeat for more (default: data_owner, "
                      "legal_compliance, platform_engineer).")] = None,
             json_: Json = False) -> None:
    """Escalate every overdue issue one path level per missed deadline (run it on a schedule)."""
    from dataflywheel.domain.policies.risk import COMMITTEE_ROLES
    from dataflywheel.domain.roles import parse_role
    from dataflywheel.flows.issues.lifecycle import escalate_overdue

    roles = [parse_role(r) for r in committee] if committee else list(COMMITTEE_ROLES)
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

    try:
        data = safe_load(file.read_text(encoding="utf-8"), source=str(file))
    except FileNotFoundError:
        raise NotFound("post-mortem file not found", path=str(file)) from None
    if not isinstance(data, dict):
        raise BadInput("a post-mortem file is a mapping of sections", path=str(file),
                       expected="event: …, impact: …, timeline: [{at, what}], …")
    with workspace(ctx) as ws:
        pm = write(ws, issue_id, **data)
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

    with workspace(ctx) as ws:
        pm = link_change(ws, issue_id, kind=kind, ref=ref)
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} → {kind} {ref}", highlight=False)


@app.command("postmortem-submit")
def pm_submit(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """Send the post-mortem to review (draft → review)."""
    from dataflywheel.flows.issues.postmortems import submit

    with workspace(ctx) as ws:
        pm = submit(ws, issue_id)
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} is {pm.state.value}", highlight=False)


@app.command("postmortem-publish")
def pm_publish(ctx: typer.Context, issue_id: IssueId, json_: Json = False) -> None:
    """Publish the post-mortem (complete, change verified) and file it in the knowledge base."""
    from dataflywheel.flows.issues.postmortems import publish

    with workspace(ctx) as ws:
        pm = publish(ws, issue_id)
    print_json(pm.model_dump(mode="json")) if json_ else console.print(
        f"{pm.id} is {pm.state.value}", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="issues")
