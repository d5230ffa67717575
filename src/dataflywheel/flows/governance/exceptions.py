"""Exceptions (chapter Table 24-9): request, approve or reject, expire; and the coverage question.

requested → approved (every approver slot of its type filled) | rejected | withdrawn;
approved → expired (at `expires_at`, by itself) | revoked (earlier, by one who may approve it).

Approvers per type, one distinct person per slot, each holding the slot's role for the project:

- time: the Data Owner, or the on-call person (the platform engineer, or the person passed as
  `on_call`, e.g. `FLYWHEEL_ON_CALL` in the CLI);
- quality: the Data Owner and the algorithm lead (an algorithm engineer);
- format: the data-engineering lead (a data engineer);
- compliance: Legal/Compliance and the Data Owner.

Four eyes: the requester never decides their own request.

Guarantees: a request states scope, reason, usage restriction, isolation label and outstanding
checks, covers at least one existing batch, version or dataset, and expires in the future, or
nothing is stored. Every change is audited in the flow's one transaction.

The coverage API (defined in `flows.exception_coverage`, re-exported here), for the freeze gate
and anyone else who must know whether a rule is waived (each takes the caller's session and
first expires what is due at `at`, audited, in that session):

- `active_exception_covering(session, record_kind, record_id, at) -> ExceptionRecord | None`:
  the first active approved exception covering a `"batch"`, `"version"` or `"dataset"`; a batch
  or version is also covered by a cover on its dataset.
- `active_exceptions_covering(...)`: all of them, by id.
- `covering_exception_kinds(session, version_id, at) -> set[ExceptionType]`: the types of the
  active exceptions covering version `version_id`, its dataset or any of its batches. A version
  frozen while this holds `ExceptionType.QUALITY` is labelled experimental.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.governance import (
    ApprovalDecision,
    ExceptionApproval,
    ExceptionCover,
    ExceptionRecord,
    ExceptionType,
    RiskLevel,
)
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ExceptionState as XS
from dataflywheel.domain.states import move
from dataflywheel.errors import BadInput, Conflict, NotFound, PolicyViolation, from_validation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.governance._grant_moves import end_grants_resting_on
from dataflywheel.flows.governance.exception_approvers import (
    APPROVER_SLOTS,
    eligible,
    open_slots,
    slot_for,
    slot_title,
)
from dataflywheel.flows.governance.exception_coverage import (
    EXCEPTIONS,
    RECORD_KINDS,
    SYSTEM_ACTOR,
    active_exception_covering,
    active_exceptions_covering,
    covering_exception_kinds,
    expire_due,
    sweep_expired,
    tell_requester,
)
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions
from dataflywheel.store.repositories.governance import (
    ExceptionApprovals,
    ExceptionCovers,
    Exceptions,
)
from dataflywheel.store.repositories.people import People, Projects

__all__ = [
    "RECORD_KINDS", "SYSTEM_ACTOR", "ExceptionRequest", "ExceptionView", "active_exception_covering",
    "active_exceptions_covering", "approve", "covering_exception_kinds", "expire_due",
    "list_exceptions", "reject", "request", "revoke", "show", "sweep_expired", "withdraw",
]

@dataclass(frozen=True)
class ExceptionRequest:
    """What a requester must state; `validate()` names the first thing missing."""

    type: str
    scope: str
    reason: str
    usage_restriction: str
    isolation_label: str
    outstanding_checks: list[str]
    expires_at: datetime
    batch_ids: list[str] = field(default_factory=list)
    version_ids: list[str] = field(default_factory=list)
    dataset_ids: list[str] = field(default_factory=list)
    project_id: str | None = None
    # a compliance exception's required records (Table 24-9); ignored for other types
    source_description: str = ""
    risk_level: str | None = None
    access_list: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExceptionView:
    """An exception with what it covers, who decided, and which approver slots are still open."""

    exception: ExceptionRecord
    covers: list[ExceptionCover]
    approvals: list[ExceptionApproval]
    open_slots: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The exception's fields with its covers, decisions and open slots: what
        `flywheel exceptions show --json` prints and `GET /api/v1/exceptions/{id}` answers."""
        return {**self.exception.model_dump(mode="json"),
                "covers": [c.model_dump(mode="json", exclude={"id", "exception_id"},
                                        exclude_none=True) for c in self.covers],
                "approvals": [a.model_dump(mode="json") for a in self.approvals],
                "open_slots": self.open_slots}


