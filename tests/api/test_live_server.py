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


def test_a_server_without_a_token_exits_2_and_changes_nothing(
        live_server: Any, team: Any, cli: Any, monkeypatch: Any) -> None:
    from dataflywheel.flows.governance.tokens import tokens

    before = [t.id for t in tokens(team).stream()]
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.delenv("FLYWHEEL_TOKEN", raising=False)
    result = cli("tokens", "create", "data-owner")
    assert result.code == 2
    assert "FLYWHEEL_SERVER is set but no token is" in result.err and "FLYWHEEL_TOKEN" in result.err
    assert [t.id for t in tokens(team).stream()] == before


def test_a_server_that_stays_busy_is_exit_70_after_its_retries(monkeypatch: Any) -> None:
    """A stand-in for a server at its concurrency bound: every answer 503 with Retry-After."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    import pytest

    from dataflywheel.cli import remote
    from dataflywheel.errors import ServerUnavailable

    seen: list[str] = []

    class Busy(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            seen.append(self.path)
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(remote, "RETRIES", 2)
    try:
        client = remote.ServerClient(f"http://127.0.0.1:{server.server_port}", "fwt_x")
        with pytest.raises(ServerUnavailable, match="stayed busy \\(503\\) after 2 retries"):
            client.call("POST", "/api/v1/feedback/events", json=[])
    finally:
        server.shutdown()
        thread.join()
    assert len(seen) == 3 and ServerUnavailable.exit_code == 70
