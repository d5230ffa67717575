"""Consulted, done properly: a request for input with a deadline, answered or recorded unanswered.

`request` asks every person who is C for a RACI item (resolved like every RACI question) for
their input on one decision (a record such as a dataset version), with a deadline, and notifies
each. Only the consulted person answers (`answer` runs as the acting person, before the deadline).
At the deadline an open request becomes unanswered (`close_due`, run by every read and by the
release), so the approval shows who was asked, what they said, and who did not answer in time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.raci import Consultation, ConsultState
from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.governance.raci import who
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import Consultations, Projects


def request(ws: Workspace, item_id: str, *, record_kind: str, record_id: str, due_at: datetime,
            project_id: str | None = None, now: datetime | None = None) -> list[Consultation]:
    """Ask each Consulted person of `item_id` for input on `record_kind` `record_id` by `due_at`."""
    now = now or utcnow()
    if due_at <= now:
        raise BadInput("a consultation needs a deadline in the future", field="due",
                       expected=f"a time after {now.isoformat()}", got=due_at.isoformat(),
                       kept="nothing was asked")
    with ws.db.unit_of_work() as s:
        if project_id is not None:
            Projects(s).get(project_id)
        consulted = who(s, item_id, project_id).consulted
        if not consulted:
            raise PolicyViolation(f"nobody is Consulted for {item_id!r}", kept="nothing was asked",
                                  hint=f"flywheel raci who {item_id}")
        made = []
        for person in consulted:
            made.append(add_audited(Consultations(s), Consultation(
                id=Consultations(s).next_id(), item_id=item_id, record_kind=record_kind,
                record_id=record_id, person_id=person, requested_by_id=ws.actor,
                requested_at=now, due_at=due_at), actor=ws.actor))
            notify(s, actor=ws.actor, to=person, kind="consult", record_kind=record_kind,
                   record_id=record_id, at=now, subject=f"your input on {record_kind} {record_id}",
                   body=f"{item_id}: answer by {due_at.isoformat()} with "
                        f"flywheel raci answer {made[-1].id} --response TEXT")
        return made


def answer(ws: Workspace, consultation_id: str, *, response: str,
           now: datetime | None = None) -> Consultation:
    """The consulted person's own answer, before the deadline."""
    now = now or utcnow()
    if not response.strip():
        raise BadInput("an answer needs a response", field="response", hint="--response TEXT",
                       kept=f"{consultation_id} is unchanged")
    with ws.db.unit_of_work() as s:
        close_due(s, actor=ws.actor, at=now)
        asked = Consultations(s).get(consultation_id)
        if asked.person_id != ws.actor:
            raise PolicyViolation(f"{consultation_id} asks {asked.person_id}, not {ws.actor}",
                                  expected=asked.person_id, got=ws.actor,
                                  kept=f"{consultation_id} is unchanged")
        if asked.state is not ConsultState.REQUESTED:
            raise PolicyViolation(f"{consultation_id} is {asked.state.value}",
                                  expected="an open request (before its deadline "
                                  f"{asked.due_at.isoformat()})", kept=f"{consultation_id} is unchanged")
        after = asked.model_copy(update={"state": ConsultState.ANSWERED, "response": response,
                                         "closed_at": now})
        return update_audited(Consultations(s), asked, Consultation.model_validate(after.model_dump()),
                              actor=ws.actor, action="consultation.answer", reason=response)


def close_due(s: Session, *, actor: str, at: datetime) -> list[str]:
    """Record every open request past its deadline as unanswered (audited); returns their ids."""
    closed = []
    for asked in Consultations(s).list(state=ConsultState.REQUESTED.value):
        if asked.due_at <= at:
            after = asked.model_copy(update={"state": ConsultState.UNANSWERED, "closed_at": at})
            update_audited(Consultations(s), asked, after, actor=actor,
                           action="consultation.unanswered",
                           reason=f"no answer by the deadline {asked.due_at.isoformat()}")
            closed.append(asked.id)
    return closed


def outcome(asked: Consultation) -> str:
    """One line for an approval: what the consulted person said, or that they did not in time."""
    if asked.state is ConsultState.ANSWERED:
        return f"answered: {asked.response}"
    if asked.state is ConsultState.UNANSWERED:
        return f"unanswered by the deadline {asked.due_at.isoformat()}"
    return f"asked {asked.id}, open until {asked.due_at.isoformat()}"


def on_record(s: Session, record_kind: str, record_id: str) -> dict[str, Consultation]:
    """The newest consultation of each person on one record, by person."""
    found = sorted(Consultations(s).list(record_kind=record_kind, record_id=record_id),
                   key=lambda c: (c.requested_at, c.id))
    return {c.person_id: c for c in found}


def outcomes(s: Session, *, actor: str, record_kind: str, record_id: str,
             at: datetime) -> dict[str, str]:
    """Person → the outcome line of their consultation on one record (deadlines applied first)."""
    close_due(s, actor=actor, at=at)
    return {person: outcome(c) for person, c in on_record(s, record_kind, record_id).items()}


def consultations(ws: Workspace, *, record_kind: str | None = None, record_id: str | None = None,
                  now: datetime | None = None) -> list[Consultation]:
    """Every consultation (of one record), with those past their deadline recorded unanswered."""
    with ws.db.unit_of_work() as s:
        if ws.acting_person is not None:
            close_due(s, actor=ws.acting_person, at=now or utcnow())
        filters = {k: v for k, v in (("record_kind", record_kind), ("record_id", record_id)) if v}
        return Consultations(s).list(**filters)


def consultation_listing(ws: Workspace, *, record_kind: str | None = None,
                         record_id: str | None = None, person_id: str | None = None,
                         now: datetime | None = None) -> Listing[Consultation]:
    """`consultations` a page at a time (`GET /api/v1/raci/consultations`): the deadlines are
    applied first (as the acting person), then the stored records are paged by id."""
    if ws.acting_person is not None:
        with ws.db.unit_of_work() as s:
            close_due(s, actor=ws.acting_person, at=now or utcnow())
    return Listing(ws, Consultations, record_kind=record_kind, record_id=record_id,
                   person_id=person_id)


def consultation_json(asked: Consultation) -> dict[str, object]:
    """A consultation with its outcome line, as `flywheel raci consultations --json` prints it."""
    return asked.model_dump(mode="json") | {"outcome": outcome(asked)}
