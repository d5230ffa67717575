"""Annotated dependencies: the workspace, the authenticated caller, and the workspace acting as them.

The workspace is opened once at startup (`app.state.workspace`); `api.policy.authorize` (run before
every route) authenticates the personal token and applies the route's rule; each request then gets
a view of the workspace whose actor is the token's person, so the audit log names the person.
The three are `async def` because they do no I/O: FastAPI runs a sync dependency in its thread
pool, and a thread hop per dependency per request is most of the cost of a cheap route.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request

from dataflywheel.api.policy import authorize
from dataflywheel.errors import Unauthenticated
from dataflywheel.flows.governance.tokens import Authenticated
from dataflywheel.flows.workspace import Workspace


async def base_workspace(request: Request) -> Workspace:
    """The workspace the app opened at startup."""
    ws: Workspace = request.app.state.workspace
    return ws


BaseWorkspace = Annotated[Workspace, Depends(base_workspace)]


async def caller(who: Annotated[Authenticated | None, Depends(authorize)]) -> Authenticated:
    """The authenticated person of a non-public route."""
    if who is None:
        raise Unauthenticated("this route is public and acts as nobody")
    return who


Caller = Annotated[Authenticated, Depends(caller)]


async def acting_workspace(ws: BaseWorkspace, who: Caller) -> Workspace:
    """The shared workspace acting as the caller (same database and blob store)."""
    return replace(ws, login=f"token:{who.token_id}", acting_person=who.person_id, not_bound=None)


ActingWorkspace = Annotated[Workspace, Depends(acting_workspace)]