def request(ws: Workspace, req: ExceptionRequest, *, requested_by: str,
            now: datetime | None = None) -> ExceptionRecord:
    """Store a requested exception with its covers, and notify each possible approver."""
    now = now or utcnow()
    _check_request(req, now)
    with ws.db.unit_of_work() as s:
        _check_refs(s, req, requested_by)
        repo = Exceptions(s)
        try:
            record = ExceptionRecord(
                id=repo.next_id(), type=ExceptionType(req.type), scope=req.scope.strip(),
                reason=req.reason.strip(), usage_restriction=req.usage_restriction.strip(),
                isolation_label=req.isolation_label.strip(),
                outstanding_checks=[c.strip() for c in req.outstanding_checks],
                project_id=req.project_id, requested_by_id=requested_by, requested_at=now,
                expires_at=req.expires_at, **_compliance_records(req))
        except ValidationError as exc:
            raise from_validation(exc, what="invalid exception request") from None
        add_audited(repo, record, actor=ws.actor, reason=record.reason)
        covers = ExceptionCovers(s)
        for cover in _covers_of(record.id, req):
            add_audited(covers, cover, actor=ws.actor)
        for person in sorted(eligible(s, record, on_call=None) - {requested_by}):
            notify(s, actor=ws.actor, to=person, kind="exception.request",
                   record_kind="exception", record_id=record.id, at=now,
                   subject=f"{record.type.value} exception {record.id} awaits your decision",
                   body=f"scope: {record.scope}; expires {record.expires_at.isoformat()}")
        return record


def _check_request(req: ExceptionRequest, now: datetime) -> None:
    try:
        ExceptionType(req.type)
    except ValueError:
        raise BadInput(f"unknown exception type {req.type!r}", field="type",
                       expected="one of " + ", ".join(t.value for t in ExceptionType),
                       kept="nothing was stored") from None
    for name in ("scope", "reason", "usage_restriction", "isolation_label"):
        if not str(getattr(req, name)).strip():
            raise BadInput(f"a {req.type} exception needs its {name.replace('_', ' ')}",
                           field=name, expected="a non-empty statement",
                           kept="nothing was stored", hint=f"--{name.replace('_', '-')} TEXT")
    if not req.outstanding_checks or any(not c.strip() for c in req.outstanding_checks):
        raise BadInput(f"a {req.type} exception needs its outstanding checks",
                       field="outstanding_checks",
                       expected="at least one named check still to be done",
                       kept="nothing was stored", hint="--outstanding CHECK (repeatable)")
    if req.expires_at.tzinfo is None:
        raise BadInput("the expiry needs a time zone", field="expires_at",
                       expected="an aware time such as 2026-12-01T18:00:00+00:00",
                       got=req.expires_at.isoformat(), kept="nothing was stored")
    if req.expires_at <= now:
        raise BadInput("the expiry is not in the future", field="expires_at",
                       expected=f"a time after {now.isoformat()}", got=req.expires_at.isoformat(),
                       kept="nothing was stored")
    if not (req.batch_ids or req.version_ids or req.dataset_ids):
        raise BadInput("an exception must cover at least one batch, version or dataset",
                       field="covers", expected="--batch, --version or --dataset",
                       kept="nothing was stored")
    if req.type == ExceptionType.COMPLIANCE.value:
        _check_compliance_records(req)


def _check_compliance_records(req: ExceptionRequest) -> None:
    """Table 24-9: a compliance exception records its source, risk level and access list."""
    kept = "nothing was stored"
    if not req.source_description.strip():
        raise BadInput("a compliance exception needs its source description",
                       field="source_description", expected="where the data comes from and "
                       "what is undetermined", kept=kept, hint="--source-description TEXT")
    if req.risk_level not in {r.value for r in RiskLevel}:
        raise BadInput("a compliance exception needs its risk level", field="risk_level",
                       expected="one of " + ", ".join(r.value for r in RiskLevel),
                       got=req.risk_level or "nothing", kept=kept, hint="--risk-level LEVEL")
    if not req.access_list or any(not p.strip() for p in req.access_list):
        raise BadInput("a compliance exception needs its access list", field="access_list",
                       expected="at least one person id who may read what it covers",
                       kept=kept, hint="--access PERSON (repeatable)")


