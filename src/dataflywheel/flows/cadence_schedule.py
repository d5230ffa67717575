"""Scheduled cadence reports: which reports are due and not sent, and sending each of them once.

A report is due once its period's day has come (`domain.report_schedule`: the Monday sync on
Monday, the inspection on Wednesday, the post-mortem on Friday, the monthly review after the
month, the quarterly freeze after the quarter, in the workspace's time zone) and no send of that
period is recorded at or after that moment (`flows.report_sends`, a query over the audit log). So
a schedule that missed runs (the laptop slept) catches up on its next run, and a second run — or
two at once — sends nothing twice. Only reports due since the workspace's first record (or
`since`) count, so a new install does not send years of empty reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from dataflywheel.domain.calendar import REPORT_YEARS
from dataflywheel.domain.report_schedule import DueReport, falls_due
from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows.cadence import (
    friday_report, monday_report, monthly_report, quarterly_report, send, wednesday_report,
)
from dataflywheel.flows.report_sends import first_record_at, last_sends
from dataflywheel.flows.workspace import Workspace


class DueItem(BaseModel):
    """One report due and not sent: which, of which period, due since when, how to regenerate
    it."""

    report: str
    period: str
    due_at: datetime
    command: str


class DueList(BaseModel):
    """The reports due in [since, now] (workspace time zone `timezone`) and not sent yet."""

    since: datetime
    now: datetime
    timezone: str
    due: list[DueItem]


class DueSent(BaseModel):
    """What sending one due report did: who it reached (none when it had been sent already, or
    nobody holds its roles), its blob, or why it could not be made (`error`)."""

    report: str
    period: str
    sha256: str | None = None
    recipients: list[str] = []
    already_sent: bool = False
    error: str | None = None


class DueSendResult(BaseModel):
    """Every due report of a `send_due` run, in due order."""

    since: datetime
    now: datetime
    timezone: str
    sent: list[DueSent]

    @property
    def failed(self) -> list[DueSent]:
        return [item for item in self.sent if item.error is not None]


MAX_WINDOW = timedelta(days=3653)
"""The widest [since, now] a run takes: ten years of reports is already far more than any
schedule should catch up on; a wider window is a mistyped date."""

BUILDERS: dict[str, Callable[[Workspace, str], BaseModel]] = {
    "monday": lambda ws, period: monday_report(ws, week=period),
    "wednesday": lambda ws, period: wednesday_report(ws, week=period),
    "friday": lambda ws, period: friday_report(ws, week=period),
    "monthly": lambda ws, period: monthly_report(ws, month=period),
    "quarterly": lambda ws, period: quarterly_report(ws, quarter=period),
}
"""How each report of a period is made: the same flows `flywheel report NAME` calls."""


def due_reports(ws: Workspace, *, now: datetime | None = None,
                since: datetime | None = None) -> DueList:
    """The team-wide reports due in [since, now] and not sent at or after their due moment.
    `now` defaults to the clock, `since` to the workspace's first record."""
    start, end, pending = _pending(ws, now, since)
    return DueList(since=start, now=end, timezone=ws.settings.timezone,
                   due=[DueItem(report=d.report, period=d.period, due_at=d.due_at,
                                command=d.command) for d in pending])


def send_due(ws: Workspace, *, now: datetime | None = None,
             since: datetime | None = None) -> DueSendResult:
    """Make and send each report `due_reports` lists, once: each send re-checks, under the
    writers' lock, that its period was not sent meanwhile. A report that cannot be made is
    named with its error and the others are still sent."""
    if now is not None and now > datetime.now(UTC):
        raise BadInput("a send cannot run ahead of the clock: the reports of periods that "
                       "have not closed would go out", field="now",
                       expected="a moment in the past (or no --now)", got=now.isoformat())
    start, end, pending = _pending(ws, now, since)
    results = [_send_one(ws, due) for due in pending]
    return DueSendResult(since=start, now=end, timezone=ws.settings.timezone, sent=results)


def _send_one(ws: Workspace, due: DueReport) -> DueSent:
    try:
        report = BUILDERS[due.report](ws, due.period)
        sent = send(ws, due.report, report, unless_sent_since=due.due_at)
    except FlywheelError as exc:
        return DueSent(report=due.report, period=due.period, error=str(exc))
    return DueSent(report=due.report, period=due.period, sha256=sent.sha256,
                   recipients=sent.recipients, already_sent=sent.already_sent)


def _pending(ws: Workspace, now: datetime | None,
             since: datetime | None) -> tuple[datetime, datetime, list[DueReport]]:
    """The bounds (defaults filled in) and the reports due within them, not sent since due."""
    clock = datetime.now(UTC)
    end = clock if now is None else now.astimezone(UTC)
    with ws.db.session() as s:
        first = first_record_at(s)
        start = (since.astimezone(UTC) if since is not None else first) or end
        if start > end:
            raise BadInput(
                "the start is after the end" if since is not None else
                "the workspace's first record is after the end", field="since" if since else "now",
                expected=f"a start at or before {end.isoformat()}", got=start.isoformat())
        if end - start > MAX_WINDOW:
            raise BadInput("the window is wider than ten years: a mistyped date?",
                           field="since" if since is not None else "now",
                           expected=f"a start after {(end - MAX_WINDOW).isoformat()}",
                           got=start.isoformat())
        sends = last_sends(s, start)
    candidates = falls_due(start, end, ZoneInfo(ws.settings.timezone))
    return start, end, [d for d in candidates
                        if d.key not in sends or sends[d.key] < d.due_at]


def parse_moment(text: str, *, field: str, zone: str) -> datetime:
    """An ISO date (`2026-12-07`, its local midnight) or date-time (`2026-12-07T08:00`, local
    when it names no offset) in time zone `zone`; `BadInput` naming the option otherwise."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput("not an ISO date or date-time", field=field,
                       expected="e.g. 2026-12-07 or 2026-12-07T08:00:00+01:00",
                       got=text) from None
    if len(text.strip()) == 10:  # a bare date: the start of that day
        parsed = datetime.combine(parsed.date(), time(0))
    aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=ZoneInfo(zone))
    if parsed.year not in REPORT_YEARS or parsed.year + 1 not in REPORT_YEARS:
        raise BadInput("a moment outside the reports' calendar", field=field,
                       expected=f"a year from {REPORT_YEARS.start} to {REPORT_YEARS.stop - 2}",
                       got=text)
    return aware.astimezone(UTC)
