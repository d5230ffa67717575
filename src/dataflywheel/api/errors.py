"""One error envelope for every failure the server returns.

Guarantee: every non-2xx response body is `{"ok": false, "error": "<one line>", "errors": [...],
"status": <int>}` — a `FlywheelError` (its `http_status` and message), a request that fails
validation (400, one entry per field), a body that cannot be parsed (400 saying why: not JSON, not
UTF-8, nested too deeply, an integer of thousands of digits), an unknown route (404), a body over
the cap (413), a missing or wrong token (401), a value the database cannot store (400: a NUL
character on PostgreSQL, a number out of a column's range — the driver's `DataError`, raw or as
the store's `StoreFailure`; the flow's transaction is rolled back), the server over its
concurrency bound (503, `api.backpressure`) and anything unexpected (500, no traceback). `ErrorEnvelope` is that body as a model, and
`document_errors` writes it into the OpenAPI document for every status an operation can answer.

A client that disconnects while its body is still being read (Starlette's `ClientDisconnect`, out
of any streamed-body reader: `api.uploads.spool`, `read_capped`) is not a server fault: nothing was
stored yet (a staged upload goes with its staging folder), so it is one INFO line in the log, no
traceback, and a 400 envelope nobody will read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from dataflywheel.errors import (
    EXIT_BAD_INPUT, FlywheelError, StoreFailure, Terminal, Unauthenticated,
)

log = logging.getLogger(__name__)


class PayloadTooLarge(FlywheelError, Terminal):
    """The request body is over the server's cap; nothing of it was read further or stored."""

    exit_code = EXIT_BAD_INPUT
    http_status = 413


class ErrorEnvelope(BaseModel):
    """The body of every non-2xx answer."""

    model_config = {"json_schema_extra": {"examples": [{
        "ok": False, "status": 404, "error": "project P-9 does not exist",
        "errors": [{"type": "NotFound", "message": "project P-9 does not exist"}]}]}}

    ok: Literal[False]
    error: str = Field(description="what went wrong, what was expected and what to do, one line")
    errors: list[dict[str, Any]] = Field(description="one entry per problem (per field on a 400)")
    status: int = Field(description="the HTTP status, repeated")


ERROR_STATUSES: dict[int, str] = {
    400: "Bad input: a field, parameter or body the route cannot accept (says which and why)",
    401: "Missing, unknown, expired or revoked personal token",
    403: "The policy table or the flow's RACI check refuses this person",
    404: "No such record (or route)",
    409: "Already exists, an illegal state transition, or a concurrent change",
    413: "The request body is over the server's cap",
    429: "Too many requests from this caller; retry after `Retry-After` seconds",
    500: "Unexpected server error (no traceback; the server log has it)",
    503: "The server is at its concurrency bound or a dependency is down; retry after "
         "`Retry-After` seconds",
}
PUBLIC_STATUSES = (400, 404, 413, 429, 500, 503)


def document_errors(openapi: dict[str, Any], public: set[tuple[str, str]]) -> dict[str, Any]:
    """Every operation of `openapi` answers the envelope for each error status it can return
    (401/403 only where a token is needed; 409/413 only where there is a body or a change);
    FastAPI's default 422 goes, since a failed validation is a 400 here."""
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ErrorEnvelope"] = ErrorEnvelope.model_json_schema()
    ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            statuses = set(ERROR_STATUSES)
            if (method.upper(), path) in public:
                statuses -= {401, 403}
            if method == "get":
                statuses -= {409, 413}
            for status in sorted(statuses):
                responses.setdefault(str(status), {
                    "description": ERROR_STATUSES[status],
                    "content": {"application/json": {"schema": ref}}})
    return openapi


def envelope(status: int, error: str, errors: list[dict[str, Any]],
             headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The one error body; `error` is kept to a single line."""
    line = " ".join(error.split())
    body = {"ok": False, "error": line, "errors": errors, "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


async def _flywheel_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FlywheelError)
    if isinstance(exc, StoreFailure) and isinstance(exc.__cause__, DataError):
        return await _data_error(_, exc.__cause__)  # the client's value, not a server fault
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return envelope(exc.http_status, str(exc), [exc.to_dict()], headers)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    more = f" ({len(errors)} problems)" if len(errors) > 1 else ""
    return envelope(400, f"invalid request{more}: {first['field']}: {first['message']}", errors)


def unparsable(cause: BaseException | None) -> str:
    """Why a request body could not be parsed, in the words a client can act on."""
    if isinstance(cause, RecursionError):
        return "the JSON body is nested too deeply; expected at most a few hundred levels"
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text: {cause.reason} at byte {cause.start}"
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return ("the JSON body has an integer of thousands of digits; expected numbers of at "
                "most 4300 digits")
    detail = f": {type(cause).__name__}" if cause is not None else ""
    return f"the body could not be parsed as JSON{detail}"


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        message = f"no such endpoint: {request.method} {request.url.path}; see GET /docs"
    elif exc.status_code == 413:
        cap = request.app.state.max_body_bytes
        message = (f"request body too large; expected at most {cap} bytes, got more than {cap} "
                   "bytes; nothing was stored; send it in smaller parts")
    elif exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        message = unparsable(exc.__cause__) + "; nothing was stored"
    else:
        message = str(exc.detail)
    return envelope(exc.status_code, message, [{"message": message}], exc.headers)


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    """The database refused a value (a NUL character on PostgreSQL, a number out of range): the
    client's input, not a server fault; the flow's transaction was rolled back."""
    assert isinstance(exc, DataError)
    orig = str(getattr(exc, "orig", exc)).strip().splitlines()
    reason = orig[0][:200] if orig else type(exc).__name__
    message = (f"a value of this request cannot be stored: {reason}; expected text without NUL "
               "characters and numbers in range; the transaction that held it was rolled back")
    return envelope(400, message, [{"type": "DataError", "message": message}])


async def _client_gone(request: Request, exc: Exception) -> JSONResponse:
    """The client went away mid-body: nothing of the request was stored; a quiet log line."""
    assert isinstance(exc, ClientDisconnect)
    log.info("client disconnected before the body of %s %s was complete; nothing was stored",
             request.method, request.url.path)
    message = ("the client disconnected before the request body was complete; nothing was "
               "stored; send the request again")
    return envelope(400, message, [{"type": "ClientDisconnect", "message": message}])


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    message = f"internal error: {type(exc).__name__}; the server log has the details"
    return envelope(500, message, [{"type": type(exc).__name__, "message": message}])


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through `envelope`."""
    app.add_exception_handler(FlywheelError, _flywheel_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _unexpected)
