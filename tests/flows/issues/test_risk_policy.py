"""Table 24-19 as a pure policy: deadlines per tier (clock hours, business days, time zones),
the "next cycle", escalation levels, and the tiering of failed deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.policies.risk import (
    EscalationLevel,
    deadlines_for,
    end_of_next_cycle,
    escalation_due,
    escalation_timer,
    parse_severity,
    tier_for_failed_batch,
)
from dataflywheel.domain.records.data import DatasetPurpose
from dataflywheel.domain.records.issue import DiscoverySource, Issue, Severity
from dataflywheel.domain.states import IssueState
from dataflywheel.errors import BadInput

UTC_CAL = BusinessCalendar()
SHANGHAI = BusinessCalendar(timezone="Asia/Shanghai", holidays=frozenset({date(2026, 12, 1)}))
WED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_p0_and_p1_use_clock_hours() -> None:
    p0 = deadlines_for(Severity.P0, WED, UTC_CAL)
    assert (p0.respond_by, p0.remediate_by) == (WED + timedelta(minutes=15), WED + timedelta(hours=24))
    p1 = deadlines_for(Severity.P1, WED, UTC_CAL)
    assert (p1.respond_by, p1.remediate_by) == (WED + timedelta(hours=4), WED + timedelta(hours=48))


def test_p2_counts_business_days_in_the_calendar_zone_and_skips_holidays() -> None:
    friday_evening_shanghai = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
    d = deadlines_for(Severity.P2, friday_evening_shanghai, SHANGHAI)
    assert d.respond_by == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 17:00 Shanghai
    # Tue 1 Dec is a holiday: Mon, Wed, Thu, Fri, Mon → Monday 7 Dec
    assert d.remediate_by == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_p3_next_cycle_is_the_end_of_next_iso_week_in_the_calendar_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # already Monday in Shanghai
    assert end_of_next_cycle(sunday_night_utc, UTC_CAL) == datetime(2026, 12, 6, 23, 59, 59, tzinfo=UTC)
    assert end_of_next_cycle(sunday_night_utc, SHANGHAI) == datetime(2026, 12, 13, 15, 59, 59,
                                                                     tzinfo=UTC)
    d = deadlines_for(Severity.P3, WED, UTC_CAL)
    assert d.respond_by == d.remediate_by == datetime(2026, 12, 6, 23, 59, 59, tzinfo=UTC)


@given(st.sampled_from(list(Severity)),
       st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                    timezones=st.just(UTC)))
def test_deadlines_never_precede_opening_and_remediation_never_precedes_response(
        severity: Severity, opened: datetime) -> None:
    d = deadlines_for(severity, opened, SHANGHAI)
    assert opened < d.respond_by <= d.remediate_by


def test_unknown_severity_and_naive_time_are_refused() -> None:
    with pytest.raises(BadInput) as err:
        parse_severity("P4")
    assert str(err.value) == "unknown severity 'P4'; field 'severity'; expected one of P0, P1, P2, P3"
    assert parse_severity(" p1 ") is Severity.P1
    with pytest.raises(BadInput, match="opened_at must carry a time zone"):
        deadlines_for(Severity.P1, datetime(2026, 1, 1), UTC_CAL)


def _issue(severity: Severity, state: IssueState = IssueState.NEW, level: int = 0) -> Issue:
    d = deadlines_for(severity, WED, UTC_CAL)
    return Issue(id="ISS-0001", title="t", severity=severity, source=DiscoverySource.MANUAL,
                 state=state, opened_at=WED, respond_by=d.respond_by, remediate_by=d.remediate_by,
                 owner_id="o" if state is IssueState.ASSIGNED else None, escalation_level=level)


@pytest.mark.parametrize(("severity", "state", "after", "level"), [
    (Severity.P1, IssueState.NEW, timedelta(hours=3), EscalationLevel.OWNER),
    (Severity.P1, IssueState.NEW, timedelta(hours=5), EscalationLevel.TEAM_LEAD),
    (Severity.P1, IssueState.ACKNOWLEDGED, timedelta(hours=5), EscalationLevel.OWNER),
    (Severity.P1, IssueState.ASSIGNED, timedelta(hours=49), EscalationLevel.DATA_OWNER),
    (Severity.P1, IssueState.ASSIGNED, timedelta(days=30), EscalationLevel.DATA_OWNER),
    (Severity.P0, IssueState.ASSIGNED, timedelta(hours=25), EscalationLevel.DATA_OWNER),
    (Severity.P0, IssueState.NEW, timedelta(hours=49), EscalationLevel.DECISION_COMMITTEE),
    (Severity.P0, IssueState.RESOLVED, timedelta(hours=49), EscalationLevel.OWNER),
])
def test_escalation_levels(severity: Severity, state: IssueState, after: timedelta,
                           level: EscalationLevel) -> None:
    assert escalation_due(_issue(severity, state), WED + after) is level


@pytest.mark.parametrize(("severity", "state", "after", "due", "upcoming"), [
    (Severity.P0, IssueState.NEW, timedelta(minutes=5), 0, (1, timedelta(minutes=15))),
    (Severity.P0, IssueState.NEW, timedelta(hours=1), 1, (2, timedelta(hours=24))),
    (Severity.P0, IssueState.ASSIGNED, timedelta(hours=25), 2, (3, timedelta(hours=48))),
    (Severity.P0, IssueState.ASSIGNED, timedelta(hours=49), 3, None),
    (Severity.P1, IssueState.ACKNOWLEDGED, timedelta(hours=1), 0, (2, timedelta(hours=48))),
    (Severity.P1, IssueState.ASSIGNED, timedelta(hours=49), 2, None),
    (Severity.P1, IssueState.RESOLVED, timedelta(hours=1), 0, None),
])
def test_escalation_timer_names_the_next_deadline(
        severity: Severity, state: IssueState, after: timedelta, due: int,
        upcoming: tuple[int, timedelta] | None) -> None:
    issue = _issue(severity, state)
    clock = escalation_timer(issue, WED + after)
    assert clock.due_level == due == escalation_due(issue, WED + after)
    assert clock.level == 0 and clock.remediate_by == issue.remediate_by
    if upcoming is None:
        assert (clock.next_level, clock.next_at) == (None, None)
    else:
        assert (clock.next_level, clock.next_at) == (upcoming[0], WED + upcoming[1])
        assert escalation_due(issue, clock.next_at + timedelta(seconds=1)) == upcoming[0]


def test_escalation_never_goes_down() -> None:
    issue = _issue(Severity.P2, IssueState.ACKNOWLEDGED, level=2)
    assert escalation_due(issue, WED) is EscalationLevel.DATA_OWNER


@pytest.mark.parametrize(("share", "purpose", "tier"), [
    (0.11, "training", Severity.P1),   # the chapter's example: > 10 % in a formal training set
    (0.10, "training", Severity.P2),
    (0.31, "training", Severity.P0),
    (0.02, "training", Severity.P3),
    (0.06, "evaluation", Severity.P0),
    (0.02, "evaluation", Severity.P1),
    (0.001, "evaluation", Severity.P2),
    (0.0, "evaluation", Severity.P3),
    (0.5, "exploration", Severity.P2),
    (0.2, "exploration", Severity.P3),
])
def test_failed_batch_tiers(share: float, purpose: str, tier: Severity) -> None:
    assert tier_for_failed_batch(share, purpose) is tier


def test_pii_and_contamination_raise_the_floor() -> None:
    assert tier_for_failed_batch(0.0, DatasetPurpose.EXPLORATION, pii=True) is Severity.P1
    assert tier_for_failed_batch(0.0, DatasetPurpose.EVALUATION, contamination=True) is Severity.P0
    assert tier_for_failed_batch(0.0, DatasetPurpose.TRAINING, contamination=True) is Severity.P1
    assert tier_for_failed_batch(0.5, DatasetPurpose.TRAINING, pii=True) is Severity.P0


@given(st.floats(0, 1), st.floats(0, 1), st.sampled_from(list(DatasetPurpose)))
def test_more_nonconforming_records_never_lower_the_tier(a: float, b: float,
                                                         purpose: DatasetPurpose) -> None:
    low, high = sorted((a, b))
    assert tier_for_failed_batch(high, purpose).value <= tier_for_failed_batch(low, purpose).value


def test_failed_batch_bad_input() -> None:
    with pytest.raises(BadInput) as err:
        tier_for_failed_batch(1.5, "training")
    assert str(err.value) == ("the share of non-conforming records must be between 0 and 1; field "
                              "'nonconforming_share'; expected 0.0 … 1.0; got 1.5")
    with pytest.raises(BadInput) as err:
        tier_for_failed_batch(0.2, "marketing")
    assert str(err.value) == ("unknown dataset purpose 'marketing'; field 'purpose'; expected one of "
                              "training, evaluation, exploration")
