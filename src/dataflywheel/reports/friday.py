"""The Friday delivery post-mortem (Tables 24-11, 24-12) on the report pattern.

Inputs, as Table 24-12 names them: the week's data versions, the SLA records, and the Issue
Pool's changes. Outputs: next week's improvement items (each with who owns it), the process
revisions the week's published post-mortems made, their themes, and the unresolved items named —
the table's success criterion is "are unresolved items clearly addressed?" and its common
deviation "only reporting progress without discussing blockers": a blocker (an overdue
requirement or issue) that nobody owns is reported as that deviation.

The SLA of the requirements delivered in the week is computed by the caller (`flows.cadence`,
with the Demand Pool's SLA flow) and passed in, so this query only reads.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.calendar import week_monday
from dataflywheel.domain.policies.sla import SlaStatus
from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.states import IssueState, PostMortemState, RequirementState
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_OPEN_REQUIREMENT = frozenset({RequirementState.TRIAGED, RequirementState.COMMITTED,
                               RequirementState.IN_PROGRESS})
_CLOSED_ISSUE = frozenset({IssueState.RESOLVED, IssueState.CLOSED})


class VersionMove(BaseModel):
    id: str
    dataset_id: str
    state: str
    number: int | None
    at: datetime


class SlaRecord(BaseModel):
    requirement_id: str
    priority: str
    met: bool
    unmet: list[str]


class IssueChanges(BaseModel):
    opened: dict[str, int]
    resolved: int
    closed: int


class Theme(BaseModel):
    post_mortem: str
    issue_id: str
    change_kind: str | None
    process_change: str
    root_cause: str


class Item(BaseModel):
    kind: str
    record_id: str
    owner: str | None
    detail: str


class FridayReview(BaseModel):
    """The Friday post-mortem of `week` (ISO), of one project or the whole team."""

    week: str
    project: str | None
    versions: list[VersionMove]
    sla: list[SlaRecord]
    issues: IssueChanges
    themes: list[Theme]
    next_week: list[Item]
    deviations: list[Item]
    inputs_sha256: str


def friday_review(session: Session, *, week: str, sla: Mapping[str, SlaStatus],
                  project: str | None = None) -> FridayReview:
    """The query: the week's review from the Data, Demand and Issue Pools (reads only). `sla`:
    the SLA of each requirement delivered in the week (`flows.cadence` computes it)."""
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions
    from dataflywheel.store.repositories.issues import Issues, PostMortems
    from dataflywheel.store.repositories.people import Requirements

    start = datetime.combine(week_monday(week), datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=7)

    def within(at: datetime | None) -> bool:
        return at is not None and start <= at < end

    only = {} if project is None else {"project_id": project}
    datasets = {d.id for d in Datasets(session).list(**only)}
    moves = sorted(
        (VersionMove(id=v.id, dataset_id=v.dataset_id, state=v.state.value, number=v.number,
                     at=at)
         for v in DatasetVersions(session).list() if v.dataset_id in datasets
         for at in (v.withdrawn_at or v.archived_at or v.frozen_at,) if within(at)),
        key=lambda m: (m.at, m.id))
    requirements = Requirements(session).list(**only)
    records = [SlaRecord(requirement_id=r.id, priority=r.priority.value,
                         met=_met(sla[r.id]), unmet=_unmet(sla[r.id]))
               for r in requirements if r.id in sla]
    issues = Issues(session).list(**only)
    opened = Counter(i.severity.value for i in issues if within(i.opened_at))
    changes = IssueChanges(opened=dict(sorted(opened.items())),
                           resolved=sum(1 for i in issues if within(i.resolved_at)),
                           closed=sum(1 for i in issues if within(i.closed_at)))
    mine = {i.id for i in issues}
    themes = [Theme(post_mortem=p.id, issue_id=p.issue_id,
                    change_kind=p.change_kind.value if p.change_kind else None,
                    process_change=p.process_change, root_cause=p.root_cause)
              for p in sorted(PostMortems(session).list(state=PostMortemState.PUBLISHED.value),
                              key=lambda p: p.id)
              if p.issue_id in mine and within(p.published_at)]
    items, deviations = _items(requirements, issues, records, end)
    read = ([[m.id, m.state, m.at.isoformat()] for m in moves]
            + [[r.requirement_id, r.met, r.unmet] for r in records]
            + [[i.id, i.state.value, i.closed_at.isoformat() if i.closed_at else None]
               for i in issues] + [[t.post_mortem] for t in themes])
    return FridayReview(week=week, project=project, versions=moves, sla=records,
                        issues=changes, themes=themes, next_week=items, deviations=deviations,
                        inputs_sha256=hashlib.sha256(canonical_json(read)).hexdigest())


def _met(status: SlaStatus) -> bool:
    return not status.breached and all(d.status == "met" for d in status.dimensions)


def _unmet(status: SlaStatus) -> list[str]:
    unmet = [d.dimension.value for d in status.dimensions if d.status != "met"]
    return (["time"] if status.breached and "time" not in unmet else []) + unmet


def _items(requirements: list[Requirement], issues: list[Issue], records: list[SlaRecord],
           end: datetime) -> tuple[list[Item], list[Item]]:
    """Next week's items: each unmet SLA dimension, each requirement past its deadline and still
    open, each issue past its remediation deadline and unresolved; a blocker without an owner is
    also a deviation."""
    owner = {r.id: r.responsible_id for r in requirements}
    items = [Item(kind="sla", record_id=r.requirement_id, owner=owner.get(r.requirement_id),
                  detail="SLA unmet in " + ", ".join(r.unmet)) for r in records if not r.met]
    for r in requirements:
        if r.state in _OPEN_REQUIREMENT and r.deadline is not None and r.deadline < end:
            items.append(Item(kind="overdue_requirement", record_id=r.id, owner=r.responsible_id,
                              detail=f"{r.priority.value} past its deadline "
                                     f"{r.deadline.strftime('%Y-%m-%d')} and still "
                                     f"{r.state.value}"))
    for i in issues:
        if (i.state not in _CLOSED_ISSUE and i.remediate_by is not None
                and i.remediate_by < end):
            items.append(Item(kind="unresolved_issue", record_id=i.id, owner=i.owner_id,
                              detail=f"{i.severity.value} past its remediation deadline "
                                     f"{i.remediate_by.strftime('%Y-%m-%d')}: {i.title}"))
    blockers = [Item(kind="blocker_without_owner", record_id=i.record_id, owner=None,
                     detail=f"{i.detail}, and nobody owns it")
                for i in items if i.kind != "sla" and i.owner is None]
    return items, blockers


FRIDAY = ReportSpec(name="friday", context=FridayReview, template="friday")
