"""The Issue board: issues counted by risk tier and state, and one page of them each with its
escalation clock — what the web page `/issues` shows.

The page is the listing `GET /api/v1/issues` pages (`lifecycle.issues`: filters checked, the
Table 24-19 order, sorted and paged by the database); each issue's clock is
`risk.escalation_timer`, the one `GET /api/v1/issues/{issue}` answers with. The counts are one
GROUP BY, never a read of every issue.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from dataflywheel.domain.policies.risk import EscalationTimer, escalation_timer
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import Issue, Severity
from dataflywheel.domain.states import IssueState
from dataflywheel.flows._counts import counts_by
from dataflywheel.flows.issues.lifecycle import issues
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import Page
from dataflywheel.store.tables.issues import IssueRow


class IssueBoardRow(BaseModel):
    """An issue with where it stands on its escalation path at the board's time."""

    issue: Issue
    escalation: EscalationTimer


class IssueCounts(BaseModel):
    """How many issues each risk tier has in each state (zero where none)."""

    by_severity: dict[str, dict[str, int]]

    def open_of(self, severity: str) -> int:
        """The tier's issues not yet closed."""
        row = self.by_severity.get(severity, {})
        return sum(n for state, n in row.items() if state != IssueState.CLOSED.value)


def issue_counts(ws: Workspace, *, project_id: str | None = None) -> IssueCounts:
    """The Issue Pool (of one project, when named) counted by severity and state, one query."""
    table = counts_by(ws, IssueRow.severity, IssueRow.state,
                      row_names=[sev.value for sev in Severity],
                      col_names=[st.value for st in IssueState],
                      where=None if project_id is None else IssueRow.project_id == project_id)
    return IssueCounts(by_severity=table)


def issue_board(ws: Workspace, *, project_id: str | None = None, state: str | None = None,
                severity: str | None = None, owner_id: str | None = None,
                limit: int | None = None, cursor: str | None = None,
                now: datetime | None = None) -> Page[IssueBoardRow]:
    """One page of issues, most urgent first, each with its escalation clock at `now`."""
    now = now or utcnow()
    found = issues(ws, state=state, severity=severity, project_id=project_id,
                   owner_id=owner_id).page(limit, cursor)
    rows = [IssueBoardRow(issue=i, escalation=escalation_timer(i, now)) for i in found.items]
    return Page(rows, found.next_cursor, found.remaining)


def issue_themes(ws: Workspace, issue_id: str) -> list[str]:
    """The feedback themes promoted to this issue (`reflux.promote`), by id."""
    from dataflywheel.store.tables.feedback import ThemeRow

    with ws.db.session() as s:
        return list(s.scalars(select(ThemeRow.id).where(ThemeRow.issue_id == issue_id)
                              .order_by(ThemeRow.id)))
