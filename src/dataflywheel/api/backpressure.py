"""Back-pressure: over a bound of requests in flight the server says "busy, retry" at once.

Without it, a burst of clients queues in the server (the thread pool, the database) until the
clients time out — at 256 connections 47 of them did, and none was told why. `ConcurrencyLimit` is
pure ASGI middleware (no request parsing, a counter on the event loop): a request that would be
in flight beyond `limit` is answered 503 with the error envelope and `Retry-After` before the app
sees it, so the ones already admitted keep their latency and the refused ones retry.

One counter per server process (each uvicorn worker has its own event loop and its own bound);
the counter needs no lock because it is only touched on that loop.
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Receive, Scope, Send

from dataflywheel.api.errors import envelope

RETRY_AFTER_S = 1


def default_limit() -> int:
    """Requests in flight per worker before the 503s start: enough to keep every core busy while
    some requests wait on the database, few enough that an admitted request is answered in well
    under a client's timeout (16 per core, at least 32)."""
    return max(32, 16 * (os.cpu_count() or 1))


class ConcurrencyLimit:
    """At most `limit` HTTP requests in the app at once; the rest get 503 + `Retry-After`."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"the concurrency bound must be at least 1, got {limit}")
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.refused += 1
            response = envelope(
                503, f"server busy: {self.limit} requests in flight, the most this worker "
                     f"serves at once; nothing was done; retry after {RETRY_AFTER_S} s",
                [{"type": "ServerBusy", "limit": self.limit}],
                {"Retry-After": str(RETRY_AFTER_S)})
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
