"""The Monday requirement sync (Tables 24-11, 24-12) on the report pattern.

Inputs, as Table 24-12 names them: the Demand Pool's candidates (triaged, not yet committed),
last week's unfinished commitments, and the latest algorithm-side conclusions (experiments
concluded in the seven days before the sync). Outputs: the week's commitment list in the pool's
priority order with each item's owner, the requirements returned or waiting for triage with what
each lacks, and the deviations the records show — the common one being "the meeting becomes
impromptu requirement collection" (a requirement created on the sync day and committed to the
week without a Demand Pool entry before it), and the success criteria's "is responsibility
clear?" (no Responsible person) and "is it actionable?" (what the Monday rule finds missing).

The context holds only what the records say about the week: regenerated from the same records it
is the same, byte for byte, in every format (`inputs_sha256` digests the records it read).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.calendar import week_monday
from dataflywheel.domain.policies.ordering import requirement_order
from dataflywheel.domain.policies.sla import missing_for_triage
from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.states import RequirementState as RS
from dataflywheel.reports.spec import ReportSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CONCLUSIONS_DAYS = 7


class Commitment(BaseModel):
    id: str
    title: str
    project_id: str
    priority: str
    kind: str
    state: str
    deadline: datetime | None
    responsible_id: str | None
    accountable_id: str | None
    carried_over: bool


class ToTriage(BaseModel):
    id: str
    title: str
    project_id: str
    priority: str
    state: str
    lacks: list[str]
    returned_reason: str | None


class Conclusion(BaseModel):
    id: str
    title: str
    project_id: str | None
    ended_at: datetime
    conclusion: str


class Deviation(BaseModel):
    kind: str
    record_id: str
    detail: str


class MondaySync(BaseModel):
    """The Monday sync of `week` (ISO), of one project or the whole team."""

    week: str
    monday: date
    project: str | None
    commitments: list[Commitment]
    to_triage: list[ToTriage]
    conclusions: list[Conclusion]
    deviations: list[Deviation]
    inputs_sha256: str


def monday_sync(session: Session, *, week: str, project: str | None = None) -> MondaySync:
    """The query: the week's sync from the Demand Pool and the Experiment Pool (reads only).
    `week` is an ISO week (`ValueError` otherwise)."""
    from dataflywheel.store.repositories.experiments import Experiments
    from dataflywheel.store.repositories.people import Requirements

    from sqlalchemy import or_

    from dataflywheel.store.tables.demand import RequirementRow as Req

    monday = week_monday(week)
    only = {} if project is None else {"project_id": project}
    # The database picks what the sync can show: open requirements (candidates, commitments,
    # work to triage) and those committed to this week (an impromptu one may be done already);
    # a 100k-requirement pool is mostly delivered work the sync never lists.
    pool = sorted(Requirements(session).matching(
        or_(Req.state.in_([s.value for s in SYNC_STATES]), Req.committed_week == week),
        *([Req.project_id == project] if project is not None else [])), key=requirement_order)
    commitments = [_commitment(r, week) for r in pool if _on_the_list(r, week)]
    to_triage = [ToTriage(id=r.id, title=r.title, project_id=r.project_id,
                          priority=r.priority.value, state=r.state.value,
                          lacks=missing_for_triage(r), returned_reason=r.returned_reason)
                 for r in pool if r.state in (RS.SUBMITTED, RS.RETURNED)]
    since, until = _utc(monday) - timedelta(days=CONCLUSIONS_DAYS), _utc(monday) + timedelta(days=1)
    experiments = sorted((e for e in Experiments(session).list(**only) if e.conclusion
                          and e.ended_at is not None and since <= e.ended_at < until),
                         key=lambda e: (e.ended_at, e.id))
    conclusions = [Conclusion(id=e.id, title=e.title, project_id=e.project_id,
                              ended_at=e.ended_at, conclusion=e.conclusion or "")
                   for e in experiments if e.ended_at is not None]
    read = [(r.id, r.updated_at) for r in pool] + [(e.id, e.ended_at) for e in experiments]
    return MondaySync(week=week, monday=monday, project=project, commitments=commitments,
                      to_triage=to_triage, conclusions=conclusions,
                      deviations=_deviations(pool, commitments, week, monday),
                      inputs_sha256=hashlib.sha256(canonical_json(
                          [[i, at.isoformat() if at else None] for i, at in read])).hexdigest())


SYNC_STATES = (RS.SUBMITTED, RS.RETURNED, RS.TRIAGED, RS.COMMITTED, RS.IN_PROGRESS)
"""The states a requirement the sync lists or triages is in (`_on_the_list`, `to_triage`)."""


def _on_the_list(r: Requirement, week: str) -> bool:
    """Candidates, this week's commitments, and earlier weeks' commitments not yet delivered."""
    return r.state is RS.TRIAGED or (r.state in (RS.COMMITTED, RS.IN_PROGRESS)
                                      and (r.committed_week or "") <= week)


def _commitment(r: Requirement, week: str) -> Commitment:
    return Commitment(id=r.id, title=r.title, project_id=r.project_id, priority=r.priority.value,
                      kind=r.kind.value, state=r.state.value, deadline=r.deadline,
                      responsible_id=r.responsible_id, accountable_id=r.accountable_id,
                      carried_over=r.committed_week is not None and r.committed_week < week)


def _deviations(pool: list[Requirement], commitments: list[Commitment], week: str,
                monday: date) -> list[Deviation]:
    out = [Deviation(kind="impromptu", record_id=r.id,
                     detail=f"created on the sync day ({monday.isoformat()}) and committed to "
                            f"{week} without a Demand Pool entry before the meeting")
           for r in pool if r.committed_week == week and r.created_at.date() == monday]
    by_id = {r.id: r for r in pool}
    for c in commitments:
        if c.responsible_id is None:
            out.append(Deviation(kind="no_owner", record_id=c.id,
                                 detail="no Responsible person: who does it is not clear"))
        lacks = missing_for_triage(by_id[c.id])
        if lacks:
            out.append(Deviation(kind="not_actionable", record_id=c.id,
                                 detail="lacks " + ", ".join(lacks)))
    return out


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


MONDAY = ReportSpec(name="monday", context=MondaySync, template="monday")
