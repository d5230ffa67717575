"""Tokens over HTTP: a person makes a token that then acts as them; lists never carry secrets."""

from __future__ import annotations

from typing import Any

from server_helpers import assert_envelope


def test_a_token_made_over_http_acts_and_is_listed_without_its_secret(
        api: Any, principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.governance.tokens import split_token

    made = api.post("/api/v1/people/data-owner/tokens", json={"expires": "1d", "label": "ci"},
                    headers=principals["data-owner"])
    assert made.status_code == 201, made.text
    plaintext = made.json()["plaintext"]
    parts = split_token(plaintext)
    assert parts is not None
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).json()
    assert me == {"person_id": "data-owner", "token_id": made.json()["token"]["id"],
                  "admin": False, "roles": [{"role": "data_owner", "project_id": None}]}
    listed = api.get("/api/v1/people/data-owner/tokens", headers=principals["data-owner"])
    assert "secret" not in listed.text and parts[1] not in listed.text
    ended = api.post(f"/api/v1/tokens/{made.json()['token']['id']}/revoke",
                     json={"reason": "rotated"}, headers=principals["admin"])
    assert ended.json()["state"] == "revoked"
    assert_envelope(api.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}),
                    401, "was revoked")


def test_a_bad_lifetime_is_400_and_creates_nothing(api: Any, team: Any,
                                                   principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.governance.tokens import tokens

    before = len(list(tokens(team).stream()))
    assert_envelope(api.post("/api/v1/people/data-owner/tokens", json={"expires": "forever"},
                             headers=principals["data-owner"]), 400, "cannot read 'forever'")
    assert len(list(tokens(team).stream())) == before
