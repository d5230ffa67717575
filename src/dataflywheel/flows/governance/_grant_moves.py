"""How an access grant ends — expired, revoked by a person, or revoked because the compliance
exception it rested on ended — through the one lifecycle every time-limited record uses
(`flows.governance._lifecycle`): the row moves only if it is still active, with one audit entry,
and grantee and requester are told. Shared by `flows.governance.access` and the exceptions' end,
so a grant and the exception behind it share one expire/revoke lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.governance import AccessGrant
from dataflywheel.domain.states import GrantState as GS
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
