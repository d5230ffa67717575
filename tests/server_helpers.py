"""Personal tokens for tests that call the team server (`tests/api/`, and pools' API tests)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any


def token_headers(ws: Any, person: str = "data-engineer") -> dict[str, str]:
    """`Authorization` headers with a fresh one-day token of `person` (created by the workspace's
    administrator, the initialiser)."""
    from dataflywheel.flows.governance.tokens import create_token

    _, plaintext = create_token(ws, person, lifetime=timedelta(days=1), label="test")
    return {"Authorization": f"Bearer {plaintext}"}
