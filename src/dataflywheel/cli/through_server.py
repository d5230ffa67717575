"""What a command checks before it acts through the team server instead of the local workspace.

Locally, `--by PERSON` must be the person the login is bound to (`cli._context.workspace`); through
the server the acting person is the token's, so `--by` must name that person (asked of
`GET /api/v1/me`) or the command is refused before anything is sent, as it is locally. The server
decides on its own clock and names its own on-call person, so `--now` and `--on-call` are refused
rather than silently dropped.
"""

from __future__ import annotations

import typer

from dataflywheel.cli.remote import ServerClient, require_named_remote, server_of
from dataflywheel.errors import BadInput


def through_server(ctx: typer.Context, *, by: str | None = None, now: str | None = None,
                   on_call: str | None = None) -> ServerClient | None:
    """The server client when `FLYWHEEL_SERVER` is set (None: act locally), once `by`, `now`
    and `on_call` are what a server can honour."""
    client = server_of(ctx)
    if client is None:
        return None
    kept = "nothing was sent or changed"
    if now is not None:
        raise BadInput("--now is not taken through the team server: it decides on its own clock",
                       field="--now", expected="no --now with FLYWHEEL_SERVER", got=now, kept=kept,
                       hint="leave --now out, or unset FLYWHEEL_SERVER to act locally")
    if on_call is not None:
        raise BadInput("--on-call is not taken through the team server: a caller may not name "
                       "who is on call (the platform engineer is)", field="--on-call",
                       expected="no --on-call (nor FLYWHEEL_ON_CALL) with FLYWHEEL_SERVER",
                       got=on_call, kept=kept, hint="unset FLYWHEEL_ON_CALL, or act locally")
    require_named_remote(client, by, "--by")
    return client
