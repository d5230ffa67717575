"""Personal API tokens: created once (hash stored), authenticated, refused when they should be."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest


def test_a_token_authenticates_its_person_and_only_its_hash_is_stored(team: Any) -> None:
    from sqlalchemy import select

    from dataflywheel.flows.governance.tokens import authenticate_in, create_token, split_token
    from dataflywheel.store.tables.audit import AuditEntryRow
    from dataflywheel.store.tables.tokens import ApiTokenRow

    token, plaintext = create_token(team, "data-owner", lifetime=timedelta(days=30), label="cli")
    assert plaintext.startswith("fwt_") and token.id[4:] in plaintext
    with team.db.session() as s:
        who = authenticate_in(s, plaintext)
        stored = s.scalar(select(ApiTokenRow.secret_sha256).where(ApiTokenRow.id == token.id))
        audited = s.execute(select(AuditEntryRow.actor, AuditEntryRow.record_id).where(
            AuditEntryRow.action == "api_token.add")).all()
    assert who.person_id == "data-owner" and who.token_id == token.id and not who.admin
    assert [h.role.value for h in who.holdings] == ["data_owner"]
    parts = split_token(plaintext)  # the secret may hold "_" itself: split as the server does
    assert parts is not None and stored is not None and parts[1] not in stored and len(stored) == 64
    assert [tuple(a) for a in audited] == [("tester", token.id)]
    assert "secret_sha256" not in token.digest_dict()  # the audit digest leaves the hash out


@pytest.mark.parametrize("presented, needle", [
    ("nonsense", "malformed bearer token"),
    ("fwt_0123456789ab_wrong", "bearer token not accepted"),
])
def test_a_malformed_or_unknown_token_is_refused(team: Any, presented: str, needle: str) -> None:
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.tokens import authenticate_in

    with team.db.session() as s, pytest.raises(Unauthenticated, match=needle):
        authenticate_in(s, presented)


def test_a_wrong_secret_for_a_real_id_is_refused(team: Any) -> None:
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.tokens import authenticate_in, create_token

    _, plaintext = create_token(team, "data-owner", lifetime=timedelta(days=1))
    forged = plaintext[:len("fwt_") + 12] + "_" + "A" * 43  # its id, another secret
    with team.db.session() as s, pytest.raises(Unauthenticated, match="not accepted"):
        authenticate_in(s, forged)


def test_expired_revoked_and_offboarded_tokens_stop(team: Any) -> None:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.offboarding import offboard
    from dataflywheel.flows.governance.tokens import (
        authenticate_in,
        create_token,
        expire_due,
        revoke_token,
        tokens,
    )

    old, expired = create_token(team, "data-engineer", lifetime=timedelta(hours=1),
                                now=utcnow() - timedelta(hours=3))
    gone, revoked = create_token(team, "data-engineer", lifetime=timedelta(days=1))
    revoke_token(team, gone.id, reason="laptop lost")
    _, leaver = create_token(team, "platform-engineer", lifetime=timedelta(days=1))
    with team.db.session() as s:
        authenticate_in(s, leaver)
    done = offboard(team, "platform-engineer", reason="leaves")
    assert len(done.tokens_revoked) == 1
    for presented, needle in [(expired, "expired at"), (revoked, "was revoked"),
                              (leaver, "was revoked")]:
        with team.db.session() as s, pytest.raises(Unauthenticated, match=needle):
            authenticate_in(s, presented)
    assert expire_due(team) == [old.id]
    states = {t.id: t.state.value for t in tokens(team).stream()}
    assert states[old.id] == "expired" and states[gone.id] == "revoked"


def test_a_deactivated_person_stops_at_once_even_with_an_active_token(team: Any) -> None:
    from sqlalchemy import update

    from dataflywheel.errors import Unauthenticated
    from dataflywheel.flows.governance.tokens import authenticate_in, create_token
    from dataflywheel.store.tables.people import PersonRow

    _, plaintext = create_token(team, "data-owner", lifetime=timedelta(days=1))
    with team.db.unit_of_work() as s:  # deactivated by any path, not only `offboard`
        s.execute(update(PersonRow).where(PersonRow.id == "data-owner").values(active=False))
    with team.db.session() as s, pytest.raises(Unauthenticated, match="offboarded"):
        authenticate_in(s, plaintext)


def test_only_the_person_or_an_admin_manages_tokens(team: Any) -> None:
    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.tokens import create_token, revoke_token
    from dataflywheel.flows.workspace import acting_as

    owner = acting_as(team, "data-owner")
    mine, _ = create_token(owner, "data-owner", lifetime=timedelta(days=1))
    with pytest.raises(PolicyViolation, match="may not create an API token for data-engineer"):
        create_token(owner, "data-engineer", lifetime=timedelta(days=1))
    theirs, _ = create_token(team, "data-engineer", lifetime=timedelta(days=1))  # the admin
    with pytest.raises(PolicyViolation, match="may not revoke"):
        revoke_token(owner, theirs.id, reason="no")
    assert revoke_token(owner, mine.id, reason="done").state.value == "revoked"


@pytest.mark.parametrize("lifetime", [timedelta(0), timedelta(days=366)])
def test_a_lifetime_out_of_range_creates_nothing(team: Any, lifetime: timedelta) -> None:
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.governance.tokens import create_token, tokens

    with pytest.raises(BadInput, match="lifetime must be positive and at most a year"):
        create_token(team, "data-owner", lifetime=lifetime)
    assert list(tokens(team).stream()) == []


def test_admins_the_initialiser_names_others_and_the_last_stays(team: Any) -> None:
    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.tokens import admins, grant_admin, revoke_admin
    from dataflywheel.flows.workspace import acting_as

    assert [a.person_id for a in admins(team)] == ["tester"]
    with pytest.raises(PolicyViolation, match="not a server administrator"):
        grant_admin(acting_as(team, "data-owner"), "data-owner")
    grant_admin(team, "platform-engineer")
    with pytest.raises(PolicyViolation, match="the last server administrator"):
        revoke_admin(acting_as(team, "platform-engineer"), "tester", reason="x") and \
            revoke_admin(acting_as(team, "platform-engineer"), "platform-engineer", reason="x")
    assert [a.person_id for a in admins(team)] == ["platform-engineer"]


def test_a_workspace_without_admin_lets_a_bound_person_claim_it(team: Any) -> None:
    from sqlalchemy import delete

    from dataflywheel.errors import PolicyViolation
    from dataflywheel.flows.governance.tokens import admins, grant_admin
    from dataflywheel.flows.workspace import acting_as
    from dataflywheel.store.tables.tokens import ServerAdminRow

    with team.db.unit_of_work() as s:  # as after `db upgrade` from before tokens
        s.execute(delete(ServerAdminRow))
    with pytest.raises(PolicyViolation, match="not a server administrator"):
        grant_admin(acting_as(team, "data-owner"), "data-engineer")
    grant_admin(acting_as(team, "data-owner"), "data-owner")
    assert [a.person_id for a in admins(team)] == ["data-owner"]


@pytest.mark.parametrize("text, needle", [("30", "cannot read '30' as a duration"),
                                          ("0d", "cannot read"), ("400d", "longer than allowed")])
def test_token_lifetimes_are_read_strictly(text: str, needle: str) -> None:
    from dataflywheel.domain.durations import parse_span
    from dataflywheel.errors import BadInput

    with pytest.raises(BadInput, match=needle):
        parse_span(text, field="expires", most=timedelta(days=365))
    assert parse_span("2w", field="expires", most=timedelta(days=365)) == timedelta(days=14)
