"""`flywheel report monday|wednesday|friday|monthly|quarterly`: the cadence reports, from the
records; `flywheel report due` and `report schedule`: sending them on a schedule.

Markdown to the terminal by default; `--format html|json` for a page or the data; `--out FILE`
writes it atomically instead. The same records give the same bytes. `--send` also stores the
report and notifies Table 24-11's participants (`flows.cadence.send`); otherwise it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dataflywheel.cli._context import settings_of, workspace
from dataflywheel.cli.output import console, err_console
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.flows.cadence_schedule import DueList, DueSendResult

app = typer.Typer(help="Cadence reports (Tables 24-11, 24-12) generated from the records.",
                  no_args_is_help=True)
FORMATS = ("markdown", "html", "json")
Week = Annotated[str | None, typer.Option(
    help="ISO week, e.g. 2026-W48 (default: this week in the workspace's time zone).")]
ProjectOption = Annotated[str | None, typer.Option(help="Only this project's records.")]
FormatOption = Annotated[str, typer.Option("--format", help="markdown, html or json.")]
Out = Annotated[Path | None, typer.Option(help="Write the report here instead.")]
Send = Annotated[bool, typer.Option(
    "--send", help="Also store it and put it in the inbox of Table 24-11's participants.")]


@app.command("monday")
def monday(ctx: typer.Context, week: Week = None, project: ProjectOption = None,
           format_: FormatOption = "markdown", out: Out = None, send: Send = False) -> None:
    """The Monday requirement sync: the week's commitment list in priority order with owners,
    what is returned or waiting for triage, recent conclusions, and the deviations."""
    from dataflywheel.flows.cadence import monday_report

    _emit(ctx, monday_report, "Monday sync", week, project, format_, out,
          "monday" if send else None)


@app.command("wednesday")
def wednesday(ctx: typer.Context, week: Week = None, project: ProjectOption = None,
              format_: FormatOption = "markdown", out: Out = None, send: Send = False) -> None:
    """The Wednesday quality inspection: the week's checked batches against the weeks before,
    the anomaly distribution, quality issues by tier, risk alerts and recommendations."""
    from dataflywheel.flows.cadence import wednesday_report

    _emit(ctx, wednesday_report, "quality inspection", week, project, format_, out,
          "wednesday" if send else None)


@app.command("friday")
def friday(ctx: typer.Context, week: Week = None, project: ProjectOption = None,
           format_: FormatOption = "markdown", out: Out = None, send: Send = False) -> None:
    """The Friday delivery post-mortem: the week's versions, SLA records and Issue Pool changes,
    post-mortem themes, next week's improvement items with owners, and blockers nobody owns."""
    from dataflywheel.flows.cadence import friday_report

    _emit(ctx, friday_report, "delivery post-mortem", week, project, format_, out,
          "friday" if send else None)


@app.command("monthly")
def monthly(ctx: typer.Context, month: Annotated[str | None, typer.Option(
                help="The month, e.g. 2026-11 (default: this month so far).")] = None,
            project: ProjectOption = None, format_: FormatOption = "markdown",
            out: Out = None, send: Send = False) -> None:
    """The monthly review: the improvement plan, every metric month on month with its
    interpretation linked to records, the post-mortems, and metric adjustments."""
    from dataflywheel.flows.cadence import monthly_report

    def make(ws: Any, *, week: str | None, project: str | None) -> Any:
        return monthly_report(ws, month=month, project=project)

    _emit(ctx, make, "monthly review", None, project, format_, out, "monthly" if send else None)


@app.command("quarterly")
def quarterly(ctx: typer.Context, quarter: Annotated[str | None, typer.Option(
                  help="The quarter, e.g. 2026-Q4 (default: this quarter).")] = None,
              project: ProjectOption = None, format_: FormatOption = "markdown",
              out: Out = None, send: Send = False) -> None:
    """The quarterly version freeze: the baselines frozen in the quarter with their lineage,
    what changed since the previous baseline and their known limitations; the candidates."""
    from dataflywheel.flows.cadence import quarterly_report

    def make(ws: Any, *, week: str | None, project: str | None) -> Any:
        return quarterly_report(ws, quarter=quarter, project=project)

    _emit(ctx, make, "quarterly freeze", None, project, format_, out, "quarterly" if send else None)


