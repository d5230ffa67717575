"""The Demand board: the pool counted by state and priority, and one page of requirements each
with its SLA clock — what the web page `/demand` shows.

Why a read of its own: the team-wide SLA report (`lifecycle.sla_report`) reads every requirement
to sort breaches first, which at 100k requirements is far too slow for a page. The board instead
pages the pool in its own order in the database (`requirements`, the listing
`GET /api/v1/requirements` pages) and computes the SLA of the page's rows only, with
`lifecycle.sla_many` — the function `GET /api/v1/requirements/{id}/sla` answers with — so a row
shows the same clock the API does. The counts are one GROUP BY.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select

from dataflywheel.domain.policies.sla import SlaStatus
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, Requirement
from dataflywheel.domain.states import RequirementState
from dataflywheel.errors import BadInput
from dataflywheel.flows._counts import counts_by
from dataflywheel.flows.demand.lifecycle import calendar_of, sla_many
from dataflywheel.flows.demand.requirements import requirements
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import Page
from dataflywheel.store.tables.demand import RequirementRow


class BoardRow(BaseModel):
    """A requirement on the board with its SLA clock and five dimensions at the board's time."""

    requirement: Requirement
    sla: SlaStatus


class DemandCounts(BaseModel):
    """How many requirements are in each state, by priority (zero where none), and in all."""

    by_state: dict[str, dict[str, int]]
    total: int

    def of_state(self, state: str) -> int:
        return sum(self.by_state.get(state, {}).values())


def demand_counts(ws: Workspace, *, project_id: str | None = None) -> DemandCounts:
    """The pool (of one project, when named) counted by state and priority in one query."""
    table = counts_by(ws, RequirementRow.state, RequirementRow.priority,
                      row_names=[s.value for s in RequirementState],
                      col_names=[p.value for p in Priority],
                      where=None if project_id is None else RequirementRow.project_id == project_id)
    return DemandCounts(by_state=table, total=sum(sum(row.values()) for row in table.values()))


def board_page(ws: Workspace, *, project_id: str | None = None, state: str | None = None,
               priority: str | None = None, limit: int | None = None,
               cursor: str | None = None, now: datetime | None = None) -> Page[BoardRow]:
    """One page of the pool, most urgent first (the order and cursor of
    `GET /api/v1/requirements`), each requirement with its SLA at `now`."""
    listing = requirements(ws, project_id=project_id, state=_one_of(RequirementState, state, "state"),
                           priority=_one_of(Priority, priority, "priority"))
    with ws.db.session() as s:
        found = listing.page_in(s, limit, cursor)
        clocks = sla_many(s, found.items, calendar_of(ws.settings), now or utcnow())
    rows = [BoardRow(requirement=r, sla=c) for r, c in zip(found.items, clocks, strict=True)]
    return Page(rows, found.next_cursor, found.remaining)


def _one_of(kind: type[StrEnum], value: str | None, field: str) -> str | None:
    """`value` when it names a member of `kind` (None: no filter), else `BadInput` listing them."""
    if value is None or value in {m.value for m in kind}:
        return value
    raise BadInput(f"unknown {field} {value!r}", field=field,
                   expected="one of " + ", ".join(m.value for m in kind), got=value)


class RequirementLinks(BaseModel):
    """What a requirement is linked to: the versions it was delivered in, the batches delivered
    for it, the issues that name it and the feedback themes that became it."""

    versions: list[str]
    batches: list[str]
    issues: list[str]
    themes: list[str]


def requirement_links(ws: Workspace, requirement_id: str) -> RequirementLinks:
    """The requirement's links (`NotFound` for an unknown requirement), a few indexed queries."""
    from dataflywheel.store.repositories.people import RequirementDeliveries, Requirements
    from dataflywheel.store.tables.data import BatchRow
    from dataflywheel.store.tables.feedback import ThemeRow
    from dataflywheel.store.tables.issues import IssueLinkRow

    with ws.db.session() as s:
        Requirements(s).get(requirement_id)
        versions = sorted({d.version_id for d in RequirementDeliveries(s).list(
            requirement_id=requirement_id)})
        batches = s.scalars(select(BatchRow.id).where(BatchRow.requirement_id == requirement_id)
                            .order_by(BatchRow.id)).all()
        issues = s.scalars(select(IssueLinkRow.issue_id).where(
            IssueLinkRow.requirement_id == requirement_id).distinct().order_by(
            IssueLinkRow.issue_id)).all()
        themes = s.scalars(select(ThemeRow.id).where(ThemeRow.requirement_id == requirement_id)
                           .order_by(ThemeRow.id)).all()
    return RequirementLinks(versions=versions, batches=list(batches), issues=list(issues),
                            themes=list(themes))
