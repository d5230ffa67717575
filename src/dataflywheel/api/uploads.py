"""Request bodies that are files (a delivery, a reviews file): streamed to disk, never held whole.

`spool` writes the body into the staging folder it is given (`flows.data.delivery_fetch.staging`,
removed by its owner whatever happens) a chunk at a time, the writes off the event loop. A body
declared over `cap` is refused before a byte is read; one that grows over it is refused as soon as
it does; both are `PayloadTooLarge` (413). A client that disconnects mid-body raises Starlette's
`ClientDisconnect` out of here: the caller has not delivered anything yet, the staging folder
goes with the request, and `api.errors` logs it as the client going away (no traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.errors import PayloadTooLarge

FLUSH_BYTES = 1024 * 1024


def _too_large(cap: int, got: str, hint: str) -> PayloadTooLarge:
    return PayloadTooLarge("request body too large", expected=f"at most {cap} bytes", got=got,
                           kept="nothing was stored", hint=hint)


async def spool(request: Request, target: Path, *, cap: int, hint: str) -> int:
    """Stream the body of `request` into `target` (at most `cap` bytes); the bytes written."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise _too_large(cap, f"{declared} bytes", hint)
    size = 0
    pending: list[bytes] = []
    held = 0
    out: IO[bytes] = await run_in_threadpool(target.open, "wb")
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise _too_large(cap, f"more than {cap} bytes", hint)
            pending.append(chunk)
            held += len(chunk)
            if held >= FLUSH_BYTES:
                await run_in_threadpool(out.write, b"".join(pending))
                pending, held = [], 0
        if pending:
            await run_in_threadpool(out.write, b"".join(pending))
    finally:
        await run_in_threadpool(out.close)
    return size
