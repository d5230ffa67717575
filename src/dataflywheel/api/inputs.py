"""Inputs no route can store: a NUL character in the path or the query string.

PostgreSQL text cannot hold NUL, SQLite can: without this guard the same request would be a 500
on one backend and a stored oddity on the other. Pure ASGI middleware, checked on the raw bytes
before routing (cheap: two substring searches), answered 400 with the error envelope. NUL inside
a JSON body is left to the route's validation and, on PostgreSQL, to `api.errors`' handler of the
database's refusal (400, the flow's transaction rolled back).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from dataflywheel.api.errors import envelope


class RejectNul:
    """400 for a request whose path or query string has a NUL character (`%00`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = (scope.get("raw_path") or b"") + b"?" + (scope.get("query_string") or b"")
            if b"%00" in raw or b"\x00" in raw or "\x00" in scope.get("path", ""):
                message = ("a NUL character (%00) in the path or query string; expected "
                           "printable text; nothing was done")
                response = envelope(400, message, [{"type": "BadInput", "message": message}])
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
