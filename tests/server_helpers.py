"""Personal tokens for tests that call the team server (`tests/api/`, and pools' API tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

ROLE_PEOPLE = ["data-owner", "data-engineer", "annotation-engineer", "quality-evaluator",
               "algorithm-engineer", "platform-engineer", "legal-compliance"]
PRINCIPALS = ["anonymous", "expired", "revoked", *ROLE_PEOPLE, "admin", "outsider"]
ENVELOPE_KEYS = {"ok", "error", "errors", "status"}


def token_headers(ws: Any, person: str = "data-engineer") -> dict[str, str]:
    """`Authorization` headers with a fresh one-day token of `person` (created by the workspace's
    administrator, the initialiser)."""
    from dataflywheel.flows.governance.tokens import create_token

    _, plaintext = create_token(ws, person, lifetime=timedelta(days=1), label="test")
    return {"Authorization": f"Bearer {plaintext}"}


def assert_envelope(response: Any, status: int, needle: str = "") -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, response.text
    assert set(body) == ENVELOPE_KEYS
    assert body["ok"] is False and body["status"] == status
    assert "\n" not in body["error"] and needle in body["error"]
    assert isinstance(body["errors"], list) and body["errors"]
    return body  # type: ignore[no-any-return]
