"""Personal API tokens and the team server's administrators: create, list, revoke, authenticate.

Who may do what: anyone active creates and revokes their own tokens; an administrator
(`server_admins`) does so for anyone and names other administrators. A workspace with no
administrator (one upgraded from before tokens) lets the first bound person claim the role, the
way `people bind` lets the first login claim a person. Every change is audited; the token's secret
is shown once, in `create`'s answer, and only its SHA-256 is stored.

`authenticate_in` is what the server asks on every request: one indexed read (one round trip) of
the token, its person, their administrator flag and their role holdings. A token that is unknown,
wrong, revoked, past its expiry or whose person was offboarded is refused with the reason
(`Unauthenticated`, HTTP 401), and nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.people import RoleHolding
from dataflywheel.domain.roles import Role
from dataflywheel.domain.records.tokens import ApiToken, ServerAdmin
from dataflywheel.domain.states import TokenState
from dataflywheel.errors import BadInput, NotFound, PolicyViolation, Unauthenticated
from dataflywheel.flows._audit import add_audited, audit
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.governance._lifecycle import Lifecycle
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.people import People
from dataflywheel.store.repositories.tokens import ApiTokens, ServerAdmins
from dataflywheel.store.tables.people import PersonRow, RoleHoldingRow
from dataflywheel.store.tables.tokens import ApiTokenRow, ServerAdminRow

PREFIX = "fwt_"
MAX_LIFETIME = timedelta(days=365)
SYSTEM_ACTOR = "flywheel:expiry"


@dataclass(frozen=True)
class Authenticated:
    """Who a request acts as: the person, the token they used, and what they hold."""

    person_id: str
    token_id: str
    admin: bool
    holdings: tuple[RoleHolding, ...]


def _tell(session: Session, actor: str, token: ApiToken, now: datetime, what: str) -> None:
    notify(session, actor=actor, to=token.person_id, kind=f"api_token.{what}",
           subject=f"your API token {token.id} ({token.label or 'no label'}) was {what}",
           record_kind="api_token", record_id=token.id)


TOKENS: Lifecycle[ApiToken] = Lifecycle(
    noun="API token", kind="api_token", row_type=ApiTokenRow, live=TokenState.ACTIVE,
    expired=TokenState.EXPIRED, revoked=TokenState.REVOKED, tell=_tell)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _is_admin(s: Session, person_id: str) -> bool:
    return s.get(ServerAdminRow, person_id) is not None


def _require_self_or_admin(s: Session, actor: str, person_id: str, doing: str) -> None:
    if actor != person_id and not _is_admin(s, actor):
        raise PolicyViolation(f"{actor} may not {doing} for {person_id}",
                              expected="the person themself, or a server administrator",
                              kept="nothing was changed", hint="flywheel admins list")


def create_token(ws: Workspace, person_id: str, *, lifetime: timedelta, label: str = "",
                 now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `person_id` (active, expiring after `lifetime`) and its plaintext — the only
    time the plaintext exists; the store keeps its hash."""
    now = now or utcnow()
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise BadInput("a token's lifetime must be positive and at most a year", field="expires",
                       got=str(lifetime), kept="no token was created")
    token_id = "tok_" + secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with ws.db.unit_of_work() as s:
        actor = ws.actor
        _require_self_or_admin(s, actor, person_id, "create an API token")
        person = People(s).get(person_id)
        if not person.active:
            raise PolicyViolation(f"{person_id} was offboarded; no token may act as them",
                                  kept="no token was created", hint=f"flywheel people show {person_id}")
        token = ApiToken(id=token_id, person_id=person_id, label=label, created_by=actor,
                         secret_sha256=secret_hash(secret), created_at=now,
                         expires_at=now + lifetime)
        add_audited(ApiTokens(s), token, actor=actor)
    return token, f"{PREFIX}{token_id[4:]}_{secret}"


