"""When each cadence report falls due (Table 24-11), worked out by hand on a calendar: the weekly
reports on their weekday, the monthly review after its month, the quarterly freeze after its
quarter, at the start of the local day, within [since, now]."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dataflywheel.domain.report_schedule import DueReport, falls_due, send_key

UTC_ZONE = ZoneInfo("UTC")


def _names(due: list[DueReport]) -> list[tuple[str, str, str]]:
    return [(d.report, d.period, d.due_at.strftime("%Y-%m-%d %H:%M")) for d in due]


def test_the_weeks_and_the_month_that_closed_between_two_moments() -> None:
    # 2026-09-25 is a Friday (W39); 2026-10-01 a Thursday: September and Q3 closed at its start.
    due = falls_due(datetime(2026, 9, 25, tzinfo=UTC), datetime(2026, 10, 2, 12, tzinfo=UTC),
                    UTC_ZONE)
    assert _names(due) == [
        ("friday", "2026-W39", "2026-09-25 00:00"),
        ("monday", "2026-W40", "2026-09-28 00:00"),
        ("wednesday", "2026-W40", "2026-09-30 00:00"),
        ("monthly", "2026-09", "2026-10-01 00:00"),
        ("quarterly", "2026-Q3", "2026-10-01 00:00"),  # same moment: Table 24-11's order
        ("friday", "2026-W40", "2026-10-02 00:00"),
    ]
    assert due[0].command == "flywheel report friday --week 2026-W39"
    assert due[4].command == "flywheel report quarterly --quarter 2026-Q3"


def test_the_bounds_are_moments_not_days() -> None:
    # since 09:00 on Monday 2026-11-30: that Monday's sync fell due at 00:00, before it
    since = datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert _names(falls_due(since, datetime(2026, 12, 1, tzinfo=UTC), UTC_ZONE)) == [
        ("monthly", "2026-11", "2026-12-01 00:00")]  # `now` is inclusive
    assert falls_due(since, datetime(2026, 11, 30, 23, 59, tzinfo=UTC), UTC_ZONE) == []


def test_a_day_starts_in_the_workspaces_time_zone() -> None:
    # Tokyo is UTC+9: its Monday 2026-11-30 starts at 2026-11-29 15:00 UTC, its Wednesday at
    # Tuesday 15:00 UTC; December 1st (November closed) at 2026-11-30 15:00 UTC.
    tokyo = ZoneInfo("Asia/Tokyo")
    due = falls_due(datetime(2026, 11, 29, 12, tzinfo=UTC), datetime(2026, 12, 1, 16, tzinfo=UTC),
                    tokyo)
    assert [(d.report, d.period, d.due_at) for d in due] == [
        ("monday", "2026-W49", datetime(2026, 11, 29, 15, tzinfo=UTC)),
        ("monthly", "2026-11", datetime(2026, 11, 30, 15, tzinfo=UTC)),
        ("wednesday", "2026-W49", datetime(2026, 12, 1, 15, tzinfo=UTC)),
    ]


def test_the_iso_week_of_a_year_boundary() -> None:
    # Monday 2026-12-28 is in 2026-W53; Friday 2027-01-01 too (ISO weeks), and it closes
    # December and Q4.
    due = falls_due(datetime(2026, 12, 28, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                    UTC_ZONE)
    assert _names(due) == [
        ("monday", "2026-W53", "2026-12-28 00:00"),
        ("wednesday", "2026-W53", "2026-12-30 00:00"),
        ("friday", "2026-W53", "2027-01-01 00:00"),
        ("monthly", "2026-12", "2027-01-01 00:00"),
        ("quarterly", "2026-Q4", "2027-01-01 00:00"),
    ]


def test_send_keys_name_report_period_and_project() -> None:
    assert send_key("monday", "2026-W48") == "monday 2026-W48"
    assert send_key("monthly", "2026-11", "P-K12") == "monthly 2026-11 P-K12"
    assert DueReport("quarterly", "2026-Q4", datetime(2027, 1, 1, tzinfo=UTC)).key == \
        "quarterly 2026-Q4"


def test_a_period_begins_on_its_first_day_and_anything_else_is_refused() -> None:
    from datetime import date

    import pytest

    from dataflywheel.domain.report_schedule import period_start

    assert period_start("2026-W48") == date(2026, 11, 23)
    assert period_start("2026-11") == date(2026, 11, 1)
    assert period_start("2026-Q4") == date(2026, 10, 1)
    for bad in ("2026-13", "2026-Q5", "2026", "W48", "2026-W99"):
        with pytest.raises(ValueError, match="2026-W48"):
            period_start(bad)
