"""Scheduled cadence reports on both backends: the reports due between two moments and not sent,
each sent once to Table 24-11's participants; a missed run catches up; a second run, or two at
once, sends nothing twice; a send before the period closed does not count; a report that reached
nobody is not retried; bad bounds are refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from dataflywheel.errors import BadInput
from dataflywheel.flows.cadence_schedule import due_reports, parse_moment, send_due
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.workspace import Workspace

# Friday 2026-11-27 (W48) to Wednesday 2026-12-02 (W49), UTC: the Friday post-mortem of W48, the
# Monday sync of W49, November's review (December 1st) and the Wednesday inspection of W49.
SINCE = datetime(2026, 11, 27, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
TEAM = ["algorithm-engineer", "annotation-engineer", "data-engineer", "data-owner",
        "legal-compliance", "platform-engineer", "quality-evaluator"]


def _report_notices(ws: Workspace) -> list[tuple[str, str]]:
    return sorted((n.subject, n.to_person_id) for n in inbox(ws) if n.kind == "report")


def test_lists_the_reports_due_and_not_sent(team: Workspace) -> None:
    listed = due_reports(team, now=NOW, since=SINCE)
    assert [(d.report, d.period, d.due_at.day) for d in listed.due] == [
        ("friday", "2026-W48", 27), ("monday", "2026-W49", 30), ("monthly", "2026-11", 1),
        ("wednesday", "2026-W49", 2)]
    assert listed.due[2].command == "flywheel report monthly --month 2026-11"
    assert (listed.since, listed.now, listed.timezone) == (SINCE, NOW, "UTC")


def test_sends_each_due_report_once_to_its_participants(team: Workspace) -> None:
    result = send_due(team, now=NOW, since=SINCE)
    got = {(s.report, s.period): s.recipients for s in result.sent}
    everyone = sorted([*TEAM, "tester"])  # the monthly review goes to every active person
    assert got == {("friday", "2026-W48"): TEAM,  # the full data team: every role
                   ("monday", "2026-W49"): ["algorithm-engineer", "data-owner"],
                   ("monthly", "2026-11"): everyone,
                   ("wednesday", "2026-W49"): ["annotation-engineer", "quality-evaluator"]}
    assert not result.failed and not any(s.already_sent for s in result.sent)
    notices = _report_notices(team)
    assert len(notices) == 7 + 2 + 8 + 2
    assert ("Monday requirement sync — 2026-W49", "data-owner") in notices
    body = next(n.body for n in inbox(team, "data-owner") if "2026-W49" in n.subject)
    assert body.endswith("regenerate with flywheel report monday --week 2026-W49")

    assert due_reports(team, now=NOW, since=SINCE).due == []  # a query: nothing left
    again = send_due(team, now=NOW, since=SINCE)
    assert again.sent == [] and _report_notices(team) == notices


def test_a_missed_run_catches_up_and_sends_only_what_is_new(team: Workspace) -> None:
    first = send_due(team, now=datetime(2026, 11, 30, 1, tzinfo=UTC), since=SINCE)
    assert [(s.report, s.period) for s in first.sent] == [("friday", "2026-W48"),
                                                         ("monday", "2026-W49")]
    # the machine slept through Tuesday and Wednesday morning
    later = send_due(team, now=NOW, since=SINCE)
    assert [(s.report, s.period) for s in later.sent] == [("monthly", "2026-11"),
                                                         ("wednesday", "2026-W49")]
    assert len(_report_notices(team)) == 7 + 2 + 8 + 2


def test_two_runs_at_once_send_each_report_once(team: Workspace) -> None:
    results: list[object] = []

    def run() -> None:
        results.append(send_due(team, now=NOW, since=SINCE))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert len(_report_notices(team)) == 7 + 2 + 8 + 2  # not twice
    assert due_reports(team, now=NOW, since=SINCE).due == []


def test_a_send_before_the_period_closed_does_not_count(team: Workspace) -> None:
    from dataflywheel.flows.cadence import monthly_report, send

    month = datetime.now(UTC).strftime("%Y-%m")
    send(team, "monthly", monthly_report(team, month=month))  # this month, so far
    start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    closes = (start + timedelta(days=32)).replace(day=1)
    listed = due_reports(team, now=closes + timedelta(hours=1), since=closes)
    assert [(d.report, d.period) for d in listed.due if d.report == "monthly"] == [
        ("monthly", month)]


def test_a_report_that_reached_nobody_is_recorded_and_not_retried(ws: Workspace) -> None:
    # a fresh workspace: nobody holds the Monday sync's roles
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    sent = send_due(ws, now=monday + timedelta(hours=1), since=monday)
    assert [(s.report, s.recipients) for s in sent.sent] == [("monday", [])]
    assert due_reports(ws, now=monday + timedelta(hours=2), since=monday).due == []


def test_the_default_start_is_the_workspaces_first_record(team: Workspace) -> None:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with team.db.session() as s:
        first = s.scalar(select(func.min(AuditEntryRow.at)))
    listed = due_reports(team)
    assert listed.since == first
    with pytest.raises(BadInput) as caught:
        due_reports(team, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert str(caught.value).startswith(
        "the workspace's first record is after the end; field 'now'; expected a start at or "
        "before 2026-01-01T00:00:00+00:00; got ")


def test_bad_bounds_are_refused_and_nothing_is_sent(team: Workspace) -> None:
    with pytest.raises(BadInput) as caught:
        due_reports(team, now=SINCE, since=NOW)
    assert str(caught.value) == (
        "the start is after the end; field 'since'; expected a start at or before "
        "2026-11-27T00:00:00+00:00; got '2026-12-02T12:00:00+00:00'")
    ahead = datetime.now(UTC) + timedelta(days=2)
    with pytest.raises(BadInput) as caught:
        send_due(team, now=ahead, since=SINCE)
    assert str(caught.value) == (
        "a send cannot run ahead of the clock: the reports of periods that have not closed "
        f"would go out; field 'now'; expected a moment in the past (or no --now); got "
        f"'{ahead.isoformat()}'")
    assert _report_notices(team) == []


def test_moments_are_read_in_the_workspaces_time_zone() -> None:
    assert parse_moment("2026-12-07", field="--since", zone="Europe/Berlin") == \
        datetime(2026, 12, 6, 23, tzinfo=UTC)
    assert parse_moment("2026-12-07T08:00", field="--now", zone="Asia/Tokyo") == \
        datetime(2026, 12, 6, 23, tzinfo=UTC)
    assert parse_moment("2026-12-07T08:00+00:00", field="--now", zone="Asia/Tokyo") == \
        datetime(2026, 12, 7, 8, tzinfo=UTC)
    with pytest.raises(BadInput) as caught:
        parse_moment("next monday", field="--now", zone="UTC")
    assert str(caught.value) == ("not an ISO date or date-time; field '--now'; expected e.g. "
                                 "2026-12-07 or 2026-12-07T08:00:00+01:00; got 'next monday'")


def test_moments_outside_the_calendar_and_windows_too_wide_are_refused(team: Workspace) -> None:
    with pytest.raises(BadInput) as caught:
        parse_moment("0001-01-01", field="--since", zone="Asia/Tokyo")
    assert str(caught.value) == ("a moment outside the reports' calendar; field '--since'; "
                                 "expected a year from 1900 to 9997; got '0001-01-01'")
    # 3653 days before NOW: 3650 + the leap days of 2020 and 2024 + one
    with pytest.raises(BadInput) as caught:
        due_reports(team, now=NOW, since=datetime(2016, 12, 1, tzinfo=UTC))
    assert str(caught.value) == (
        "the window is wider than ten years: a mistyped date?; field 'since'; expected a start "
        "after 2016-12-01T12:00:00+00:00; got '2016-12-01T00:00:00+00:00'")
