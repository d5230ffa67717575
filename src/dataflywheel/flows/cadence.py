"""The cadence reports (Tables 24-11, 24-12) from the records: the Monday requirement sync, the
Wednesday quality inspection, the Friday delivery post-mortem, the monthly review and the
quarterly version freeze.

A flow opens the read session and runs the report's query (`reports.monday`, `.wednesday`,
`.friday`, `.monthly`, `.quarterly`); the CLI, the API and the demo render the context it returns.
`send` is the one writer: it stores a rendered report and notifies the table's participants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from sqlalchemy.orm import Session

from dataflywheel.domain.calendar import REPORT_YEARS, iso_week, week_monday
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.friday import FridayReview, friday_review
from dataflywheel.reports.monday import MondaySync, monday_sync
from dataflywheel.reports.monthly import MonthlyReview, monthly_review
from dataflywheel.reports.quarterly import QuarterlyFreeze, quarter_bounds, quarterly_freeze
from dataflywheel.reports.wednesday import WednesdayInspection, wednesday_inspection


def monday_report(ws: Workspace, *, week: str | None = None,
                  project: str | None = None) -> MondaySync:
    """The Monday sync of `week` (default: this week in the workspace's time zone), of one
    project or the whole team."""
    return _weekly(ws, monday_sync, week, project)


def wednesday_report(ws: Workspace, *, week: str | None = None,
                     project: str | None = None) -> WednesdayInspection:
    """The Wednesday quality inspection of `week` (default: this week), of one project or the
    whole team."""
    return _weekly(ws, wednesday_inspection, week, project)


def friday_report(ws: Workspace, *, week: str | None = None,
                  project: str | None = None) -> FridayReview:
    """The Friday delivery post-mortem of `week` (default: this week), of one project or the
    whole team; the SLA of the week's deliveries comes from the Demand Pool's SLA flow."""
    def query(s: Session, *, week: str, project: str | None) -> FridayReview:
        from dataflywheel.flows.demand.lifecycle import calendar_of, sla_many
        from dataflywheel.store.repositories.people import Requirements
        from dataflywheel.store.tables.demand import RequirementRow

        start = datetime.combine(week_monday(week), datetime.min.time(), tzinfo=UTC)
        end = start + timedelta(days=7)
        mine = [] if project is None else [RequirementRow.project_id == project]
        delivered = Requirements(s).matching(RequirementRow.delivered_at >= start,
                                             RequirementRow.delivered_at < end, *mine)
        statuses = sla_many(s, delivered, calendar_of(ws.settings), end)
        return friday_review(s, week=week, project=project,
                             sla={st.requirement_id: st for st in statuses})

    return _weekly(ws, query, week, project)


def monthly_report(ws: Workspace, *, month: str | None = None,
                   project: str | None = None) -> MonthlyReview:
    """The monthly review of `month` (`2026-11`; default: this month in the workspace's time
    zone, so far) against the month before, of one project or the whole team."""
    from dataflywheel.flows.metrics import gather

    start, end = _month(month or datetime.now(ZoneInfo(ws.settings.timezone)).strftime("%Y-%m"))
    previous, _ = _month((start - timedelta(days=1)).strftime("%Y-%m"))
    return _read(ws, project, lambda s: monthly_review(
        s, before=gather(ws, s, previous, start, project),
        month=gather(ws, s, start, end, project), project=project))


def quarterly_report(ws: Workspace, *, quarter: str | None = None,
                     project: str | None = None) -> QuarterlyFreeze:
    """The quarterly freeze of `quarter` (`2026-Q4`; default: this quarter), of one project or
    the whole team."""
    if quarter is None:
        today = datetime.now(ZoneInfo(ws.settings.timezone))
        quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    chosen = _valid(quarter_bounds, quarter, "quarter", "a quarter", "2026-Q4")
    return _read(ws, project, lambda s: quarterly_freeze(s, quarter=chosen, project=project))


def _month(text: str) -> tuple[datetime, datetime]:
    """[first moment, first moment of the next) of the month `2026-11`, in UTC."""
    try:
        start = datetime.strptime(text, "%Y-%m").replace(tzinfo=UTC)
        if start.year not in REPORT_YEARS:
            raise ValueError(text)
    except ValueError:
        raise BadInput("not a month", field="month", expected="e.g. 2026-11", got=text) from None
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


AUDIENCE: dict[str, tuple[Role, ...] | None] = {
    "monday": (Role.DATA_OWNER, Role.ALGORITHM_ENGINEER),
    "wednesday": (Role.QUALITY_EVALUATOR, Role.ANNOTATION_ENGINEER),
    "friday": tuple(Role),
    "monthly": None,
    "quarterly": (Role.DATA_OWNER, Role.ALGORITHM_ENGINEER),
}
"""Who receives each report: Table 24-11's participants as roles (Monday: Owner + Algorithm —
the table's Product has no role in the product; Wednesday: Quality + Annotation; Friday: the full
data team, every role; monthly: the full team and cross-team, every active person; quarterly:
Owner + Algorithm)."""


class Sent(BaseModel):
    """A report stored and delivered: its Markdown's blob, and who received it now (empty when
    the same report had been sent before: nothing is sent twice)."""

    report: str
    sha256: str
    recipients: list[str]
    already_sent: bool


def send(ws: Workspace, name: str, report: BaseModel, *, project: str | None = None,
         unless_sent_since: datetime | None = None) -> Sent:
    """Store `report` (the context of report `name`) rendered as Markdown in the blob store and
    put a notice in the inbox of each of Table 24-11's participants; the notice names the blob,
    whose text carries the inputs' digest, so the report can be found and regenerated.

    Each call is recorded (`flows.report_sends`) under the report's period; with
    `unless_sent_since` nothing is sent when that period was sent at or after it. Both checks
    run under the writers' lock, so two runs at once never both send."""
    from io import BytesIO

    from dataflywheel.domain.policies.raci import role_holders
    from dataflywheel.domain.report_schedule import PERIOD_OPTION, send_key
    from dataflywheel.flows.notifications import already_notified, notify
    from dataflywheel.flows.report_sends import period_of, record_send, sent_since
    from dataflywheel.reports.render import render
    from dataflywheel.store.allocator import lock_writers
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.store.repositories.people import People, RoleHoldings

    started = utcnow()
    text = render(report, "markdown")
    ref = ws.blobs.put_stream(BytesIO(text.encode("utf-8")))
    subject = text.splitlines()[0].lstrip("# ").strip()
    period = period_of(report)
    key = send_key(name, period, project)
    with ws.db.unit_of_work() as s:
        lock_writers(s)
        if unless_sent_since is not None and sent_since(s, key, unless_sent_since):
            return Sent(report=name, sha256=ref.sha256, recipients=[], already_sent=True)
        if already_notified(s, kind="report", record_kind="report", record_id=ref.sha256):
            record_send(s, actor=ws.actor, key=key, sha256=ref.sha256, recipients=[])
            return Sent(report=name, sha256=ref.sha256, recipients=[], already_sent=True)
        active = {p.id for p in People(s).list(active=True)}
        roles = AUDIENCE[name]
        holdings = RoleHoldings(s).list()
        chosen = active if roles is None else {person for role in roles
                                               for person in role_holders(role, project,
                                                                          holdings)}
        recipients = sorted(chosen & active)
        for person in recipients:
            notify(s, actor=ws.actor, to=person, kind="report", subject=subject,
                   record_kind="report", record_id=ref.sha256,
                   body=f"stored as blob {ref.sha256}; regenerate with flywheel report {name} "
                        f"{PERIOD_OPTION[name]} {period}"
                        + (f" --project {project}" if project else ""))
        record_send(s, actor=ws.actor, key=key, sha256=ref.sha256, recipients=recipients)
    from dataflywheel.integrations.openlineage import emit_report

    emit_report(ws.settings, name=name, period=str(period), sha256=ref.sha256, started_at=started,
                at=utcnow())  # after the commit it reports
    return Sent(report=name, sha256=ref.sha256, recipients=recipients, already_sent=False)


C = TypeVar("C")


def _weekly(ws: Workspace, query: Callable[..., C], week: str | None, project: str | None) -> C:
    """Run a weekly report's query for `week` (default: this week; checked: an ISO week) and
    `project` in a read session."""
    chosen = _valid(week_monday, week or iso_week(datetime.now(ZoneInfo(ws.settings.timezone))),
                    "week", "an ISO week", "2026-W48")
    return _read(ws, project, lambda s: query(s, week=chosen, project=project))


def _valid(parse: Callable[[str], object], value: str, field: str, what: str,
           example: str) -> str:
    """`value` when `parse` accepts it; `BadInput` naming what was expected otherwise."""
    try:
        parse(value)
    except ValueError:
        raise BadInput(f"not {what}", field=field, expected=f"e.g. {example}",
                       got=value) from None
    return value


def _read(ws: Workspace, project: str | None, read: Callable[[Session], C]) -> C:
    """`read` in one read session, after checking that `project` (when named) exists."""
    from dataflywheel.store.repositories.people import Projects

    with ws.db.session() as s:
        if project is not None:
            Projects(s).get(project)
        return read(s)
