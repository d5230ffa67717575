"""The Issue board's read: counts by tier and state, each row's escalation clock equal to the one
`issue_view` (the API's `GET /issues/{issue}`) gives."""

from __future__ import annotations

import pytest

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput
from dataflywheel.flows.issues.board import issue_board, issue_counts
from dataflywheel.flows.issues.lifecycle import acknowledge, issue_view, open_issue
from dataflywheel.flows.workspace import Workspace


def _open(ws: Workspace, severity: str) -> str:
    return open_issue(ws, title=f"{severity} problem", severity=severity, source="manual",
                      project_id="P-TEST").id


def test_counts_and_clocks(team: Workspace) -> None:
    p2, p0, p1 = _open(team, "P2"), _open(team, "P0"), _open(team, "P1")
    acknowledge(team, p1)
    counts = issue_counts(team)
    assert counts.by_severity["P0"]["new"] == 1 and counts.by_severity["P1"]["acknowledged"] == 1
    assert counts.open_of("P2") == 1 and counts.open_of("P3") == 0
    assert issue_counts(team, project_id="P-NONE").open_of("P0") == 0
    now = utcnow()
    page = issue_board(team, now=now)
    assert [row.issue.id for row in page.items] == [p0, p1, p2]
    for row in page.items:
        assert row.escalation == issue_view(team, row.issue.id, now=now).escalation
    assert [r.issue.id for r in issue_board(team, severity="P1").items] == [p1]
    first = issue_board(team, limit=2)
    assert first.remaining == 1
    assert [r.issue.id for r in issue_board(team, limit=2, cursor=first.next_cursor).items] == [p2]


def test_unknown_tier_is_bad_input(team: Workspace) -> None:
    with pytest.raises(BadInput, match="unknown severity 'P7'"):
        issue_board(team, severity="P7")


def test_recent_documents_newest_first(team: Workspace) -> None:
    from dataflywheel.flows.issues.kb import add_document
    from dataflywheel.flows.issues.kb_recent import recent_documents

    assert recent_documents(team) == []
    first = add_document(team, kind="best_practice", title="Dedupe first", body="Run it.")
    second = add_document(team, kind="decision_record", title="Keep vendors", body="Why.")
    assert [d.id for d in recent_documents(team)] == [second.id, first.id]
    assert [d.id for d in recent_documents(team, limit=1)] == [second.id]
    with pytest.raises(BadInput, match="limit out of range"):
        recent_documents(team, limit=0)
