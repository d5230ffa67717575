"""One error envelope for every failure the server returns.

Guarantee: every non-2xx response body is `{"ok": false, "error": "<one line>", "errors": [...],
"status": <int>}` — a `FlywheelError` (its `http_status` and message), a request that fails
validation (400, one entry per field), an unknown route (404), a body over the cap (413), a missing
or wrong token (401) and anything unexpected (500, no traceback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dataflywheel.errors import EXIT_BAD_INPUT, FlywheelError, Terminal, Unauthenticated


class PayloadTooLarge(FlywheelError, Terminal):
    """The request body is over the server's cap; nothing of it was read further or stored."""

    exit_code = EXIT_BAD_INPUT
    http_status = 413


def envelope(status: int, error: str, errors: list[dict[str, Any]],
             headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one error body; `error` is kept to a single line."""
    line = " ".join(error.split())
    body = {"ok": False, "error": line, "errors": errors, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


async def _flywheel_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FlywheelError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return envelope(exc.http_status, str(exc), [exc.to_dict()], headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    more = f" ({len(errors)} problems)" if len(errors) > 1 else ""
    return envelope(400, f"invalid request{more}: {first['field']}: {first['message']}", errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}; see GET /docs"
    else:
        message = str(exc.detail)
    return envelope(exc.status_code, message, [{"message": message}], exc.headers)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    message = f"internal error: {type(exc).__name__}; the server log has the details"
    return envelope(500, message, [{"type": type(exc).__name__, "message": message}])


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through `envelope`."""
    app.add_exception_handler(FlywheelError, _flywheel_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
