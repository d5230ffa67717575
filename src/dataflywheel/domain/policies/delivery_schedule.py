"""When a contract's deliveries are due, and which batches came late.

A contract's SLA says when each period's batch is due: "weekly, friday 18:00 Asia/Shanghai" (the
chapter's "current-week batch delivered by 18:00 every Friday"). A batch belongs to the period it
is received in, in the contract's time zone — the day (daily), the Monday-to-Sunday week (weekly),
the calendar month (monthly) — and is late when it arrives after that period's deadline: the
period's `weekday` (weekly; Sunday when none is given; monthly: the last such weekday of the month,
else the month's last day) at `time`. A `once` delivery has no recurring deadline, so no batch of
it is late by the schedule (its requirement's own SLA clock still applies).
Pure: no I/O, no clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from dataflywheel.domain.records.contract import DeliverySla
from dataflywheel.domain.records.data import Batch

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class LateDelivery(BaseModel):
    """One batch received after its period's deadline under its contract's schedule."""

    model_config = ConfigDict(frozen=True)

    batch_id: str
    received_at: datetime
    deadline: datetime
    contract_version_id: str
    schedule: str

    def describe(self) -> str:
        return (f"{self.batch_id} received {self.received_at.isoformat()} after its deadline "
                f"{self.deadline.isoformat()} ({self.contract_version_id}: {self.schedule})")


def describe_schedule(sla: DeliverySla) -> str:
    """`weekly friday 18:00 Asia/Shanghai`, as the contract writes it."""
    return " ".join(p for p in (sla.cadence, sla.weekday, sla.time, sla.timezone) if p)


def delivery_deadline(sla: DeliverySla, received_at: datetime) -> datetime | None:
    """The deadline of the period `received_at` falls in (an aware datetime in the contract's
    zone), or None for a `once` delivery."""
    zone = ZoneInfo(sla.timezone)
    local = received_at.astimezone(zone).date()
    day = _due_day(sla, local)
    if day is None:
        return None
    hours, minutes = (int(p) for p in sla.time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)


def _due_day(sla: DeliverySla, local: date) -> date | None:
    if sla.cadence == "daily":
        return local
    if sla.cadence == "weekly":
        monday = local - timedelta(days=local.weekday())
        return monday + timedelta(days=WEEKDAYS.index(sla.weekday or "sunday"))
    if sla.cadence == "monthly":
        last = local.replace(day=calendar.monthrange(local.year, local.month)[1])
        if sla.weekday is None:
            return last
        return last - timedelta(days=(last.weekday() - WEEKDAYS.index(sla.weekday)) % 7)
    return None


def late_deliveries(batches: Iterable[Batch],
                    schedules: Mapping[str, DeliverySla | None]) -> list[LateDelivery]:
    """The batches received after their deadline; `schedules` maps each batch's contract version
    to its SLA (None: the contract sets no schedule, so nothing is late by it)."""
    late: list[LateDelivery] = []
    for batch in sorted(batches, key=lambda b: (b.received_at, b.id)):
        sla = schedules.get(batch.contract_version_id)
        deadline = None if sla is None else delivery_deadline(sla, batch.received_at)
        if sla is not None and deadline is not None and batch.received_at > deadline:
            late.append(LateDelivery(
                batch_id=batch.id, received_at=batch.received_at,
                deadline=deadline.astimezone(batch.received_at.tzinfo),
                contract_version_id=batch.contract_version_id, schedule=describe_schedule(sla)))
    return late