def _emit(ctx: typer.Context, make: Callable[..., Any], what: str, week: str | None,
          project: str | None, format_: str, out: Path | None,
          send_as: str | None = None) -> None:
    from dataflywheel.errors import BadInput
    from dataflywheel.reports.render import render

    if format_ not in FORMATS:
        raise BadInput("unknown report format", field="format", expected=", ".join(FORMATS),
                       got=format_)
    with workspace(ctx) as ws:
        report = make(ws, week=week, project=project)
        if send_as is not None:
            from dataflywheel.flows.cadence import send

            sent = send(ws, send_as, report, project=project)
            err_console.print(f"already sent (blob {sent.sha256})" if sent.already_sent else
                          f"sent to {len(sent.recipients)} people "
                          f"({', '.join(sent.recipients) or 'nobody holds the roles'}); "
                          f"stored as blob {sent.sha256}", highlight=False)
    text = render(report, format_)  # type: ignore[arg-type]
    if out is None:
        console.out(text, end="", highlight=False)
        return
    from dataflywheel.atomicfile import write_text

    write_text(out, text)
    console.print(f"wrote the {what} to {out}", highlight=False)


@app.command("due")
def due(ctx: typer.Context, send: Annotated[bool, typer.Option(
            "--send", help="Send each due report once (what a schedule runs).")] = False,
        now: Annotated[str | None, typer.Option(
            help="Instead of the clock, e.g. 2026-12-07T08:00 (workspace time zone).")] = None,
        since: Annotated[str | None, typer.Option(
            help="Only reports due from this date on (default: the workspace's first "
                 "record).")] = None,
        json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """The cadence reports whose day has come and that have not been sent (Table 24-11); with
    --send, send each once. Exits 1 when reports are due and --send was not given, or when one
    could not be sent."""
    from dataflywheel.flows.cadence_schedule import due_reports, parse_moment, send_due

    zone = settings_of(ctx).timezone
    at = None if now is None else parse_moment(now, field="--now", zone=zone)
    start = None if since is None else parse_moment(since, field="--since", zone=zone)
    with workspace(ctx) as ws:
        if send:
            result = send_due(ws, now=at, since=start)
            _print_sent(result, json_)
            failed = bool(result.failed)
        else:
            listed = due_reports(ws, now=at, since=start)
            _print_due(listed, json_)
            failed = bool(listed.due)
    if failed:
        raise typer.Exit(1)


def _print_due(listed: DueList, json_: bool) -> None:
    if json_:
        console.out(listed.model_dump_json(indent=2), highlight=False)
        return
    if not listed.due:
        console.out(f"no report is due (since {listed.since:%Y-%m-%d %H:%M} UTC)",
                    highlight=False)
        return
    console.out(f"{len(listed.due)} report(s) due and not sent ({listed.timezone}):",
                highlight=False)
    for item in listed.due:
        console.out(f"  {item.report} {item.period}  due since {item.due_at:%Y-%m-%d %H:%M} "
                    f"UTC  ({item.command})", highlight=False)
    console.out("send them: flywheel report due --send", highlight=False)


def _print_sent(result: DueSendResult, json_: bool) -> None:
    if json_:
        console.out(result.model_dump_json(indent=2), highlight=False)
    elif not result.sent:
        console.out("no report was due: nothing sent", highlight=False)
    for item in [] if json_ else result.sent:
        what = f"{item.report} {item.period}"
        if item.error is not None:
            err_console.out(f"not sent: {what}: {item.error}", highlight=False)
        elif item.already_sent:
            console.out(f"{what}: had been sent already", highlight=False)
        else:
            console.out(f"sent {what} to {len(item.recipients)} people "
                        f"({', '.join(item.recipients) or 'nobody holds the roles'}); "
                        f"blob {item.sha256}", highlight=False)


@app.command("schedule")
def schedule(ctx: typer.Context,
             format_: Annotated[str, typer.Option(
                 "--format", help="cron (a crontab line) or systemd (a service and a timer).")
             ] = "cron",
             at: Annotated[str | None, typer.Option(
                 help="Run once a day at HH:MM instead of every hour.")] = None,
             since: Annotated[str | None, typer.Option(
                 help="Pass --since to `report due`: an older workspace's history is not "
                      "sent.")] = None) -> None:
    """Print the entry that runs `report due --send` on its own, for the user to install (it
    edits no crontab or unit directory: those are the user's files)."""
    from dataflywheel.cli.schedule_entries import at_time, cron_entry, systemd_units
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.cadence_schedule import parse_moment

    if format_ not in ("cron", "systemd"):
        raise BadInput("unknown schedule format", field="--format", expected="cron or systemd",
                       got=format_)

    settings, when = settings_of(ctx), at_time(at)
    if since is not None:
        parse_moment(since, field="--since", zone=settings.timezone)
    entry = cron_entry(settings, when, since) if format_ == "cron" else \
        systemd_units(settings, when, since)
    with workspace(ctx):  # the entry must name a workspace that exists
        pass
    console.out(entry, end="", highlight=False)


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="report")
