"""The contract's delivery schedule ("weekly, friday 18:00 Asia/Shanghai"): the deadline of the
period a batch arrives in, and whether it arrived after it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dataflywheel.domain.policies.delivery_schedule import delivery_deadline
from dataflywheel.domain.records.contract import DeliverySla

FRIDAY = DeliverySla(cadence="weekly", weekday="friday", time="18:00", timezone="Asia/Shanghai")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("received", "late"), [
    (_utc(2026, 11, 23, 1, 0), False),   # Monday 09:00 Shanghai
    (_utc(2026, 11, 27, 9, 59), False),  # Friday 17:59 Shanghai
    (_utc(2026, 11, 27, 10, 0), False),  # Friday 18:00 sharp
    (_utc(2026, 11, 27, 10, 1), True),   # Friday 18:01 Shanghai
    (_utc(2026, 11, 28, 3, 0), True),    # Saturday
    (_utc(2026, 11, 29, 15, 59), True),  # Sunday 23:59 Shanghai, still that week
    (_utc(2026, 11, 29, 16, 0), False),  # Monday 00:00 Shanghai: the next week
])
def test_weekly_friday_18_00_in_shanghai(received: datetime, late: bool) -> None:
    deadline = delivery_deadline(FRIDAY, received)
    assert deadline is not None
    week_of = received.astimezone(deadline.tzinfo)
    assert (received > deadline) is late, (week_of, deadline)
    assert deadline.weekday() == 4 or deadline.astimezone(UTC).weekday() == 4


def test_the_deadline_is_friday_10_00_utc() -> None:
    assert delivery_deadline(FRIDAY, _utc(2026, 11, 25, 12, 0)) == _utc(2026, 11, 27, 10, 0)


def test_daily_monthly_and_once() -> None:
    daily = DeliverySla(cadence="daily", time="09:30", timezone="UTC")
    assert delivery_deadline(daily, _utc(2026, 11, 25, 9, 31)) == _utc(2026, 11, 25, 9, 30)
    monthly = DeliverySla(cadence="monthly", time="18:00", timezone="UTC")
    assert delivery_deadline(monthly, _utc(2026, 2, 3)) == _utc(2026, 2, 28, 18, 0)
    last_friday = DeliverySla(cadence="monthly", weekday="friday", time="18:00", timezone="UTC")
    assert delivery_deadline(last_friday, _utc(2026, 11, 3)) == _utc(2026, 11, 27, 18, 0)
    weekly_no_day = DeliverySla(cadence="weekly", time="12:00", timezone="UTC")
    assert delivery_deadline(weekly_no_day, _utc(2026, 11, 25)) == _utc(2026, 11, 29, 12, 0)
    assert delivery_deadline(DeliverySla(cadence="once"), _utc(2026, 11, 25)) is None


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="an IANA time zone name such as Asia/Shanghai or UTC, "
                       "not 'Mars/Olympus'"):
        DeliverySla(timezone="Mars/Olympus")
