"""The real server on loopback: a personal token over real HTTP, and the CLI acting through it."""

from __future__ import annotations

from typing import Any

import httpx


def test_me_over_loopback_names_the_person(live_server: Any,
                                           principals: dict[str, dict[str, str]]) -> None:
    answer = httpx.get(live_server.url + "/api/v1/me", headers=principals["data-owner"])
    assert answer.status_code == 200 and answer.json()["person_id"] == "data-owner"
    refused = httpx.get(live_server.url + "/api/v1/me", headers=principals["revoked"])
    assert refused.status_code == 401 and "was revoked" in refused.json()["error"]


def test_the_cli_client_maps_the_error_envelope(live_server: Any,
                                                principals: dict[str, dict[str, str]]) -> None:
    import pytest

    from dataflywheel.cli.remote import ServerClient
    from dataflywheel.errors import PolicyViolation, ServerUnavailable

    token = principals["data-engineer"]["Authorization"].split()[1]
    client = ServerClient(live_server.url, token)
    assert client.call("GET", "/api/v1/me")["person_id"] == "data-engineer"
    with pytest.raises(PolicyViolation, match="only the person themself"):
        client.call("GET", "/api/v1/people/data-owner/tokens")
    with pytest.raises(ServerUnavailable, match="cannot reach the team server"):
        ServerClient("http://127.0.0.1:9", token).call("GET", "/api/v1/me")
