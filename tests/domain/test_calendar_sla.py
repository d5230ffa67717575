"""Business days, time zones and the SLA clocks of Table 24-13, with fixed clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.policies.sla import missing_for_triage, sla_due, sla_status
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.states import RequirementState

FRIDAY_5PM_SHANGHAI = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 in Asia/Shanghai


def _req(priority: str, kind: str, created: datetime, **kw: object) -> Requirement:
    return Requirement(id="REQ-0001", title="t", project_id="P", requester_id="a",
                       priority=Priority(priority), kind=RequirementKind(kind), created_at=created,
                       updated_at=created, **kw)


def test_business_days_skip_weekends_and_holidays_in_the_local_zone() -> None:
    cal = BusinessCalendar(timezone="Asia/Shanghai", holidays=frozenset({date(2026, 11, 30)}))
    due = cal.add_business_days(FRIDAY_5PM_SHANGHAI, 3)
    # Fri 27 → (Sat, Sun skipped, Mon 30 holiday) Tue 1, Wed 2, Thu 3 Dec, 17:00 local
    assert due == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert cal.business_days_between(FRIDAY_5PM_SHANGHAI, due) == 3


def test_the_same_instant_is_another_day_in_another_zone() -> None:
    instant = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday in UTC, Saturday 04:00 in Shanghai
    assert BusinessCalendar(timezone="UTC").add_business_days(instant, 1) == \
        datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    # Saturday in Shanghai: counting starts Monday 09:00 local, one business day later is Tuesday.
    assert BusinessCalendar(timezone="Asia/Shanghai").add_business_days(instant, 1) == \
        datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_unknown_zone_and_empty_week_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        BusinessCalendar(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="workdays must be a non-empty set"):
        BusinessCalendar(workdays=frozenset())


@pytest.mark.parametrize(("priority", "kind", "expected"), [
    ("P0", "new_data", timedelta(hours=24)),
    ("P0", "annotation", timedelta(hours=48)),
    ("P0", "remediation", timedelta(hours=24)),
    ("P1", "remediation", timedelta(days=14)),
    ("P2", "remediation", timedelta(days=14)),
])
def test_clock_hour_slas(priority: str, kind: str, expected: timedelta) -> None:
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert sla_due(_req(priority, kind, start), BusinessCalendar()) - start == expected


@pytest.mark.parametrize(("priority", "kind", "due_day"), [
    ("P1", "new_data", 2),   # Fri + 3 business days = Wed 2 Dec
    ("P1", "annotation", 4),  # Fri + 5 = Fri 4 Dec
    ("P2", "new_data", 4),
    ("P2", "exploration", 4),
])
def test_business_day_slas(priority: str, kind: str, due_day: int) -> None:
    start = datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert sla_due(_req(priority, kind, start), BusinessCalendar()) == \
        datetime(2026, 12, due_day, 10, tzinfo=UTC)


def test_breach_and_p0_escalation_rule() -> None:
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    req = _req("P0", "annotation", start, state=RequirementState.IN_PROGRESS)
    cal = BusinessCalendar()
    at_47h = sla_status(req, cal, start + timedelta(hours=47))
    assert not at_47h.breached and not at_47h.escalate_to_data_owner
    at_49h = sla_status(req, cal, start + timedelta(hours=49))
    assert at_49h.breached and at_49h.escalate_to_data_owner and at_49h.overdue_by_hours == 1.0
    delivered = sla_status(req, cal, start + timedelta(hours=60), delivered_at=start + timedelta(hours=30))
    assert not delivered.breached and not delivered.escalate_to_data_owner


def test_monday_rule_names_what_is_missing() -> None:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    assert missing_for_triage(_req("P1", "new_data", start)) == [
        "acceptance criteria", "target metric", "Accountable person", "deadline"]
    assert missing_for_triage(_req("P1", "new_data", start, acceptance_criteria="x",
                                   target_metric="y", accountable_id="a",
                                   deadline=start + timedelta(days=3))) == []
