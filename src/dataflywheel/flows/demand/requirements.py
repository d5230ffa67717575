"""Requirements enter the Demand Pool here, as `submitted`; `lifecycle.py` moves them on."""

from __future__ import annotations

from datetime import datetime

from dataflywheel.domain.policies.ordering import REQUIREMENT_ORDER, requirement_order
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import Span
from dataflywheel.store.repositories.people import People, Projects, Requirements


def submit_requirement(
    ws: Workspace,
    *,
    title: str,
    project_id: str,
    requester_id: str,
    kind: RequirementKind,
    priority: Priority,
    target_metric: str | None = None,
    acceptance_criteria: str | None = None,
    deadline: datetime | None = None,
    responsible_id: str | None = None,
    accountable_id: str | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Requirement:
    """Record a requirement as `submitted`, with the next free REQ id."""
    now = now or utcnow()
    if deadline is not None and deadline <= now:
        raise BadInput("deadline is in the past", field="deadline", expected=f"after {now.isoformat()}",
                       got=deadline.isoformat(), kept="nothing was recorded")
    with ws.db.unit_of_work() as s:
        Projects(s).get(project_id)
        people = People(s)
        for person in {requester_id, responsible_id, accountable_id} - {None}:
            people.get(person)
        repo = Requirements(s)
        requirement = Requirement(
            id=repo.next_id(), title=title, project_id=project_id, requester_id=requester_id,
            kind=kind, priority=priority, target_metric=target_metric,
            acceptance_criteria=acceptance_criteria, deadline=deadline,
            responsible_id=responsible_id, accountable_id=accountable_id, description=description,
            created_at=now, updated_at=now,
        )
        return add_audited(repo, requirement, actor=ws.actor)


def list_requirements(ws: Workspace, **equals: str) -> list[Requirement]:
    """The Demand Pool as a task list: priority, then deadline, then age (`requirement_order`)."""
    with ws.db.session() as s:
        return sorted(Requirements(s).list(**equals), key=requirement_order)


def requirements(ws: Workspace, *, project_id: str | None = None, state: str | None = None,
                 priority: str | None = None, created: Span | None = None,
                 updated: Span | None = None) -> Listing[Requirement]:
    """The Demand Pool as a task list a page at a time or streamed (`flywheel requirements
    list`, `GET /api/v1/requirements`): the order of `list_requirements`, sorted and paged by the
    database (`REQUIREMENT_ORDER`), optionally of one project, state or priority and created or
    last updated within a span."""
    return Listing.ordered(ws, Requirements, REQUIREMENT_ORDER, project_id=project_id,
                           state=state, priority=priority, created_at=created, updated_at=updated)


def get_requirement(ws: Workspace, requirement_id: str) -> Requirement:
    with ws.db.session() as s:
        return Requirements(s).get(requirement_id)
