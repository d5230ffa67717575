"""The Demand board's read: counts by state and priority, and a page with each row's SLA equal to
the one `lifecycle.requirement_sla` (the API's `/requirements/{id}/sla`) gives."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.demand.board import board_page, demand_counts
from dataflywheel.flows.demand.lifecycle import requirement_sla, triage
from dataflywheel.flows.demand.requirements import submit_requirement
from dataflywheel.flows.workspace import Workspace


def _submit(ws: Workspace, priority: str, *, complete: bool = True) -> str:
    fields = dict(acceptance_criteria="500 items", target_metric="geometry +3pt",
                  accountable_id="data-owner") if complete else {}
    return submit_requirement(ws, title=f"{priority} work", project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority(priority), deadline=utcnow() + timedelta(days=30),
                              **fields).id  # type: ignore[arg-type]


def test_counts_and_page_with_the_api_clock(team: Workspace) -> None:
    p2, p0, returned = _submit(team, "P2"), _submit(team, "P0"), _submit(team, "P1", complete=False)
    triage(team, returned)
    counts = demand_counts(team)
    assert counts.total == 3
    assert counts.by_state["submitted"] == {"P0": 1, "P1": 0, "P2": 1}
    assert counts.by_state["returned"]["P1"] == 1 and counts.of_state("returned") == 1
    assert demand_counts(team, project_id="P-NONE").total == 0
    now = utcnow()
    page = board_page(team, now=now)
    assert [row.requirement.id for row in page.items] == [p0, returned, p2]
    for row in page.items:
        assert row.sla == requirement_sla(team, row.requirement.id, now=now)
    assert page.items[1].requirement.returned_reason.startswith("incomplete: no acceptance")


def test_page_filters_and_cursor(team: Workspace) -> None:
    ids = [_submit(team, "P1") for _ in range(3)]
    first = board_page(team, priority="P1", limit=2)
    assert [r.requirement.id for r in first.items] == ids[:2] and first.remaining == 1
    rest = board_page(team, priority="P1", limit=2, cursor=first.next_cursor)
    assert [r.requirement.id for r in rest.items] == ids[2:] and rest.next_cursor is None
    assert board_page(team, state="accepted").items == []


@pytest.mark.parametrize(("field", "value"), [("state", "done"), ("priority", "P9")])
def test_unknown_filter_values_are_bad_input(team: Workspace, field: str, value: str) -> None:
    with pytest.raises(BadInput) as info:
        board_page(team, **{field: value})
    assert info.value.field == field and f"unknown {field} {value!r}" in str(info.value)


def test_bad_cursor_is_bad_input(team: Workspace) -> None:
    with pytest.raises(BadInput, match="not a cursor of this list"):
        board_page(team, cursor="nope")
