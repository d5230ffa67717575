"""The record of a cadence report's send, and the question "was it sent?" asked of it.

`flows.cadence.send` appends one `report.send` audit entry per send, whose `record_id` is the send
key (`domain.report_schedule.send_key`: report, period, project). Whether a report's period has
been sent is then a query over the audit log — which nothing can silently edit — rather than a
marker file a crashed or copied job could lose or duplicate. The entry is written even when the
report reached nobody (nobody holds its roles), so a schedule does not retry it every hour.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflywheel.domain.report_schedule import SEND_ACTION
from dataflywheel.flows._audit import audit
from dataflywheel.reports.friday import FridayReview
from dataflywheel.reports.monday import MondaySync
from dataflywheel.reports.monthly import MonthlyReview
from dataflywheel.reports.quarterly import QuarterlyFreeze
from dataflywheel.reports.wednesday import WednesdayInspection
from dataflywheel.store.tables.audit import AuditEntryRow



def period_of(report: BaseModel) -> str:
    """The period a report context covers, as its command names it: the ISO week of a weekly
    report, the month (`2026-11`) of a monthly review, the quarter of a quarterly freeze."""
    if isinstance(report, MondaySync | WednesdayInspection | FridayReview):
        return report.week
    if isinstance(report, MonthlyReview):
        return report.since.strftime("%Y-%m")
    if isinstance(report, QuarterlyFreeze):
        return report.quarter
    raise TypeError(f"not a cadence report: {type(report).__name__}")


def record_send(session: Session, *, actor: str, key: str, sha256: str,
                recipients: list[str]) -> None:
    """Append the `report.send` entry of the report sent under `key` (in the caller's
    transaction, with its notices)."""
    audit(session, actor=actor, action=SEND_ACTION, kind="report", record_id=key, before=None,
          after={"sha256": sha256, "recipients": recipients})


def last_sends(session: Session, since: datetime) -> dict[str, datetime]:
    """The time of the latest send of each send key, among the sends at or after `since`."""
    rows = session.execute(
        select(AuditEntryRow.record_id, func.max(AuditEntryRow.at))
        .where(AuditEntryRow.action == SEND_ACTION, AuditEntryRow.record_kind == "report",
               AuditEntryRow.at >= since)
        .group_by(AuditEntryRow.record_id))
    return {key: at for key, at in rows}


def sent_since(session: Session, key: str, moment: datetime) -> bool:
    """Whether the report of send key `key` was sent at or after `moment`."""
    found = session.scalar(
        select(func.count()).select_from(AuditEntryRow)
        .where(AuditEntryRow.action == SEND_ACTION, AuditEntryRow.record_kind == "report",
               AuditEntryRow.record_id == key, AuditEntryRow.at >= moment))
    return bool(found)


def first_record_at(session: Session) -> datetime | None:
    """When the workspace's first record was written (its first audit entry), if any."""
    return session.scalar(select(func.min(AuditEntryRow.at)))
