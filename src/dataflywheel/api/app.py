"""The team server: `create_app(settings)` builds a FastAPI app; nothing happens at import time.

The workspace is opened when the app starts and closed when it stops. Every route passes
`api.policy.authorize` first (personal token, then the route's rule from the policy table).
Routers are thin: each endpoint validates its input, calls one flow and shapes the answer; errors
go through one envelope (`api.errors`), and the OpenAPI document lists that envelope for every
error status each operation can answer.

Around the app, two pure ASGI guards: `api.backpressure.ConcurrencyLimit` (over `max_concurrency`
requests in flight: 503 + `Retry-After` at once, not a queue) and `api.inputs.GuardInputs`
(request bodies capped at `max_body_bytes`, 413; NUL in the path or query, 400).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from dataflywheel import __version__
from dataflywheel.api.backpressure import ConcurrencyLimit, default_limit
from dataflywheel.api.errors import document_errors, install_error_handlers
from dataflywheel.api.inputs import GuardInputs
from dataflywheel.api.policy import authorize, build_policy, unruled_routes
from dataflywheel.api.routers import ROUTERS
from dataflywheel.settings import Settings

MAX_BODY_BYTES = 10 * 1024 * 1024


def create_app(settings: Settings, *, max_body_bytes: int = MAX_BODY_BYTES,
               open_on_start: bool = True, max_concurrency: int | None = None,
               pages: Sequence[Any] = ()) -> FastAPI:
    """An app serving the workspace of `settings` to people with personal tokens.

    `open_on_start=False` leaves `app.state.workspace` to the caller (the test suite's one
    loopback server serves each test's own workspace). `max_concurrency` bounds the requests in
    flight (default `api.backpressure.default_limit()`, sized for the machine)."""

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
    modules = (*ROUTERS, *pages)
    app.state.policy = build_policy(modules)
    install_error_handlers(app)
    for module in modules:
        app.include_router(module.router)
    missing = unruled_routes(app)
    if missing:  # a route without a rule would answer nobody; refuse to start instead
        raise RuntimeError(f"routes without a rule in the policy table: {missing}")
    public = {route for route, rule in app.state.policy.items() if rule.public}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(FastAPI.openapi(app), public)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(GuardInputs, cap=max_body_bytes)
    app.add_middleware(ConcurrencyLimit, limit=max_concurrency or default_limit())
    return app
