"""Offboarding (chapter Table 24-21, "Offboarding and revocation: are permissions closed?").

`offboard` closes every permission a leaving person has, in one transaction, each step audited
under the acting person with the reason: their access grants are closed (active ones revoked,
requested ones denied: `_grant_moves.close_grants_of_leaver`), their role holdings removed, their
logins unbound, their API tokens revoked and the person deactivated. A deactivated person can no
longer act (their login resolves to nobody, their tokens to a 401) or approve (they hold no role,
so no RACI letter names them).

Closing a leaver's grants does not need the sharing Accountable, whoever offboards (an
administrator on the team server): the chapter has the A approve access being given, and
revocation happen by rule — on expiry, at an exception's end (Table 24-9) and when a person leaves;
closing access never widens it. A crash leaves the person either fully active or fully closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.people import Person, RoleHolding
from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows._audit import audit, update_audited
from dataflywheel.flows.governance._grant_moves import close_grants_of_leaver
from dataflywheel.flows.governance.access import expire_due
from dataflywheel.flows.governance.people import remove_holding
from dataflywheel.flows.governance.tokens import revoke_tokens_of_in
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import LoginBindings, People, RoleHoldings
from dataflywheel.store.tables.people import LoginBindingRow, PersonRow


@dataclass
class Offboarded:
    """What offboarding closed, for the report and the demo."""

    person: Person
    roles_removed: list[RoleHolding] = field(default_factory=list)
    logins_unbound: list[str] = field(default_factory=list)
    grants_revoked: list[str] = field(default_factory=list)
    grants_denied: list[str] = field(default_factory=list)
    tokens_revoked: list[str] = field(default_factory=list)


def offboard(ws: Workspace, person_id: str, *, reason: str,
             now: datetime | None = None) -> Offboarded:
    """Close grants, remove roles, unbind logins, revoke tokens and deactivate `person_id`, in
    one transaction; see the module doc."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("offboarding needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{person_id} is unchanged")
    actor = ws.actor
    why = f"offboarding {person_id}: {reason}"
    with ws.db.unit_of_work() as s:
        s.get(PersonRow, person_id, with_for_update=True)  # a concurrent offboarding waits, then
        person = _offboardable(People(s).get(person_id), actor)  # finds them offboarded
        done = Offboarded(person=person)
        expire_due(s, at=now)  # what is past its expiry ends as expired, not as revoked
        done.grants_revoked, done.grants_denied = close_grants_of_leaver(
            s, person_id, why=why, at=now, actor=actor)
        for holding in RoleHoldings(s).list(person_id=person_id):
            remove_holding(s, actor, holding, reason=why)
            done.roles_removed.append(holding)
        for binding in LoginBindings(s).list(person_id=person_id):
            s.execute(delete(LoginBindingRow).where(LoginBindingRow.login == binding.login))
            audit(s, actor=actor, action="login_binding.remove", kind="login_binding",
                  record_id=binding.login, before=binding, after=None, reason=why)
            done.logins_unbound.append(binding.login)
        done.tokens_revoked = revoke_tokens_of_in(s, person_id, actor=actor, reason=why, at=now)
        done.person = update_audited(People(s), person, person.model_copy(update={"active": False}),
                                     actor=actor, action="person.offboard", reason=reason)
    return done


def offboarded_json(done: Offboarded) -> dict[str, object]:
    """What offboarding closed, as `flywheel people offboard --json` and the API answer it."""
    from dataflywheel.flows.governance.people import holding_label

    return {"person": done.person.id, "active": done.person.active,
            "roles_removed": [holding_label(h) for h in done.roles_removed],
            "logins_unbound": done.logins_unbound, "grants_revoked": done.grants_revoked,
            "grants_denied": done.grants_denied, "tokens_revoked": done.tokens_revoked}


def _offboardable(person: Person, actor: str) -> Person:
    if not person.active:
        raise PolicyViolation(f"{person.id} is already offboarded", kept="nothing was changed",
                              hint=f"flywheel people show {person.id}")
    if person.id == actor:
        raise PolicyViolation(f"{actor} cannot offboard themself", expected="another person",
                              kept="nothing was changed",
                              hint="the Data Owner or another team member runs it")
    return person