def _compliance_records(req: ExceptionRequest) -> dict[str, object]:
    if req.type != ExceptionType.COMPLIANCE.value:
        return {}
    return {"source_description": req.source_description.strip(),
            "risk_level": RiskLevel(str(req.risk_level)),
            "access_list": list(dict.fromkeys(p.strip() for p in req.access_list))}


def _check_refs(s: Session, req: ExceptionRequest, requested_by: str) -> None:
    kept = "nothing was stored"
    if People(s).find(requested_by) is None:
        raise NotFound(f"person {requested_by} does not exist", field="requested_by", kept=kept,
                       hint="flywheel people list")
    for person in req.access_list if req.type == ExceptionType.COMPLIANCE.value else []:
        if People(s).find(person.strip()) is None:
            raise NotFound(f"person {person} on the access list does not exist",
                           field="access_list", kept=kept, hint="flywheel people list")
    if req.project_id is not None and Projects(s).find(req.project_id) is None:
        raise NotFound(f"project {req.project_id} does not exist", field="project", kept=kept)
    checks = ((req.batch_ids, Batches(s), "batch"), (req.version_ids, DatasetVersions(s), "version"),
              (req.dataset_ids, Datasets(s), "dataset"))
    for ids, repo, kind in checks:
        for key in ids:
            if repo.find(key) is None:
                raise NotFound(f"{kind} {key} does not exist", field=kind, kept=kept)


def _covers_of(exception_id: str, req: ExceptionRequest) -> list[ExceptionCover]:
    covers = [ExceptionCover.of(exception_id, batch_id=b) for b in dict.fromkeys(req.batch_ids)]
    covers += [ExceptionCover.of(exception_id, version_id=v) for v in dict.fromkeys(req.version_ids)]
    covers += [ExceptionCover.of(exception_id, dataset_id=d) for d in dict.fromkeys(req.dataset_ids)]
    return covers


def approve(ws: Workspace, exception_id: str, *, approver: str, note: str = "",
            on_call: str | None = None, now: datetime | None = None) -> ExceptionView:
    """Record `approver`'s approval in the first open slot they qualify for; approved once all
    slots are filled. A wrong role, a second decision or an expired request is refused."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        record, approvals = _decidable(s, exception_id, approver, now)
        slots = open_slots(record, approvals)
        role = slot_for(s, record, approver, slots, on_call)
        if role is None:
            needed = "; ".join(slot_title(APPROVER_SLOTS[record.type][i]) for i in slots)
            raise PolicyViolation(
                f"{approver} may not approve {record.type.value} exception {exception_id}",
                expected=f"a person holding: {needed}" + _scope_note(record), got=approver,
                kept=f"{exception_id} is still requested",
                hint=f"flywheel exceptions show {exception_id}")
        if role is Role.PLATFORM_ENGINEER and approver == on_call:
            note = f"as the configured on-call person{': ' + note if note else ''}"
        decision = ExceptionApproval(exception_id=exception_id, approver_id=approver, role=role,
                                     decision=ApprovalDecision.APPROVED, note=note,
                                     decided_at=now)
        add_audited(ExceptionApprovals(s), decision, actor=ws.actor, reason=note or None)
        approvals = [*approvals, decision]
        if not open_slots(record, approvals):
            after = EXCEPTIONS.moved(record, XS.APPROVED, decided_at=now)
            update_audited(Exceptions(s), record, after, actor=ws.actor,
                           action="exception.approve", reason=note or None)
            tell_requester(s, ws.actor, after, now, "approved")
            record = after
        return _view(s, record)


def reject(ws: Workspace, exception_id: str, *, approver: str, reason: str,
           on_call: str | None = None, now: datetime | None = None) -> ExceptionView:
    """Any approver the type names may reject a requested exception, with a reason."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("a rejection needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{exception_id} is unchanged")
    with ws.db.unit_of_work() as s:
        record, _ = _decidable(s, exception_id, approver, now)
        every_slot = list(range(len(APPROVER_SLOTS[record.type])))
        role = slot_for(s, record, approver, every_slot, on_call)
        if role is None:
            needed = "; ".join(slot_title(slot) for slot in APPROVER_SLOTS[record.type])
            raise PolicyViolation(
                f"{approver} may not reject {record.type.value} exception {exception_id}",
                expected=f"a person holding: {needed}" + _scope_note(record), got=approver,
                kept=f"{exception_id} is still requested")
        decision = ExceptionApproval(exception_id=exception_id, approver_id=approver, role=role,
                                     decision=ApprovalDecision.REJECTED, note=reason,
                                     decided_at=now)
        add_audited(ExceptionApprovals(s), decision, actor=ws.actor, reason=reason)
        after = EXCEPTIONS.moved(record, XS.REJECTED, decided_at=now, ended_at=now,
                                 end_reason=reason)
        update_audited(Exceptions(s), record, after, actor=ws.actor, action="exception.reject",
                       reason=reason)
        tell_requester(s, ws.actor, after, now, "rejected")
        return _view(s, after)


