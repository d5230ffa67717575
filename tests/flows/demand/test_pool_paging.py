"""The Demand Pool and the Issue Pool a page at a time (`flywheel requirements list`, `flywheel
issues list`): the database sorts and pages on the policy's key (`REQUIREMENT_ORDER`,
`ISSUE_ORDER`, a NULL deadline last), so the pages put together are exactly the in-memory order
of `requirement_order` / `issue_order`, no row is skipped or repeated while others insert, and a
cursor that is not one of these lists exits 2. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import cycle
from typing import Any

import pytest

from dataflywheel.domain.policies.ordering import issue_order, requirement_order
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.demand.requirements import (
    list_requirements,
    requirements,
    submit_requirement,
)
from dataflywheel.flows.issues.lifecycle import issues, list_issues, open_issue
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import encode_cursor

T0 = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
# Few distinct values, so that tiers, deadlines (NULL among them) and ages tie and the id decides.
DEADLINES = [None, T0 + timedelta(days=3), T0 + timedelta(days=9), None,
             T0 + timedelta(days=3, microseconds=7)]
AGES = [T0, T0 - timedelta(hours=1), T0]
# Remediation deadlines may only tighten Table 24-19's, so the issues' are minutes away.
FIXES = [None, T0 + timedelta(minutes=10), T0 + timedelta(minutes=30), None,
         T0 + timedelta(minutes=10, microseconds=7)]


def _requirement(ws: Workspace, priority: str, deadline: datetime | None, now: datetime) -> str:
    return submit_requirement(ws, title=f"{priority} work", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority(priority), deadline=deadline, now=now).id


def _issue(ws: Workspace, severity: str, remediate_by: datetime | None, now: datetime) -> str:
    return open_issue(ws, title=f"{severity} problem", severity=severity, source="manual",
                      project_id="P-TEST", remediate_by=remediate_by, now=now).id


def _seed_requirements(ws: Workspace, n: int, start: int = 0) -> list[str]:
    tiers, deadlines, ages = cycle("P2 P0 P1".split()), cycle(DEADLINES), cycle(AGES)
    made = []
    for i in range(start + n):
        tier, deadline, age = next(tiers), next(deadlines), next(ages)
        if i >= start:
            made.append(_requirement(ws, tier, deadline, age))
    return made


def _seed_issues(ws: Workspace, n: int) -> list[str]:
    tiers, deadlines, ages = cycle("P3 P1 P2 P0".split()), cycle(FIXES), cycle(AGES)
    return [_issue(ws, next(tiers), next(deadlines), next(ages)) for _ in range(n)]


def _page_through(listing: Callable[[], Any], limit: int,
                  between: Callable[[int], object] = lambda turn: None) -> list[str]:
    """The ids of every page of `listing()` put together, `between(turn)` run after each page
    (others inserting); each page counts what follows it."""
    seen: list[str] = []
    cursor = None
    for turn in range(1000):
        page = listing().page(limit, cursor)
        seen += [r.id for r in page.items]
        if page.next_cursor is None:
            assert page.remaining == 0
            return seen
        assert page.remaining is not None and page.remaining > 0
        cursor = page.next_cursor
        between(turn)
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_requirement_pages_are_the_policy_order(team: Workspace, limit: int) -> None:
    _seed_requirements(team, 23)
    in_memory = [r.id for r in list_requirements(team)]  # sorted in Python by the policy
    assert len(in_memory) == 23
    assert _page_through(lambda: requirements(team), limit) == in_memory
    assert requirements(team).page(limit).remaining == 23 - min(limit, 23)
    assert [r.id for r in requirements(team).stream()] == in_memory


def test_issue_pages_are_the_policy_order_with_and_without_filters(team: Workspace) -> None:
    _seed_issues(team, 19)
    assert _page_through(lambda: issues(team), 3) == [i.id for i in list_issues(team)]
    assert _page_through(lambda: issues(team, severity="P2"), 2) == [
        i.id for i in list_issues(team, severity="P2")]
    assert _page_through(lambda: issues(team, state="new", project_id="P-TEST"), 5) == [
        i.id for i in list_issues(team, state="new", project_id="P-TEST")]


def test_no_requirement_is_skipped_or_repeated_while_others_insert(team: Workspace) -> None:
    """Between pages, requirements land before the cursor (P0, early deadline), after it (P2,
    no deadline) and among the ties (same tier, deadline and age): every requirement that was
    there at the start is seen once, and what is seen is in the policy's order."""
    original = _seed_requirements(team, 15)

    def others_insert(turn: int) -> None:
        _requirement(team, "P0", DEADLINES[1], T0)
        _requirement(team, "P2", None, T0 + timedelta(minutes=turn))
        _seed_requirements(team, 1, start=turn % 5)

    seen = _page_through(lambda: requirements(team), 2, others_insert)
    assert len(seen) == len(set(seen)), "a requirement was repeated"
    assert set(original) <= set(seen), "a requirement was skipped"
    by_id = {r.id: r for r in list_requirements(team)}
    assert seen == sorted(seen, key=lambda i: requirement_order(by_id[i]))


def test_no_issue_is_skipped_or_repeated_while_others_insert(team: Workspace) -> None:
    original = _seed_issues(team, 12)

    def others_insert(turn: int) -> None:
        _issue(team, "P0", None, T0)
        _issue(team, ["P1", "P2", "P3"][turn % 3], FIXES[turn % 5], AGES[turn % 3])

    seen = _page_through(lambda: issues(team), 3, others_insert)
    assert len(seen) == len(set(seen)), "an issue was repeated"
    assert set(original) <= set(seen), "an issue was skipped"
    by_id = {i.id: i for i in list_issues(team)}
    assert seen == sorted(seen, key=lambda i: issue_order(by_id[i]))


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    encode_cursor(["REQ-0001"]),  # a cursor of a list by id
    encode_cursor(["P1", "2026-11-26T09:30:00", "2026-11-23T09:30:00+00:00", "REQ-0001"]),  # naive
    encode_cursor(["P1", None, None, "REQ-0001"]),  # created_at is never NULL
    encode_cursor(["P1", None, "yesterday", "REQ-0001"]),
])
def test_a_cursor_that_is_not_one_of_the_pool_is_refused(team: Workspace, cursor: str) -> None:
    with pytest.raises(BadInput, match="not a cursor of this list"):
        requirements(team).page(5, cursor)


def test_the_cli_pages_the_pools_and_a_bad_cursor_exits_2(team: Workspace, cli: Any) -> None:
    _seed_requirements(team, 5)
    _seed_issues(team, 4)
    for group, listed in (("requirements", list_requirements(team)), ("issues", list_issues(team))):
        first = cli(group, "list", "--json", "--limit", "3")
        assert first.code == 0 and f"more: flywheel {group} list --limit 3 --json --cursor" in (
            first.err)
        rest = cli(group, "list", "--json", "--limit", "3", "--cursor",
                   first.err.split("--cursor ")[-1].strip())
        assert rest.code == 0 and rest.err == ""
        assert [r["id"] for r in first.json() + rest.json()] == [r.id for r in listed]
        streamed = cli(group, "list", "--all", "--json").out.splitlines()
        assert len(streamed) == len(listed)
        bad = cli(group, "list", "--cursor", "WyJSRVEtMDAwMSJd")
        assert bad.code == 2 and "not a cursor of this list" in bad.err
        assert "Traceback" not in bad.err
