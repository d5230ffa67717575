"""The team server with its dashboard: the API app, the pages, the static files, HTML errors.

`create_site` is what `flywheel serve` runs. Pages pass the same app-wide `authorize` as the API
(their session cookie instead of a bearer token) and the same policy table; a page's error is
answered as a page — not logged in: to the login page; refused: the rule that refused; a bad
link: what was wrong — while `/api/…` keeps the JSON envelope.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from dataflywheel.api.app import create_app
from dataflywheel.api.policy import API_PREFIX
from dataflywheel.settings import Settings

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]
NOT_PAGES = (API_PREFIX, "/openapi.json", "/docs", "/redoc", "/static/")


def create_site(settings: Settings, **kw: Any) -> FastAPI:
    """The API app of `settings` (`api.app.create_app`, same keywords) with the dashboard."""
    from dataflywheel.web.pages import PAGES

    app = create_app(settings, pages=PAGES, **kw)
    app.mount("/static", StaticFiles(packages=[("dataflywheel.web", "static")]), name="static")
    for cls, handler in list(app.exception_handlers.items()):
        app.exception_handlers[cls] = _as_page(handler)
    return app


def site_from_environment() -> FastAPI:
    """The site of one `flywheel serve` worker (uvicorn `--factory`; `api.serving`)."""
    from dataflywheel.api.serving import from_environment

    settings, kw = from_environment()
    return create_site(settings, **kw)


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


def _as_page(handler: Handler) -> Handler:
    """`handler` (the API's envelope) for API paths; for a page, the same answer as a page."""

    async def answer(request: Request, exc: Exception) -> Response:
        response = handler(request, exc)
        if not isinstance(response, Response):
            response = await response
        if not is_page(request):
            return response
        if response.status_code == 401:
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(back, safe='')}", status_code=303)
        from dataflywheel.web.rendering import error_page

        body = json.loads(bytes(response.body or b"{}")) if response.body else {}
        return error_page(request, response.status_code, str(body.get("error", "")))

    return answer