def _decidable(s: Session, exception_id: str, approver: str,
               now: datetime) -> tuple[ExceptionRecord, list[ExceptionApproval]]:
    record = Exceptions(s).get(exception_id)
    if People(s).find(approver) is None:
        raise NotFound(f"person {approver} does not exist", field="approver",
                       kept=f"{exception_id} is unchanged", hint="flywheel people list")
    move(f"exception {exception_id}", record.state, XS.APPROVED)
    if now >= record.expires_at:
        raise PolicyViolation(
            f"exception {exception_id} expired at {record.expires_at.isoformat()} before it "
            "was decided", kept=f"{exception_id} is still requested and covers nothing",
            hint="flywheel exceptions request … with a later --expires")
    if approver == record.requested_by_id:
        raise PolicyViolation(f"{approver} requested exception {exception_id} and may not decide it",
                              expected="an approver other than the requester", got=approver,
                              kept=f"{exception_id} is still requested",
                              hint=f"flywheel exceptions withdraw {exception_id} --by {approver}")
    approvals = ExceptionApprovals(s).list(exception_id=exception_id)
    if any(a.approver_id == approver for a in approvals):
        raise PolicyViolation(f"{approver} has already decided on exception {exception_id}",
                              expected="a different approver for each slot", got=approver,
                              kept=f"{exception_id} is still requested")
    return record, approvals


def _scope_note(record: ExceptionRecord) -> str:
    return f" in project {record.project_id}" if record.project_id else ""


def withdraw(ws: Workspace, exception_id: str, *, by: str, reason: str,
             now: datetime | None = None) -> ExceptionRecord:
    """The requester withdraws a request that is not yet decided."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        record = Exceptions(s).get(exception_id)
        if by != record.requested_by_id:
            raise PolicyViolation(f"only the requester may withdraw exception {exception_id}",
                                  expected=record.requested_by_id, got=by,
                                  kept=f"{exception_id} is unchanged")
        after = EXCEPTIONS.moved(record, XS.WITHDRAWN, decided_at=now, ended_at=now,
                                 end_reason=reason or "withdrawn")
        return update_audited(Exceptions(s), record, after, actor=ws.actor,
                              action="exception.withdraw", reason=reason or None)


def revoke(ws: Workspace, exception_id: str, *, by: str, reason: str,
           on_call: str | None = None, now: datetime | None = None) -> ExceptionRecord:
    """End an approved exception before its expiry; anyone who may approve its type may, with a
    reason. What it covered is blocked again at once, and the grants resting on it are revoked."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("a revocation needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{exception_id} is unchanged")
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now)
        record = Exceptions(s).get(exception_id)
        every_slot = list(range(len(APPROVER_SLOTS[record.type])))
        if slot_for(s, record, by, every_slot, on_call) is None:
            needed = "; ".join(slot_title(slot) for slot in APPROVER_SLOTS[record.type])
            raise PolicyViolation(
                f"{by} may not revoke {record.type.value} exception {exception_id}",
                expected=f"a person holding: {needed}" + _scope_note(record), got=by,
                kept=f"{exception_id} is still {record.state.value}")
        after = EXCEPTIONS.revoke(s, record, reason=reason, at=now, actor=ws.actor)
        if after is None:
            raise Conflict(f"exception {exception_id} was ended meanwhile by someone else",
                           kept=f"{exception_id} is unchanged by this revocation",
                           hint=f"flywheel exceptions show {exception_id}")
        end_grants_resting_on(s, record.id, why=f"revoked: {reason}", at=now, actor=ws.actor)
        return after


