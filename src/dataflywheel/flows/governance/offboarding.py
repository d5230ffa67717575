"""Offboarding (chapter Table 24-21, "Offboarding and revocation: are permissions closed?").

`offboard` closes every permission a leaving person has, each step audited by the acting person:
their access grants are revoked (active) or denied (still requested) through the access flow, as the
sharing Accountable or Legal/Compliance would; then, in one transaction, their role holdings are
removed, their logins unbound and the person deactivated. A deactivated person can no longer act
(their login resolves to nobody) or approve (they hold no role, so no RACI letter names them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.people import Person, RoleHolding
from dataflywheel.domain.states import GrantState
from dataflywheel.errors import BadInput, Conflict, PolicyViolation
from dataflywheel.flows.governance import access
from dataflywheel.flows._audit import audit, update_audited
from dataflywheel.flows.governance.people import remove_holding
from dataflywheel.flows.governance.tokens import revoke_tokens_of_in
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.governance import AccessGrants
from dataflywheel.store.repositories.people import LoginBindings, People, RoleHoldings
from dataflywheel.store.tables.people import LoginBindingRow


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
    """Revoke grants, remove roles, unbind logins and deactivate `person_id`; see the module doc.

    Grants are closed first, one audited transaction each (the access flow's own); if the acting
    person may not close one, nothing else changes and running `offboard` again continues."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("offboarding needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{person_id} is unchanged")
    actor = ws.actor
    with ws.db.session() as s:
        done = Offboarded(person=_offboardable(People(s).get(person_id), actor))
        grants = AccessGrants(s).list(grantee_id=person_id)
    why = f"offboarding {person_id}: {reason}"
    for grant in grants:
        if grant.state is GrantState.ACTIVE:
            access.revoke(ws, grant.id, by=actor, reason=why, now=now)
            done.grants_revoked.append(grant.id)
        elif grant.state is GrantState.REQUESTED:
            access.deny(ws, grant.id, approver=actor, reason=why, now=now)
            done.grants_denied.append(grant.id)
    with ws.db.unit_of_work() as s:
        person = People(s).get(person_id)
        if not person.active:
            raise Conflict(f"{person_id} was offboarded meanwhile by someone else",
                           kept="nothing more was changed", hint=f"flywheel people show {person_id}")
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
