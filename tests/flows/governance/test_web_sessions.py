"""Dashboard sessions: opened with a token (only hashes stored, audited), acting as its person,
ended by logout, and never outliving the token — expiry, revocation and offboarding end them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest


def test_a_session_acts_as_the_tokens_person_and_keeps_only_hashes(team: Any) -> None:
    from sqlalchemy import select

    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.governance.web_sessions import (
        open_session, session_caller_in, split_cookie,
    )
    from dataflywheel.store.tables.audit import AuditEntryRow
    from dataflywheel.store.tables.tokens import WebSessionRow

    token, plaintext = create_token(team, "data-owner", lifetime=timedelta(days=1))
    opened = open_session(team, plaintext)
    assert opened.cookie.startswith("fws_") and plaintext not in opened.cookie
    assert opened.person_id == "data-owner"
    parts = split_cookie(opened.cookie)
    assert parts is not None
    with team.db.session() as s:
        caller = session_caller_in(s, opened.cookie)
        stored = s.scalar(select(WebSessionRow.secret_sha256).where(WebSessionRow.id == parts[0]))
        audited = s.execute(select(AuditEntryRow.actor, AuditEntryRow.action).where(
            AuditEntryRow.record_id == parts[0])).all()
    assert caller.who.person_id == "data-owner" and caller.who.token_id == token.id
    assert [h.role.value for h in caller.who.holdings] == ["data_owner"]
    assert stored is not None and parts[1] not in stored and len(stored) == 64
    assert len(caller.csrf) >= 32
    assert [tuple(a) for a in audited] == [("data-owner", "web_session.open")]


def test_a_session_lasts_no_longer_than_its_token(team: Any) -> None:
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.governance.web_sessions import open_session

    token, plaintext = create_token(team, "data-owner", lifetime=timedelta(hours=1))
    opened = open_session(team, plaintext, lifetime=timedelta(hours=12))
    assert opened.expires_at == token.expires_at


@pytest.mark.parametrize("cookie", ["", "fws_", "fws_short_x", "fwt_0123456789ab_x",
                                    "fws_" + "0" * 20 + "_nothing", "fws_" + "a" * 300])
def test_a_malformed_or_unknown_cookie_is_refused(team: Any, cookie: str) -> None:
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.web_sessions import session_caller_in

    with team.db.session() as s, pytest.raises(Unauthenticated, match="session not recognised"):
        session_caller_in(s, cookie)


def test_a_wrong_secret_for_a_real_session_is_refused(team: Any) -> None:
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.governance.web_sessions import open_session, session_caller_in

    opened = open_session(team, create_token(team, "data-owner", lifetime=timedelta(days=1))[1])
    forged = opened.cookie[:len("fws_") + 20] + "_" + "A" * 43
    with team.db.session() as s, pytest.raises(Unauthenticated, match="not recognised"):
        session_caller_in(s, forged)


def test_logout_ends_the_session_and_cannot_end_it_twice(team: Any) -> None:
    from sqlalchemy import select

    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.governance.web_sessions import (
        end_session, open_session, session_caller_in,
    )
    from dataflywheel.store.tables.audit import AuditEntryRow

    opened = open_session(team, create_token(team, "data-owner", lifetime=timedelta(days=1))[1])
    session_id = end_session(team, opened.cookie)
    with team.db.session() as s, pytest.raises(Unauthenticated, match="ended by logging out"):
        session_caller_in(s, opened.cookie)
    with pytest.raises(Unauthenticated, match="ended by logging out"):
        end_session(team, opened.cookie)
    with team.db.session() as s:
        actions = s.scalars(select(AuditEntryRow.action).where(
            AuditEntryRow.record_id == session_id).order_by(AuditEntryRow.seq)).all()
    assert actions == ["web_session.open", "web_session.end"]


def test_expiry_revocation_and_offboarding_end_sessions(team: Any) -> None:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.offboarding import offboard
    from dataflywheel.flows.governance.tokens import create_token, revoke_token
    from dataflywheel.flows.governance.web_sessions import open_session, session_caller_in

    short = open_session(team, create_token(team, "data-owner", lifetime=timedelta(days=1))[1],
                         lifetime=timedelta(minutes=5))
    token, plaintext = create_token(team, "data-engineer", lifetime=timedelta(days=1))
    revoked = open_session(team, plaintext)
    revoke_token(team, token.id, reason="laptop lost")
    leaver = open_session(team, create_token(team, "platform-engineer",
                                             lifetime=timedelta(days=1))[1])
    offboard(team, "platform-engineer", reason="leaves")
    later = utcnow() + timedelta(minutes=10)
    for cookie, at, needle in [(short.cookie, later, "session expired at"),
                               (revoked.cookie, None, "was revoked"),
                               (leaver.cookie, None, "was revoked")]:
        with team.db.session() as s, pytest.raises(Unauthenticated, match=needle):
            session_caller_in(s, cookie, at=at)


def test_a_refused_token_opens_no_session(team: Any) -> None:
    from sqlalchemy import func, select

    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.web_sessions import open_session
    from dataflywheel.store.tables.tokens import WebSessionRow

    with pytest.raises(Unauthenticated, match="malformed bearer token"):
        open_session(team, "not-a-token")
    with team.db.session() as s:
        assert s.scalar(select(func.count()).select_from(WebSessionRow)) == 0
