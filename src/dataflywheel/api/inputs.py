"""Inputs no route should see: a body over the cap, a NUL character in the path or query string.

Pure ASGI middleware, before routing, answering in the error envelope:
- **Body cap** (413): a declared `Content-Length` over the app's `max_body_bytes` is refused before
  a byte is read; a body without one (chunked) is counted as it streams and refused as soon as it
  passes the cap (`BodyTooLarge`, an `HTTPException` so FastAPI's body parsing and the raw-body
  routes let it through to `api.errors`). So no JSON route reads an unbounded body into memory.
- **NUL** (400): PostgreSQL text cannot hold NUL, SQLite can; without this guard the same request
  would be a 500 on one backend and a stored oddity on the other. Checked on the raw bytes (two
  substring searches). NUL inside a JSON body is left to the route's validation and, on
  PostgreSQL, to `api.errors`' handler of the database's refusal (400, transaction rolled back).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataflywheel.api.errors import envelope


class BodyTooLarge(HTTPException):
    """The body streamed past the cap; nothing of it was used."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


def too_large(cap: int, got: str) -> str:
    return (f"request body too large; expected at most {cap} bytes, got {got}; nothing was "
            "stored; send it in smaller parts")


class GuardInputs:
    """413 for a body over `cap` bytes, 400 for a NUL character in the path or query string."""

    def __init__(self, app: ASGIApp, cap: int) -> None:
        self.app = app
        self.cap = cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = (scope.get("raw_path") or b"") + b"?" + (scope.get("query_string") or b"")
        if b"%00" in raw or b"\x00" in raw or "\x00" in scope.get("path", ""):
            message = ("a NUL character (%00) in the path or query string; expected printable "
                       "text; nothing was done")
            await envelope(400, message, [{"type": "BadInput", "message": message}])(
                scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.cap:
            message = too_large(self.cap, f"{int(declared)} bytes")
            await envelope(413, message, [{"type": "PayloadTooLarge", "message": message}])(
                scope, receive, send)
            return
        await self.app(scope, self._capped(receive), send)

    def _capped(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.cap:
                    raise BodyTooLarge()
            return message

        return counted
