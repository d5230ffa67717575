"""Dashboard sessions: a personal token exchanged for a browser session, checked on every page.

A person logs in to the dashboard with their personal token once; the browser then holds a session
cookie instead of the token (HttpOnly, so page scripts never see a credential). The session is a
row of its own — only the SHA-256 of the cookie's secret is kept — tied to the token it was opened
with: every request reads the token again (`tokens.AUTHENTICATE`, the same one round trip as a
bearer request), so revoking the token, its expiry or the person's offboarding end the session at
once, and a session never outlives its token. Logging out ends the session for good.

Each session has its own CSRF secret, which every form the dashboard serves carries and every
POST must return (`web` checks it); it is random per session, so a page of another site cannot
guess it. Opening and ending sessions are audited (`web_session.open`, `web_session.end`).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import Unauthenticated
from dataflywheel.flows._audit import audit
from dataflywheel.flows.governance.tokens import (
    AUTHENTICATE,
    Authenticated,
    authenticate_in,
    authenticated,
    secret_hash,
)
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.tokens import WebSessionRow

PREFIX = "fws_"
LIFETIME = timedelta(hours=12)
LOGIN_HINT = "log in again at /login with your personal token"


@dataclass(frozen=True)
class OpenedSession:
    """What the browser is given: the cookie's value (shown once) and when it stops acting."""

    cookie: str
    person_id: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionCaller:
    """The person a session acts as, and the session's CSRF secret for its forms."""

    who: Authenticated
    session_id: str
    csrf: str


def open_session(ws: Workspace, presented_token: str, *,
                 lifetime: timedelta = LIFETIME) -> OpenedSession:
    """A new session for the holder of `presented_token` (refused, naming why, like a bearer
    request would be); it lasts `lifetime` or until the token expires, whichever is first."""
    now = utcnow()
    with ws.db.unit_of_work() as s:
        who = authenticate_in(s, presented_token, at=now)
        token_expiry = s.execute(AUTHENTICATE, {"token_id": who.token_id}).all()[0].expires_at
        session_id = "ses_" + secrets.token_hex(10)
        secret = secrets.token_urlsafe(32)
        row = WebSessionRow(id=session_id, token_id=who.token_id,
                            secret_sha256=secret_hash(secret), csrf=secrets.token_urlsafe(32),
                            created_at=now, expires_at=min(now + lifetime, token_expiry))
        s.add(row)
        audit(s, actor=who.person_id, action="web_session.open", kind="web_session",
              record_id=session_id, before=None,
              after={"token_id": who.token_id, "expires_at": row.expires_at.isoformat()})
    return OpenedSession(cookie=f"{PREFIX}{session_id[4:]}_{secret}", person_id=who.person_id,
                         expires_at=row.expires_at)


def split_cookie(cookie: str) -> tuple[str, str] | None:
    """(session id, secret) of a well-formed session cookie, else None."""
    if not cookie.startswith(PREFIX) or len(cookie) > 200:
        return None
    head, sep, secret = cookie[len(PREFIX):].partition("_")
    if not sep or len(head) != 20 or not secret:
        return None
    return "ses_" + head, secret


def _row(s: Session, cookie: str, at: datetime) -> WebSessionRow:
    parts = split_cookie(cookie)
    row = s.get(WebSessionRow, parts[0]) if parts else None
    if parts is None or row is None or not hmac.compare_digest(secret_hash(parts[1]),
                                                               row.secret_sha256):
        raise Unauthenticated("session not recognised", hint=LOGIN_HINT)
    if row.ended_at is not None:
        raise Unauthenticated("session was ended by logging out", hint=LOGIN_HINT)
    if row.expires_at <= at:
        raise Unauthenticated(f"session expired at {row.expires_at.isoformat()}", hint=LOGIN_HINT)
    return row


def session_caller_in(s: Session, cookie: str, *, at: datetime | None = None) -> SessionCaller:
    """Who the session `cookie` acts as (its token checked again); `Unauthenticated` naming why
    otherwise. Reads only."""
    at = at or utcnow()
    row = _row(s, cookie, at)
    who = authenticated(s.execute(AUTHENTICATE, {"token_id": row.token_id}).all(), at)
    return SessionCaller(who=who, session_id=row.id, csrf=row.csrf)


def end_session(ws: Workspace, cookie: str) -> str:
    """End the session `cookie` (logout); its id. An unknown or already-ended one is refused."""
    now = utcnow()
    with ws.db.unit_of_work() as s:
        row = _row(s, cookie, now)
        token = s.execute(AUTHENTICATE, {"token_id": row.token_id}).all()[0]
        row.ended_at = now
        audit(s, actor=token.person_id, action="web_session.end", kind="web_session",
              record_id=row.id, before=None, after={"ended_at": now.isoformat()})
        return row.id