def revoke_token(ws: Workspace, token_id: str, *, reason: str,
                 now: datetime | None = None) -> ApiToken:
    """End an active token now (audited, its person told); refused for an ended one."""
    now = now or utcnow()
    if not reason.strip():
        raise BadInput("revoking a token needs a reason", field="reason", hint="--reason TEXT",
                       kept=f"{token_id} is unchanged")
    with ws.db.unit_of_work() as s:
        actor = ws.actor
        token = ApiTokens(s).get(token_id)
        _require_self_or_admin(s, actor, token.person_id, "revoke an API token")
        ended = TOKENS.revoke(s, token, reason=reason, at=now, actor=actor)
        if ended is None:
            raise BadInput(f"API token {token_id} is {token.state.value}, not active",
                           expected="an active token", kept=f"{token_id} is unchanged")
        return ended


def revoke_tokens_of_in(s: Session, person_id: str, *, actor: str, reason: str,
                        at: datetime) -> list[str]:
    """Revoke every active token of `person_id` in the caller's transaction (offboarding)."""
    ended = []
    for token in ApiTokens(s).list(person_id=person_id, state=TokenState.ACTIVE.value):
        if TOKENS.revoke(s, token, reason=reason, at=at, actor=actor):
            ended.append(token.id)
    return ended


