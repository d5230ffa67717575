"""Annotated dependencies: the caller (from the bearer token) and the workspace acting as them.

The workspace is opened once at startup (`app.state.workspace`); each request gets a view of it
whose actor is the caller, so the audit log names `api:<first 6 hex of sha256(token)>`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dataflywheel.api.errors import Unauthorized
from dataflywheel.flows.workspace import Workspace

_bearer = HTTPBearer(auto_error=False)


def actor_of(token: str) -> str:
    """The audit name of a token: never the token itself."""
    return "api:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:6]


def base_workspace(request: Request) -> Workspace:
    """The workspace the app opened at startup."""
    ws: Workspace = request.app.state.workspace
    return ws


BaseWorkspace = Annotated[Workspace, Depends(base_workspace)]


def caller(
    ws: BaseWorkspace,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The audit actor of an accepted bearer token, or `Unauthorized` (401)."""
    if credentials is None:
        raise Unauthorized("missing bearer token", expected="header 'Authorization: Bearer <token>'")
    given = credentials.credentials.encode("utf-8")
    if not any(hmac.compare_digest(given, t.encode("utf-8")) for t in ws.settings.api_tokens):
        raise Unauthorized("bearer token not accepted",
                           hint="use a token listed in FLYWHEEL_API_TOKENS on the server")
    return actor_of(credentials.credentials)


Caller = Annotated[str, Depends(caller)]


def acting_workspace(ws: BaseWorkspace, actor: Caller) -> Workspace:
    """The shared workspace with the caller as actor (same database and blob store)."""
    return replace(ws, login=actor, acting_person=actor, not_bound=None)


ActingWorkspace = Annotated[Workspace, Depends(acting_workspace)]
