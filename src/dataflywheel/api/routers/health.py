"""`GET /api/v1/health`: the server is up and its database answers (no token needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from dataflywheel import __version__
from dataflywheel.api.deps import BaseWorkspace
from dataflywheel.api.policy import Public, Rule

router = APIRouter(prefix="/api/v1", tags=["health"])

POLICY: dict[tuple[str, str], Rule] = {("GET", "/api/v1/health"): Public()}


@router.get("/health")
def health(ws: BaseWorkspace) -> dict[str, Any]:
    """`ok` once a trivial query succeeds; a database failure is a 500 in the error envelope."""
    with ws.db.session() as s:
        s.execute(text("SELECT 1"))
    return {"ok": True, "version": __version__, "database": "ok"}