def _view(s: Session, record: ExceptionRecord) -> ExceptionView:
    approvals = ExceptionApprovals(s).list(exception_id=record.id)
    slots = open_slots(record, approvals) if record.state is XS.REQUESTED else []
    return ExceptionView(
        exception=record, covers=ExceptionCovers(s).list(exception_id=record.id),
        approvals=sorted(approvals, key=lambda a: (a.decided_at, a.approver_id)),
        open_slots=[slot_title(APPROVER_SLOTS[record.type][i]) for i in slots])


def show(ws: Workspace, exception_id: str, *, now: datetime | None = None) -> ExceptionView:
    """One exception with covers and decisions, after expiring what is due."""
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now or utcnow())
        return _view(s, Exceptions(s).get(exception_id))


def list_exceptions(ws: Workspace, *, state: str | None = None, type: str | None = None,
                    now: datetime | None = None) -> list[ExceptionRecord]:
    """Exceptions by id, optionally of one state and type, after expiring what is due."""
    return list(exceptions(ws, state=state, type=type, now=now).stream())


def exceptions(ws: Workspace, *, state: str | None = None, type: str | None = None,
               project: str | None = None,
               now: datetime | None = None) -> Listing[ExceptionRecord]:
    """Exceptions by id, optionally of one state, type and project (in the database), paged or
    streamed; what is due expires first, in its own transaction."""
    filters = {k: v for k, v in (("state", state), ("type", type)) if v is not None}
    for name, value in filters.items():
        enum = XS if name == "state" else ExceptionType
        if value not in {m.value for m in enum}:
            raise BadInput(f"unknown exception {name} {value!r}", field=name,
                           expected="one of " + ", ".join(m.value for m in enum))
    with ws.db.unit_of_work() as s:
        expire_due(s, at=now or utcnow())
    return Listing(ws, Exceptions, project_id=project, **filters)


# The questions the team server asks before a route runs (`api.record_rules.Asks`), with no
# on-call person named (the server takes none from a caller): the same people `approve`,
# `reject`, `revoke` and `withdraw` accept. A request no longer awaiting decisions is the flow's
# 409 for anyone who could have decided it.

def _undecided_by(s: Session, record: ExceptionRecord, person: str) -> bool:
    """Not its requester, no decision of theirs yet, and the request has not run out."""
    if utcnow() >= record.expires_at:
        return False
    return person != record.requested_by_id and not any(
        a.approver_id == person for a in ExceptionApprovals(s).list(exception_id=record.id))


def _every_slot(record: ExceptionRecord) -> list[int]:
    return list(range(len(APPROVER_SLOTS[record.type])))


def may_approve(session: Session, exception_id: str, person: str) -> bool:
    """Whether `person` may approve: not its requester, not yet decided, before its expiry, and
    holding the role of an open approver slot (any slot's, once the request is decided)."""
    record = Exceptions(session).get(exception_id)
    if record.state is not XS.REQUESTED:
        return slot_for(session, record, person, _every_slot(record), None) is not None
    slots = open_slots(record, ExceptionApprovals(session).list(exception_id=exception_id))
    return _undecided_by(session, record, person) and \
        slot_for(session, record, person, slots, None) is not None


def may_reject(session: Session, exception_id: str, person: str) -> bool:
    """Whether `person` may reject: any approver of the type, not its requester, not yet decided."""
    record = Exceptions(session).get(exception_id)
    eligible_now = slot_for(session, record, person, _every_slot(record), None) is not None
    return eligible_now and (record.state is not XS.REQUESTED
                             or _undecided_by(session, record, person))


def may_revoke(session: Session, exception_id: str, person: str) -> bool:
    """Whether `person` may revoke: anyone who may approve its type."""
    record = Exceptions(session).get(exception_id)
    return slot_for(session, record, person, _every_slot(record), None) is not None


def may_withdraw(session: Session, exception_id: str, person: str) -> bool:
    """Whether `person` may withdraw: its requester only."""
    return Exceptions(session).get(exception_id).requested_by_id == person
