"""How an access grant ends — expired, revoked by a person, revoked because the compliance
exception it rested on ended, or closed because its grantee left — through the one lifecycle every
time-limited record uses (`flows.governance._lifecycle`): the row moves only if it is still
active, with one audit entry, and grantee and requester are told. Shared by
`flows.governance.access`, the exceptions' end and offboarding, so they share one lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.governance import AccessGrant
from dataflywheel.domain.states import GrantState as GS
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.governance._lifecycle import Lifecycle
from dataflywheel.flows.notifications import notify
from dataflywheel.store.repositories.governance import AccessGrants
from dataflywheel.store.tables.governance import AccessGrantRow


def tell(s: Session, actor: str, grant: AccessGrant, now: datetime, what: str) -> None:
    """Notify grantee and requester that `grant` was `what` (approved, revoked, …)."""
    for person in sorted({grant.grantee_id, grant.requested_by_id}):
        notify(s, actor=actor, to=person, kind=f"access.{what}", record_kind="access_grant",
               record_id=grant.id, at=now, subject=f"grant {grant.id} on {grant.asset_id} {what}",
               body=f"grantee {grant.grantee_id}; expires {grant.expires_at.isoformat()}")


GRANTS: Lifecycle[AccessGrant] = Lifecycle(
    noun="access grant", kind="access_grant", row_type=AccessGrantRow, live=GS.ACTIVE,
    expired=GS.EXPIRED, revoked=GS.REVOKED, tell=tell)


def end_grants_resting_on(session: Session, exception_id: str, *, why: str, at: datetime,
                          actor: str) -> list[str]:
    """Revoke every active grant that rests on exception `exception_id` (it expired or was
    revoked: Table 24-9, "access permissions automatically revoked upon expiry"); their ids."""
    ended: list[str] = []
    for grant in AccessGrants(session).list(exception_id=exception_id, state=GS.ACTIVE.value):
        reason = f"exception {exception_id} {why}"
        if GRANTS.revoke(session, grant, reason=reason, at=at, actor=actor):
            ended.append(grant.id)
    return ended


def deny_in(session: Session, actor: str, grant: AccessGrant, *, reason: str,
            now: datetime) -> AccessGrant:
    """Move requested `grant` to denied with `reason`, audited as `access_grant.deny`, and tell
    grantee and requester; the denied grant. Whether `actor` may is the caller's question."""
    after = GRANTS.moved(grant, GS.DENIED, ended_at=now, end_reason=reason)
    update_audited(AccessGrants(session), grant, after, actor=actor, action="access_grant.deny",
                   reason=reason)
    tell(session, actor, after, now, "denied")
    return after


def close_grants_of_leaver(session: Session, person_id: str, *, why: str, at: datetime,
                           actor: str) -> tuple[list[str], list[str]]:
    """Close every grant of `person_id`, who is being offboarded (Table 24-21, "are permissions
    closed?"): active ones revoked, requested ones denied, each audited under `actor` with `why`;
    (revoked ids, denied ids). No sharing Accountable is asked, as none is when an exception's
    end revokes its grants: the A approves giving access, and closing the access of someone who
    left never widens it."""
    revoked: list[str] = []
    denied: list[str] = []
    for grant in AccessGrants(session).list(grantee_id=person_id):
        if grant.state is GS.ACTIVE and GRANTS.revoke(session, grant, reason=why, at=at,
                                                      actor=actor):
            revoked.append(grant.id)
        elif grant.state is GS.REQUESTED:
            denied.append(deny_in(session, actor, grant, reason=why, now=at).id)
    return revoked, denied
