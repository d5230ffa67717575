"""The CLI acting through the team server (`FLYWHEEL_SERVER`, `FLYWHEEL_TOKEN`).

When `FLYWHEEL_SERVER` is set, a command that changes state sends its request to the server's
route for the same flow instead of opening a database, so a team can keep the database private to
the server. The answer is the record the flow returned (the route's JSON), which the command turns
back into its record and prints exactly as it does locally; the server's error envelope becomes
the same `FlywheelError` (and exit code) the local flow would have raised.

A command uses it as:

    client = server_of(ctx)
    if client is not None:
        record = Requirement.model_validate(client.call("POST", "/api/v1/…", json=body))
    else:
        with workspace(ctx) as ws:
            record = add_requirement(ws, …)

Busy answers (429, 503) are retried after their `Retry-After` (a few times, a bounded wait); a
server that cannot be reached is `ServerUnavailable` (exit 70), never a traceback.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import typer

from dataflywheel.cli._context import settings_of
from dataflywheel.errors import (
    AlreadyExists,
    BadInput,
    Conflict,
    FlywheelError,
    NotFound,
    PolicyViolation,
    ServerUnavailable,
    StoreFailure,
    Unauthenticated,
)

RETRIES = 5
MAX_WAIT_S = 10.0
TIMEOUT_S = 120.0


def server_of(ctx: typer.Context) -> ServerClient | None:
    """A client for `FLYWHEEL_SERVER`, or None when commands act on the local workspace."""
    settings = settings_of(ctx)
    if not settings.server:
        return None
    if settings.token is None:
        raise BadInput("FLYWHEEL_SERVER is set but no token is", field="FLYWHEEL_TOKEN",
                       expected="a personal API token", kept="nothing was changed",
                       hint="ask for one: flywheel tokens create PERSON --expires 30d; then "
                            "export FLYWHEEL_TOKEN=fwt_…")
    return ServerClient(settings.server, settings.token.get_secret_value())


def _error(status: int, body: dict[str, Any]) -> FlywheelError:
    """The local error a server answer stands for (its message and details kept)."""
    details = (body.get("errors") or [{}])[0] if isinstance(body.get("errors"), list) else {}
    message = str(body.get("error") or f"the server answered {status}")
    fields: dict[str, Any] = {
        k: str(details[k]) for k in ("field", "expected", "got", "kept", "hint", "path")
        if isinstance(details, dict) and details.get(k) is not None}
    kind: type[FlywheelError] = {
        400: BadInput, 401: Unauthenticated, 403: PolicyViolation, 404: NotFound, 413: BadInput,
        422: BadInput}.get(status, StoreFailure)
    if status == 409:  # an illegal move or a race: both exit 2 with the server's message
        kind = AlreadyExists if "already exists" in message else Conflict
    if status >= 500:
        message = f"the server failed: {message}"
    return kind(message, **fields)


class ServerClient:
    """One server, one token; `call` returns the JSON answer or raises the matching error."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
             content: bytes | Iterable[bytes] | None = None,
             headers: dict[str, str] | None = None) -> Any:
        import httpx

        send = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        for attempt in range(RETRIES + 1):
            try:
                response = httpx.request(method, self.url + path, json=json, params=params,
                                         content=content, headers=send, timeout=TIMEOUT_S)
            except httpx.HTTPError as exc:
                raise ServerUnavailable(f"cannot reach the team server at {self.url}: "
                                        f"{type(exc).__name__}", kept="nothing was changed",
                                        hint="check FLYWHEEL_SERVER, or unset it to act locally"
                                        ) from None
            if response.status_code in (429, 503) and attempt < RETRIES:
                time.sleep(_retry_after(response.headers.get("retry-after"), attempt))
                continue
            return self._answer(response)
        raise AssertionError("unreachable")

    def download(self, method: str, path: str, dest: Path, *, json: Any = None) -> dict[str, str]:
        """Like `call`, for an answer that is a file (an export): its bytes are streamed into
        `dest` rather than held in memory; returns the answer's headers."""
        import httpx

        send = {"Authorization": f"Bearer {self.token}"}
        for attempt in range(RETRIES + 1):
            try:
                with httpx.stream(method, self.url + path, json=json, headers=send,
                                  timeout=TIMEOUT_S) as response:
                    busy = response.status_code in (429, 503) and attempt < RETRIES
                    if not busy and response.status_code >= 400:
                        response.read()
                        self._answer(response)  # raises the error the answer stands for
                    if not busy:
                        with dest.open("wb") as out:
                            for chunk in response.iter_bytes():
                                out.write(chunk)
                        return dict(response.headers)
                    wait = _retry_after(response.headers.get("retry-after"), attempt)
            except httpx.HTTPError as exc:
                raise ServerUnavailable(f"cannot reach the team server at {self.url}: "
                                        f"{type(exc).__name__}", kept="nothing was changed",
                                        hint="check FLYWHEEL_SERVER, or unset it to act locally"
                                        ) from None
            time.sleep(wait)
        raise AssertionError("unreachable")

    def _answer(self, response: Any) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = {"error": response.text[:200]}
        if response.status_code < 400:
            return body
        if response.status_code in (429, 503):
            raise ServerUnavailable(f"the team server at {self.url} stayed busy "
                                    f"({response.status_code}) after {RETRIES} retries",
                                    kept="nothing was changed", hint="run the command again later")
        raise _error(response.status_code, body if isinstance(body, dict) else {})


def _retry_after(value: str | None, attempt: int) -> float:
    try:
        wait = float(value) if value is not None else 0.5 * 2 ** attempt
    except ValueError:
        wait = 0.5 * 2 ** attempt
    return max(0.05, min(wait, MAX_WAIT_S))


def require_named_remote(client: ServerClient, named: str | None, option: str = "--by") -> None:
    """Through the server, the rule `cli._context.workspace` applies locally: a person named on
    the command line (`--by`, an approver) must be the one the token acts as (`GET /api/v1/me`);
    the server then acts as that person whatever was typed."""
    if named is None:
        return
    me = client.call("GET", "/api/v1/me")["person_id"]
    if named != me:
        raise BadInput(f"{option} {named} names someone other than the acting person: the token "
                       f"acts as {me}", expected=f"{option} {me} (or leave it out)", got=named,
                       kept="nothing was changed", hint=f"{named} runs the command with their own "
                       "token")


def segment(value: str) -> str:
    """`value` as one URL path segment (ids may hold `/`, `@`, spaces)."""
    from urllib.parse import quote

    return quote(value, safe="@")


def server_as(ctx: typer.Context, named: str | None = None,
              option: str = "--by") -> ServerClient | None:
    """`server_of(ctx)`, refusing — as `flows.governance.identity.require_named` does locally —
    a command whose `named` person (`--by`, `--as`) is not the person the token acts as: the
    server acts as the token's person whatever is typed, so a different name is a mistake to
    report, never a name to act under."""
    client = server_of(ctx)
    if client is not None:
        require_named_remote(client, named, option)
    return client
