"""The Demand Pool lifecycle: triage (the Monday rule), commitment, delivery, acceptance, SLAs.

submitted → returned (incomplete) | triaged (P0 needs the Data Owner's approval) → committed (a
week's task list) → in progress → delivered (linked versions) → accepted | rejected (→ rework).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.policies.delivery_schedule import late_deliveries
from dataflywheel.domain.policies.raci import role_holders
from dataflywheel.domain.policies.sla import (
    SlaStatus, deadline_passed, missing_for_triage, sla_dimensions, sla_status,
)
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.contract import DeliverySla
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementDelivery
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import RequirementState as RS
from dataflywheel.domain.states import move
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows.notifications import already_notified, notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.settings import Settings
from dataflywheel.store.repositories.people import RequirementDeliveries, Requirements, RoleHoldings

EDITABLE = frozenset({"title", "target_metric", "acceptance_criteria", "deadline", "responsible_id",
                      "accountable_id", "description", "priority", "kind"})


def calendar_of(settings: Settings) -> BusinessCalendar:
    return BusinessCalendar(timezone=settings.timezone, holidays=frozenset(settings.holidays))


def _change(ws: Workspace, s: Session, req: Requirement, target: RS, action: str, *,
            reason: str | None = None, now: datetime | None = None, **fields: Any) -> Requirement:
    state = move(f"requirement {req.id}", req.state, target)
    after = req.model_copy(update={"state": state, "updated_at": now or utcnow(), **fields})
    after = Requirement.model_validate(after.model_dump())
    return update_audited(Requirements(s), req, after, actor=ws.actor, action=action, reason=reason)


def data_owners(s: Session, project_id: str | None) -> set[str]:
    return role_holders(Role.DATA_OWNER, project_id, RoleHoldings(s).list())


def triage(ws: Workspace, req_id: str, *, approver: str | None = None,
           now: datetime | None = None) -> Requirement:
    """Return an incomplete requirement with what it lacks, or one whose deadline has already
    passed (the Monday rule); otherwise triage it."""
    with ws.db.unit_of_work() as s:
        req = Requirements(s).get(req_id)
        missing = missing_for_triage(req)
        passed = deadline_passed(req, now or utcnow())
        if missing or passed:
            reason = "incomplete: no " + ", no ".join(missing) if missing else str(passed)
            return _change(ws, s, req, RS.RETURNED, "requirement.return", reason=reason, now=now,
                           returned_reason=reason)
        approved_by = None
        if req.priority is Priority.P0:
            owners = data_owners(s, req.project_id)
            if approver not in owners:
                raise PolicyViolation(
                    f"P0 requirement {req_id} needs the Data Owner's approval to be triaged",
                    expected="--approver " + (" or ".join(sorted(owners)) or "a Data Owner"),
                    got=approver or "no approver", kept=f"{req_id} is still {req.state.value}")
            approved_by = approver
        return _change(ws, s, req, RS.TRIAGED, "requirement.triage", now=now,
                       approved_by_id=approved_by, returned_reason=None)


def resubmit(ws: Workspace, req_id: str, *, updates: dict[str, Any],
             now: datetime | None = None) -> Requirement:
    """Amend a returned requirement and submit it again."""
    unknown = set(updates) - EDITABLE
    if unknown:
        raise BadInput(f"cannot change {', '.join(sorted(unknown))} of a requirement",
                       expected="one of " + ", ".join(sorted(EDITABLE)))
    with ws.db.unit_of_work() as s:
        req = Requirements(s).get(req_id)
        return _change(ws, s, req, RS.SUBMITTED, "requirement.resubmit", now=now, **updates)


def commit_week(ws: Workspace, req_ids: list[str], *, week: str,
                now: datetime | None = None) -> list[Requirement]:
    """Put triaged requirements on a week's task list (`2026-W48`), all or none."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        repo = Requirements(s)
        return [_change(ws, s, req, RS.COMMITTED, "requirement.commit", now=now,
                        committed_week=week, committed_at=req.committed_at or now)
                for req in (repo.get(r) for r in req_ids)]


def start(ws: Workspace, req_id: str, *, now: datetime | None = None) -> Requirement:
    """Pick up committed work; the first start is kept (`started_at`, the end of its queue wait)."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        req = Requirements(s).get(req_id)
        return _change(ws, s, req, RS.IN_PROGRESS, "requirement.start", now=now,
                       started_at=req.started_at or now)


def deliver(ws: Workspace, req_id: str, *, version_ids: list[str],
            now: datetime | None = None) -> Requirement:
    """Mark delivered, linking the dataset versions that carry the delivery."""
    from dataflywheel.store.repositories.data import DatasetVersions

    if not version_ids:
        raise BadInput(f"delivering {req_id} needs at least one dataset version", field="version",
                       hint=f"flywheel requirements deliver {req_id} --version VERSION_ID")
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        req = Requirements(s).get(req_id)
        versions = DatasetVersions(s)
        for version_id in version_ids:
            if versions.find(version_id) is None:
                raise NotFound(f"dataset version {version_id} does not exist",
                               kept=f"{req_id} is still {req.state.value}")
        after = _change(ws, s, req, RS.DELIVERED, "requirement.deliver", now=now, delivered_at=now)
        links = RequirementDeliveries(s)
        for version_id in version_ids:
            add_audited(links, RequirementDelivery(requirement_id=req_id, version_id=version_id,
                                                   linked_at=now), actor=ws.actor)
        return after


def decide(ws: Workspace, req_id: str, *, accept: bool, by: str, reason: str | None = None,
           now: datetime | None = None) -> Requirement:
    """Accept or reject a delivery; only the requirement's Accountable person may."""
    with ws.db.unit_of_work() as s:
        req = Requirements(s).get(req_id)
        if by != req.accountable_id:
            raise PolicyViolation(f"only the Accountable person of {req_id} may accept or reject it",
                                  expected=str(req.accountable_id), got=by,
                                  kept=f"{req_id} is still {req.state.value}")
        if not accept and not reason:
            raise BadInput("a rejection needs a reason", field="reason")
        target = RS.ACCEPTED if accept else RS.REJECTED
        return _change(ws, s, req, target, f"requirement.{target.value}", reason=reason, now=now,
                       decision_reason=reason)


