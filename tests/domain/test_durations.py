"""One formatter for durations shown to people: whole units chosen by size, never a float of days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dataflywheel.domain.durations import ahead_of, humanize, relative, relative_day

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(("delta", "shown"), [
    (timedelta(seconds=1.4), "under a minute"),
    (timedelta(seconds=-0.0014), "under a minute"),
    (timedelta(seconds=60), "1 minute"),
    (timedelta(minutes=44, seconds=40), "45 minutes"),
    (timedelta(minutes=59), "59 minutes"),
    (timedelta(hours=1), "1 hour"),
    (timedelta(hours=36), "36 hours"),
    (timedelta(hours=47, minutes=50), "48 hours"),
    (timedelta(days=2), "2 days"),
    (timedelta(days=3, hours=11), "3 days"),
    (timedelta(days=13), "13 days"),
    (timedelta(days=14), "2 weeks"),
    (-timedelta(days=30), "4 weeks"),
    (timedelta(days=90), "3 months"),
    (timedelta(days=800), "2 years"),
])
def test_humanize_rounds_to_a_whole_unit(delta: timedelta, shown: str) -> None:
    assert humanize(delta) == shown


def test_relative_says_which_way() -> None:
    assert relative(timedelta(days=3)) == "in 3 days"
    assert relative(-timedelta(hours=2)) == "2 hours ago"
    assert relative(timedelta(seconds=-1.4)) == "now"


def test_relative_day_names_the_near_days() -> None:
    today = date(2026, 11, 23)
    assert [relative_day(today + timedelta(days=n), today) for n in (0, 1, -1, 3, -14)] == [
        "today", "tomorrow", "yesterday", "in 3 days", "2 weeks ago"]


def test_a_notice_sent_milliseconds_after_its_effect_has_no_lead_time() -> None:
    sent = T0 + timedelta(milliseconds=1.4)
    assert ahead_of(T0, sent) == "with no lead time"
    assert ahead_of(T0 + timedelta(days=14), T0) == "2 weeks ahead"
    assert ahead_of(T0, T0 + timedelta(hours=5)) == "5 hours late"


def test_a_breached_sla_says_how_late_in_words() -> None:
    from dataflywheel.domain.calendar import BusinessCalendar
    from dataflywheel.domain.policies.sla import sla_dimensions, sla_status
    from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind

    req = Requirement(id="REQ-0001", title="t", project_id="P", requester_id="a",
                      priority=Priority.P1, kind=RequirementKind.NEW_DATA, created_at=T0,
                      updated_at=T0)
    status = sla_status(req, BusinessCalendar(), T0 + timedelta(days=10))  # due Thursday 09:30
    [time] = sla_dimensions(status, batches=[], versions=[], members={})[:1]
    assert time.evidence == "7 days past due (2026-11-26T09:30:00+00:00)"