def expire_due(ws: Workspace, *, now: datetime | None = None) -> list[str]:
    """Record every active token past its expiry as expired (audited); their ids. Authentication
    already refuses them without this: it only keeps the records true."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        due = s.scalars(select(ApiTokenRow).where(ApiTokenRow.state == TokenState.ACTIVE.value,
                                                  ApiTokenRow.expires_at <= now)).all()
        records = [ApiTokens(s).to_record(row) for row in due]
        return [t.id for t in records if TOKENS.expire(s, t, at=now, actor=SYSTEM_ACTOR)]


def tokens(ws: Workspace, *, person_id: str | None = None,
           state: TokenState | None = None) -> Listing[ApiToken]:
    return Listing(ws, ApiTokens, person_id=person_id, state=state.value if state else None)


def split_token(presented: str) -> tuple[str, str] | None:
    """(token id, secret) of a well-formed token, else None."""
    if not presented.startswith(PREFIX):
        return None
    head, sep, secret = presented[len(PREFIX):].partition("_")
    if not sep or len(head) != 12 or not secret or len(presented) > 200:
        return None
    return "tok_" + head, secret


def authenticate_in(s: Session, presented: str, *, at: datetime | None = None) -> Authenticated:
    """The person `presented` acts as, with their role holdings and admin flag; `Unauthenticated`
    naming why otherwise. Reads only."""
    at = at or utcnow()
    parts = split_token(presented)
    if parts is None:
        raise Unauthenticated("malformed bearer token", expected=f"a personal token {PREFIX}…",
                              hint="flywheel tokens create PERSON --expires 30d")
    token_id, secret = parts
    rows = s.execute(AUTHENTICATE, {"token_id": token_id}).all()
    if not rows or not hmac.compare_digest(secret_hash(secret), rows[0].secret_sha256):
        raise Unauthenticated("bearer token not accepted", hint="check the token, or create one: "
                              "flywheel tokens create PERSON --expires 30d")
    return authenticated(rows, at)


def authenticated(rows: Sequence[Row[Any]], at: datetime) -> Authenticated:
    """The person of `AUTHENTICATE`'s rows for a token already matched (by its secret, or by a
    dashboard session opened with it): refused when the token was revoked or expired, or its
    person offboarded — a session lasts no longer than the token it was opened with."""
    row = rows[0]
    if row.state != TokenState.ACTIVE.value:
        raise Unauthenticated(f"API token {row.id} was {row.state}", hint="create a new one: "
                              "flywheel tokens create PERSON --expires 30d")
    if row.expires_at <= at:
        raise Unauthenticated(f"API token {row.id} expired at {row.expires_at.isoformat()}",
                              hint="create a new one: flywheel tokens create PERSON --expires 30d")
    if not row.active:
        raise Unauthenticated(f"{row.person_id} was offboarded; their tokens no longer act",
                              hint=f"flywheel people show {row.person_id}")
    holdings = tuple(RoleHolding(id=r.holding_id, person_id=row.person_id, role=Role(r.role),
                                 project_id=r.project_id)
                     for r in sorted(rows, key=lambda r: r.holding_id or "") if r.holding_id)
    return Authenticated(person_id=row.person_id, token_id=row.id,
                         admin=row.admin is not None, holdings=holdings)


# One round trip per request: the token, its person's `active`, whether they administer the server,
# and their role holdings (one row each; LEFT JOINs, so a person with none still gets one row).
# Plain rows, no ORM objects; the person is read on every request, so offboarding acts at once.
AUTHENTICATE = (
    select(ApiTokenRow.id, ApiTokenRow.person_id, ApiTokenRow.secret_sha256, ApiTokenRow.state,
           ApiTokenRow.expires_at, PersonRow.active, ServerAdminRow.person_id.label("admin"),
           RoleHoldingRow.id.label("holding_id"), RoleHoldingRow.role, RoleHoldingRow.project_id)
    .join(PersonRow, PersonRow.id == ApiTokenRow.person_id)
    .outerjoin(ServerAdminRow, ServerAdminRow.person_id == ApiTokenRow.person_id)
    .outerjoin(RoleHoldingRow, RoleHoldingRow.person_id == ApiTokenRow.person_id)
    .where(ApiTokenRow.id == bindparam("token_id"))
)


def grant_admin(ws: Workspace, person_id: str) -> ServerAdmin:
    """Make `person_id` a server administrator. An administrator names others; with none at all,
    a bound person may claim it for themself (bootstrap of an upgraded workspace)."""
    with ws.db.unit_of_work() as s:
        actor = ws.actor
        claim = actor == person_id and not ServerAdmins(s).list()
        if not claim and not _is_admin(s, actor):
            raise PolicyViolation(f"{actor} is not a server administrator",
                                  expected="a server administrator", kept="nothing was changed",
                                  hint="flywheel admins list")
        if not People(s).get(person_id).active:
            raise PolicyViolation(f"{person_id} was offboarded", kept="nothing was changed")
        return add_audited(ServerAdmins(s), ServerAdmin(person_id=person_id, granted_by=actor),
                           actor=actor, reason="claimed: no administrator yet" if claim else None)


def add_admin_in(s: Session, person_id: str, *, actor: str, reason: str) -> ServerAdmin:
    """Record `person_id` as an administrator in the caller's transaction (workspace creation)."""
    return add_audited(ServerAdmins(s), ServerAdmin(person_id=person_id, granted_by=actor),
                       actor=actor, reason=reason)


def revoke_admin(ws: Workspace, person_id: str, *, reason: str) -> ServerAdmin:
    """Remove an administrator (by an administrator); the last one cannot be removed."""
    with ws.db.unit_of_work() as s:
        actor = ws.actor
        if not _is_admin(s, actor):
            raise PolicyViolation(f"{actor} is not a server administrator",
                                  kept="nothing was changed", hint="flywheel admins list")
        admins = ServerAdmins(s).list()
        record = next((a for a in admins if a.person_id == person_id), None)
        if record is None:
            raise NotFound(f"{person_id} is not a server administrator", hint="flywheel admins list")
        if len(admins) == 1:
            raise PolicyViolation("the last server administrator cannot be removed",
                                  expected="another administrator first",
                                  kept="nothing was changed", hint="flywheel admins grant PERSON")
        s.delete(s.get(ServerAdminRow, person_id))
        audit(s, actor=actor, action="server_admin.remove", kind="server_admin",
              record_id=person_id, before=record, after=None, reason=reason)
        return record


def admins(ws: Workspace) -> list[ServerAdmin]:
    with ws.db.session() as s:
        return ServerAdmins(s).list()
