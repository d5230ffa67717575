"""The team server: `create_app(settings)` builds a FastAPI app; nothing happens at import time.

The workspace is opened when the app starts and closed when it stops. Routers are thin: each
endpoint validates its input, calls one flow and shapes the answer; errors go through one envelope
(`api.errors`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dataflywheel import __version__
from dataflywheel.api.errors import install_error_handlers
from dataflywheel.api.routers import feedback, health
from dataflywheel.errors import BadInput
from dataflywheel.settings import Settings

MAX_BODY_BYTES = 10 * 1024 * 1024


def create_app(settings: Settings, *, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """An app serving the workspace of `settings`; refuses settings without API tokens."""
    if not settings.api_tokens:
        raise BadInput("the server needs at least one API token", field="api_tokens",
                       hint="set FLYWHEEL_API_TOKENS='[\"<a token of 24+ characters>\"]'")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from dataflywheel.flows.workspace import open_workspace

        app.state.workspace = open_workspace(settings)
        try:
            yield
        finally:
            app.state.workspace.close()

    app = FastAPI(title="dataflywheel", version=__version__, lifespan=lifespan)
    app.state.max_body_bytes = max_body_bytes
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(feedback.router)
    return app
