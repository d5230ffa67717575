"""When each cadence report falls due (Table 24-11), in the workspace's time zone.

A report falls due once per period, at the start of a local day:
- the Monday sync of a week on that week's Monday, the Wednesday inspection on its Wednesday, the
  Friday post-mortem on its Friday (the meeting's day: the report is its input, so it is in the
  inbox before the meeting);
- the monthly review of a month on the first day of the next (its period has closed);
- the quarterly freeze of a quarter on the first day of the next quarter.

Pure: the schedule is a function of (since, now, zone), so a run that missed days (a laptop
asleep) finds every report that fell due meanwhile, and the same bounds give the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dataflywheel.domain.calendar import iso_week, week_monday

SEND_ACTION = "report.send"
"""The audit action that records a cadence report's send (`flows.report_sends`)."""

REPORTS = ("monday", "wednesday", "friday", "monthly", "quarterly")
"""The cadence reports in the order Table 24-11 lists them (also the order of a due list's ties)."""

WEEKDAY_OF = {"monday": 0, "wednesday": 2, "friday": 4}
"""The weekday (0 = Monday) on which each weekly report falls due."""

PERIOD_OPTION = {"monday": "--week", "wednesday": "--week", "friday": "--week",
                 "monthly": "--month", "quarterly": "--quarter"}
"""The `flywheel report NAME` option that names a report's period."""


@dataclass(frozen=True)
class DueReport:
    """Report `report` of `period` (`2026-W48`, `2026-11`, `2026-Q4`), due from `due_at` (UTC)."""

    report: str
    period: str
    due_at: datetime

    @property
    def key(self) -> str:
        """The team-wide send key of this report and period (`send_key`)."""
        return send_key(self.report, self.period)

    @property
    def command(self) -> str:
        """The command that regenerates it."""
        return f"flywheel report {self.report} {PERIOD_OPTION[self.report]} {self.period}"


def send_key(report: str, period: str, project: str | None = None) -> str:
    """What a send of `report` for `period` (and `project`, if one) is recorded under:
    `monday 2026-W48`, `monthly 2026-11 P-K12`."""
    return " ".join(part for part in (report, period, project) if part)


def falls_due(since: datetime, now: datetime, zone: ZoneInfo) -> list[DueReport]:
    """Every report that fell due in [since, now] (aware datetimes), earliest first; reports due
    at the same moment in `REPORTS` order."""
    first, last = since.astimezone(zone).date(), now.astimezone(zone).date()
    found: list[DueReport] = []
    day = first
    while day <= last:
        found += _due_on(day, zone)
        day += timedelta(days=1)
    order = {name: i for i, name in enumerate(REPORTS)}
    return sorted((d for d in found if since <= d.due_at <= now),
                  key=lambda d: (d.due_at, order[d.report]))


def _due_on(day: date, zone: ZoneInfo) -> list[DueReport]:
    """The reports that fall due at the start of local `day`."""
    at = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    due = [DueReport(name, iso_week(datetime.combine(day, time(0))), at)
           for name, weekday in WEEKDAY_OF.items() if day.weekday() == weekday]
    if day.day == 1:
        closed = day - timedelta(days=1)
        due.append(DueReport("monthly", closed.strftime("%Y-%m"), at))
        if day.month in (1, 4, 7, 10):
            due.append(DueReport("quarterly", f"{closed.year}-Q{(closed.month - 1) // 3 + 1}", at))
    return due


def period_start(period: str) -> date:
    """The first day of a report period as a send key names it: the Monday of an ISO week
    (`2026-W48`), the first of a month (`2026-11`) or of a quarter (`2026-Q4`); `ValueError`
    for anything else."""
    expected = f"not a report period: {period!r} (expected 2026-W48, 2026-11 or 2026-Q4)"
    if "-W" in period:
        try:
            return week_monday(period)
        except ValueError:
            raise ValueError(expected) from None
    year, sep, part = period.partition("-")
    if sep and year.isdigit() and part.startswith("Q") and part[1:] in ("1", "2", "3", "4"):
        return date(int(year), 3 * int(part[1:]) - 2, 1)
    if sep and year.isdigit() and part.isdigit() and 1 <= int(part) <= 12:
        return date(int(year), int(part), 1)
    raise ValueError(expected)
