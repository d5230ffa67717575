"""How an access grant ends — expired, revoked by a person, or revoked because the compliance
exception it rested on ended — through the one guarded move every time-limited record uses
(`flows._expiry.move_if_still`): the row moves only if it is still active, with one audit entry,
and grantee and requester are told. Shared by `flows.access` and the exceptions' expiry, so a
grant and the exception behind it share one expire/revoke lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.governance import AccessGrant
from dataflywheel.domain.states import GrantState as GS
from dataflywheel.domain.states import move
from dataflywheel.flows.governance._expiry import move_if_still
from dataflywheel.flows.notifications import notify
from dataflywheel.store.repositories.governance import AccessGrants
from dataflywheel.store.tables.governance import AccessGrantRow


def moved(grant: AccessGrant, target: GS | None, **fields: object) -> AccessGrant:
    """`grant` with `fields` set, moved to `target` (checked by the state machine)."""
    state = move(f"access grant {grant.id}", grant.state, target) if target else grant.state
    return AccessGrant.model_validate({**grant.model_dump(), "state": state, **fields})


def tell(s: Session, actor: str, grant: AccessGrant, now: datetime, what: str) -> None:
    """Notify grantee and requester that `grant` was `what` (approved, revoked, …)."""
    for person in sorted({grant.grantee_id, grant.requested_by_id}):
        notify(s, actor=actor, to=person, kind=f"access.{what}", record_kind="access_grant",
               record_id=grant.id, at=now, subject=f"grant {grant.id} on {grant.asset_id} {what}",
               body=f"grantee {grant.grantee_id}; expires {grant.expires_at.isoformat()}")


def end(session: Session, grant: AccessGrant, *, target: GS, ended_at: datetime, reason: str,
        actor: str, action: str, now: datetime) -> bool:
    """Move active `grant` to `target` (expired or revoked), audited as `action`; False when
    someone moved it first (nothing written)."""
    after = moved(grant, target, ended_at=ended_at, end_reason=reason)
    done = move_if_still(session, row_type=AccessGrantRow, key=grant.id, before=grant,
                         after=after, from_state=GS.ACTIVE.value, actor=actor, action=action,
                         kind="access_grant", reason=reason,
                         values={"state": after.state.value, "ended_at": ended_at,
                                 "end_reason": reason})
    if done:
        tell(session, actor, after, now, target.value)
    return done


def end_grants_resting_on(session: Session, exception_id: str, *, why: str, at: datetime,
                          actor: str) -> list[str]:
    """Revoke every active grant that rests on exception `exception_id` (it expired or was
    revoked: Table 24-9, "access permissions automatically revoked upon expiry"); their ids."""
    ended: list[str] = []
    for grant in AccessGrants(session).list(exception_id=exception_id, state=GS.ACTIVE.value):
        reason = f"exception {exception_id} {why}"
        if end(session, grant, target=GS.REVOKED, ended_at=at, reason=reason, actor=actor,
               action="access_grant.revoke", now=at):
            ended.append(grant.id)
    return ended
