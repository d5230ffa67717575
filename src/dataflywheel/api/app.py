"""The team server: `create_app(settings)` builds a FastAPI app; nothing happens at import time.

The workspace is opened when the app starts and closed when it stops. Every route passes
`api.policy.authorize` first (personal token, then the route's rule from the policy table).
Routers are thin: each endpoint validates its input, calls one flow and shapes the answer; errors
go through one envelope (`api.errors`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from dataflywheel import __version__
from dataflywheel.api.errors import install_error_handlers
from dataflywheel.api.policy import authorize, build_policy, unruled_routes
from dataflywheel.api.routers import ROUTERS
from dataflywheel.settings import Settings

MAX_BODY_BYTES = 10 * 1024 * 1024


def create_app(settings: Settings, *, max_body_bytes: int = MAX_BODY_BYTES,
               open_on_start: bool = True) -> FastAPI:
    """An app serving the workspace of `settings` to people with personal tokens.

    `open_on_start=False` leaves `app.state.workspace` to the caller (the test suite's one
    loopback server serves each test's own workspace)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from dataflywheel.flows.workspace import open_workspace

        if not open_on_start:
            yield
            return
        app.state.workspace = open_workspace(settings)
        try:
            yield
        finally:
            app.state.workspace.close()

    app = FastAPI(title="dataflywheel", version=__version__, lifespan=lifespan,
                  dependencies=[Depends(authorize)])
    app.state.max_body_bytes = max_body_bytes
    app.state.policy = build_policy(ROUTERS)
    install_error_handlers(app)
    for module in ROUTERS:
        app.include_router(module.router)
    missing = unruled_routes(app)
    if missing:  # a route without a rule would answer nobody; refuse to start instead
        raise RuntimeError(f"routes without a rule in the policy table: {missing}")
    return app
