"""The monthly review (Tables 24-11, 24-12) on the report pattern.

Inputs, as Table 24-12 names them: quality trends, reuse rates, cost data and incident
post-mortems. Outputs: the month's improvement plan, metric adjustments, and — as the chapter asks
of the quality evaluators — an "interpretation of metrics" section whose every claim links to
records (the examples behind each figure that moved). The common deviation the table warns
against is "too many metrics; key focus is diluted": the plan names at most `FOCUS` metrics, the
ones that moved most against their good direction.

The knowledge base's review cadence (Table 24-18) is read too: documents past it — a stale
onboarding guide — are listed for their maintainers.

The figures are the metrics engine's over this month and the month before (the caller gathers
both windows: `flows.cadence`); the post-mortems are read here. No cost is recorded in the
workspace, and the report says so instead of guessing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.states import PostMortemState
from dataflywheel.metrics.compute import History, figures
from dataflywheel.metrics.definitions import BY_ID, LOWER_IS_BETTER
from dataflywheel.reports.figures_text import shown
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FOCUS = 3


class Movement(BaseModel):
    metric: str
    name: str
    layer: str
    unit: str
    before: float | None
    now: float | None
    change: float | None
    worse: bool
    records: list[str]


class PlanItem(BaseModel):
    metric: str
    action: str


class PostMortemLine(BaseModel):
    id: str
    issue_id: str
    process_change: str


class StaleDocument(BaseModel):
    """A knowledge-base document past its Table 24-18 review cadence at the month's end."""

    id: str
    kind: str
    title: str
    updated_at: datetime
    due: datetime
    maintainers: str


class MonthlyReview(BaseModel):
    """The review of the month [since, until), against the month before it."""

    since: datetime
    until: datetime
    project: str | None
    movements: list[Movement]
    interpretation: list[str]
    plan: list[PlanItem]
    adjustments: list[str]
    post_mortems: list[PostMortemLine]
    stale_documents: list[StaleDocument] = []
    cost: str
    inputs_sha256: str


def monthly_review(session: Session, *, before: History, month: History,
                   project: str | None = None) -> MonthlyReview:
    """The query: the month's figures against the month before's, the post-mortems published in
    the month, and what follows from them (reads only)."""
    from dataflywheel.store.repositories.issues import Issues, PostMortems

    was = {f.metric: f for f in figures(before)}
    moves = []
    for f in figures(month):
        a, b = was[f.metric].value, f.value
        change = None if a is None or b is None else round(b - a, 4)
        worse = change is not None and change != 0 and (
            (change > 0) == (f.metric in LOWER_IS_BETTER))
        records = sorted({r for found in f.examples.values() for r in found})
        moves.append(Movement(metric=f.metric, name=f.name, layer=f.layer, unit=f.unit,
                              before=a, now=b, change=change, worse=worse, records=records))
    ranked = sorted((m for m in moves if m.worse), key=lambda m: -_relative(m))[:FOCUS]
    issues = {i.id for i in Issues(session).list(
        **({} if project is None else {"project_id": project}))}
    post_mortems = [PostMortemLine(id=p.id, issue_id=p.issue_id, process_change=p.process_change)
                    for p in sorted(PostMortems(session).list(
                        state=PostMortemState.PUBLISHED.value), key=lambda p: p.id)
                    if p.issue_id in issues and p.published_at is not None
                    and month.since <= p.published_at < month.until]
    adjustments = [f"{d.id} v{c.version} ({c.on.isoformat()}): {c.change}"
                   for d in BY_ID.values() for c in d.history
                   if c.version > 1 and month.since.date() <= c.on < month.until.date()]
    stale = stale_documents(session, month.until, project)
    read = [[m.metric, m.before, m.now] for m in moves] + [[p.id] for p in post_mortems] + [
        [d.id, d.updated_at.isoformat()] for d in stale]
    return MonthlyReview(
        since=month.since, until=month.until, project=project, movements=moves,
        interpretation=[_claim(m) for m in moves if m.change not in (None, 0)],
        plan=[PlanItem(metric=m.metric, action=BY_ID[m.metric].action) for m in ranked],
        adjustments=adjustments, post_mortems=post_mortems, stale_documents=stale,
        cost="no cost records are kept in this workspace: cost is not reviewed from records",
        inputs_sha256=hashlib.sha256(canonical_json(read)).hexdigest())


def stale_documents(session: Session, at: datetime, project: str | None) -> list[StaleDocument]:
    """Knowledge-base documents (the project's and the team-wide ones) not updated within their
    Table 24-18 cadence at `at`: an onboarding guide unreviewed for a quarter, a best practice
    for a month (`domain/policies/knowledge.py`)."""
    from dataflywheel.domain.policies.knowledge import is_stale, review_due, row_of
    from dataflywheel.store.repositories.kb import KbDocuments

    out = []
    for doc in sorted(KbDocuments(session).list(), key=lambda d: d.id):
        if project is not None and doc.project_id not in (None, project):
            continue
        due = review_due(doc.kind, doc.updated_at)
        if due is not None and is_stale(doc.kind, doc.updated_at, at):
            out.append(StaleDocument(id=doc.id, kind=doc.kind.value, title=doc.title,
                                     updated_at=doc.updated_at, due=due,
                                     maintainers=row_of(doc.kind).maintenance_responsibility))
    return out


def _relative(m: Movement) -> float:
    """How far a metric moved, relative to where it was (absolute change when it was 0)."""
    assert m.change is not None
    return abs(m.change) / abs(m.before) if m.before else abs(m.change)


def _claim(m: Movement) -> str:
    direction = "worse" if m.worse else "better"
    moved = f"{shown(m.before, m.unit)} → {shown(m.now, m.unit)}"
    evidence = ", ".join(m.records) if m.records else "no example records"
    return f"{m.metric} moved {moved} ({direction}); see {evidence}"


MONTHLY = ReportSpec(name="monthly", context=MonthlyReview, template="monthly",
                     helpers={"shown": shown})
