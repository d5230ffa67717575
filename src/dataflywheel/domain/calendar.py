"""A business-day calendar: which days count, in which time zone, for SLA clocks.

Deadlines of N business days keep the local time of day of their start; a start outside business
days counts from the next business day's opening. Everything returned is UTC.
"""

from __future__ import annotations

import re

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class BusinessCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "UTC"
    workdays: frozenset[int] = Field(default=frozenset({0, 1, 2, 3, 4}), description="0 = Monday")
    holidays: frozenset[date] = frozenset()
    opens: time = time(9, 0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("workdays")
    @classmethod
    def _some_workdays(cls, value: frozenset[int]) -> frozenset[int]:
        if not value or not value <= set(range(7)):
            raise ValueError("workdays must be a non-empty set of 0..6 (0 = Monday)")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.workdays and day not in self.holidays

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """`days` business days after `start` (aware), at the same local time of day."""
        local = start.astimezone(self.zone)
        if not self.is_business_day(local.date()):
            day = self._next_business_day(local.date())
            local = datetime.combine(day, self.opens, tzinfo=self.zone)
        day = local.date()
        for _ in range(days):
            day = self._next_business_day(day)
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.zone).astimezone(UTC)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Whole business days from `start`'s local date to `end`'s (exclusive of the start day)."""
        a, b = start.astimezone(self.zone).date(), end.astimezone(self.zone).date()
        sign = 1 if b >= a else -1
        a, b = min(a, b), max(a, b)
        count = sum(1 for n in range(1, (b - a).days + 1) if self.is_business_day(a + timedelta(n)))
        return sign * count

    def _next_business_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def iso_week(moment: datetime) -> str:
    """The ISO week of `moment` as the Demand Pool writes it (`2026-W48`)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


REPORT_YEARS = range(1900, 9999)
"""Years a report period may fall in: wide enough for any record, narrow enough that a period
and the weeks before it (a trend, the month before) stay inside the calendar's range."""


def week_monday(week: str) -> date:
    """The Monday of an ISO week `2026-W48` (years `REPORT_YEARS`); `ValueError` otherwise."""
    match = re.fullmatch(r"([0-9]{4})-W([0-9]{2})", week)
    if match is None or int(match.group(1)) not in REPORT_YEARS:
        raise ValueError(f"not an ISO week: {week!r} (expected e.g. 2026-W48)")
    return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