def sla_report(ws: Workspace, *, now: datetime | None = None,
               project_id: str | None = None) -> list[SlaStatus]:
    """Every requirement's SLA (of one project, when named) in its five dimensions, time
    breaches first, then by due time (`sla_order`)."""
    now = now or utcnow()
    only = {"project_id": project_id} if project_id else {}
    with ws.db.session() as s:
        statuses = sla_many(s, Requirements(s).list(**only), calendar_of(ws.settings), now)
    return sorted(statuses, key=sla_order)


def sla_order(status: SlaStatus) -> tuple[int, str, str]:
    """The SLA report's order, as a key unique per requirement (a page's cursor): breaches
    first, then the earliest due, then the id."""
    due = status.due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")  # sorts as the time does
    return (0 if status.breached else 1, due, status.requirement_id)


def requirement_sla(ws: Workspace, req_id: str, *, now: datetime | None = None) -> SlaStatus:
    """One requirement's SLA in its five dimensions (a row of `sla_report`)."""
    now = now or utcnow()
    with ws.db.session() as s:
        return sla_many(s, [Requirements(s).get(req_id)], calendar_of(ws.settings), now)[0]


def sla_many(s: Session, requirements: Sequence[Requirement], calendar: BusinessCalendar,
             now: datetime) -> list[SlaStatus]:
    """Each requirement's SLA in its five dimensions at `now`, in order, read in the caller's
    session with a few queries for all of them (their batches, delivered versions, the versions'
    members and datasets, the contracts' schedules), never a few per requirement."""
    from dataflywheel.domain.records.governance import Sensitivity
    from dataflywheel.flows._listing import by_parent
    from dataflywheel.store.repositories.data import (
        Batches, Datasets, DatasetVersions, VersionBatches,
    )

    ids = [r.id for r in requirements]
    batches_of = by_parent(Batches(s).where_in("requirement_id", ids), lambda b: b.requirement_id)
    links_of = by_parent(RequirementDeliveries(s).where_in("requirement_id", ids),
                         lambda link: link.requirement_id)
    versions = {v.id: v for v in DatasetVersions(s).where_in(
        "id", [link.version_id for links in links_of.values() for link in links])}
    members_of = by_parent(VersionBatches(s).where_in("version_id", list(versions)),
                           lambda m: m.version_id)
    public_datasets = {d.id for d in Datasets(s).where_in(
        "id", [v.dataset_id for v in versions.values()]) if d.sensitivity is Sensitivity.PUBLIC}
    schedules = _schedules(s, [b for found in batches_of.values() for b in found])
    out = []
    for req in requirements:
        status = sla_status(req, calendar, now, req.delivered_at)
        batches = batches_of.get(req.id, [])
        own = {b.id for b in batches}
        delivered = [versions[link.version_id] for link in links_of.get(req.id, [])]
        members = {v.id: {m.batch_id for m in members_of.get(v.id, [])} & own for v in delivered}
        public = frozenset(v.id for v in delivered if v.dataset_id in public_datasets)
        late = late_deliveries(batches, schedules)
        dims = sla_dimensions(status, batches=batches, versions=delivered, members=members,
                              public=public, late=late)
        # A batch after its contract's deadline breaches timeliness even within the
        # requirement's clock.
        out.append(status.model_copy(update={"dimensions": dims,
                                              "breached": status.breached or bool(late)}))
    return out


def _schedules(s: Session, batches: list[Batch]) -> dict[str, DeliverySla | None]:
    """The delivery schedule of each contract version the batches were delivered under."""
    from dataflywheel.store.repositories.contracts import ContractVersions

    return {version.id: _schedule_in(version.document, version.id)
            for version in ContractVersions(s).where_in("id", sorted({b.contract_version_id
                                                                      for b in batches}))}


@lru_cache(maxsize=256)
def _schedule_in(document: str, source: str) -> DeliverySla | None:
    """The delivery schedule a stored contract document states. A stored contract version never
    changes, so its parse (YAML and the ODCS schema: ~25 ms) is kept by its text: the metrics of
    eight weeks, or a page of requirements, parse each contract once, not once per ask."""
    from dataflywheel.integrations.odcs import parse_odcs

    return parse_odcs(document, source=source).operational.sla


def escalate_overdue(ws: Workspace, *, now: datetime | None = None) -> list[str]:
    """Notify the Data Owner of each P0 undelivered after 48 h, once per requirement."""
    now = now or utcnow()
    calendar = calendar_of(ws.settings)
    escalated: list[str] = []
    with ws.db.unit_of_work() as s:
        for req in Requirements(s).list(priority=Priority.P0.value):
            status = sla_status(req, calendar, now, req.delivered_at)
            if not status.escalate_to_data_owner or already_notified(
                    s, kind="escalation", record_kind="requirement", record_id=req.id):
                continue
            for owner in sorted(data_owners(s, req.project_id)):
                notify(s, actor=ws.actor, to=owner, kind="escalation", record_kind="requirement",
                       record_id=req.id, at=now,
                       subject=f"P0 {req.id} undelivered after 48 h: {req.title}",
                       body=f"state {req.state.value}; due {status.due.isoformat()}")
            escalated.append(req.id)
    return escalated
