"""`flywheel tokens` and `flywheel admins`: the token is printed once, never listed, and acts."""

from __future__ import annotations

from typing import Any


def test_create_prints_the_token_once_and_list_never_shows_it(team: Any, cli: Any) -> None:
    from dataflywheel.flows.governance.tokens import authenticate_in, split_token

    made = cli("tokens", "create", "data-owner", "--expires", "2w", "--label", "laptop", "--json",
               login="data-owner")
    assert made.code == 0, made.err
    plaintext, token_id = made.json()["plaintext"], made.json()["token"]["id"]
    with team.db.session() as s:
        assert authenticate_in(s, plaintext).person_id == "data-owner"
    listed = cli("tokens", "list", "--json")
    assert [t["id"] for t in listed.json()] == [token_id]
    parts = split_token(plaintext)
    assert parts is not None and parts[1] not in listed.out and "secret" not in listed.out
    human = cli("tokens", "create", "data-owner", login="data-owner")
    assert "shown only now" in human.out and "fwt_" in human.out
    revoked = cli("tokens", "revoke", token_id, "--reason", "laptop lost", login="data-owner")
    assert revoked.code == 0 and f"revoked {token_id} of data-owner" in revoked.out


def test_someone_else_s_token_is_refused_with_exit_2(team: Any, cli: Any) -> None:
    from dataflywheel.flows.governance.tokens import tokens

    refused = cli("tokens", "create", "data-engineer", login="data-owner")
    assert refused.code == 2
    assert "data-owner may not create an API token for data-engineer" in refused.err
    assert list(tokens(team).stream()) == []


def test_bad_expiry_exits_2_and_creates_nothing(team: Any, cli: Any) -> None:
    from dataflywheel.flows.governance.tokens import tokens

    bad = cli("tokens", "create", "tester", "--expires", "forever")
    assert bad.code == 2 and "cannot read 'forever' as a duration" in bad.err
    assert list(tokens(team).stream()) == []


def test_admins_grant_list_revoke(team: Any, cli: Any) -> None:
    assert cli("admins", "grant", "data-owner").code == 0
    listed = cli("admins", "list", "--json").json()
    assert sorted(a["person_id"] for a in listed) == ["data-owner", "tester"]
    refused = cli("admins", "grant", "data-engineer", login="data-engineer")
    assert refused.code == 2 and "not a server administrator" in refused.err
    gone = cli("admins", "revoke", "tester", "--reason", "hand-over", login="data-owner")
    assert gone.code == 0, gone.err
    last = cli("admins", "revoke", "data-owner", "--reason", "x", login="data-owner")
    assert last.code == 2 and "last server administrator" in last.err
