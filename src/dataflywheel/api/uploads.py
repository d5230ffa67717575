"""Request bodies that are files (a delivery, a reviews file): streamed to disk, never held whole.

`spool` writes the body into a file of the staging folder it is given
(`flows.data.delivery_fetch.staging`, removed by its owner whatever happens) a chunk at a time,
the writes off the event loop; `spool_parts` splits it into several files (a delivery of several
files sent one after another, each with its declared size). A body
declared over `cap` is refused before a byte is read; one that grows over it is refused as soon as
it does; both are `PayloadTooLarge` (413). A client that disconnects mid-body raises Starlette's
`ClientDisconnect` out of here: the caller has not delivered anything yet, the staging folder
goes with the request, and `api.errors` logs it as the client going away (no traceback).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.errors import PayloadTooLarge
from dataflywheel.errors import BadInput

FLUSH_BYTES = 1024 * 1024


def _too_large(cap: int, got: str, hint: str) -> PayloadTooLarge:
    return PayloadTooLarge("request body too large", expected=f"at most {cap} bytes", got=got,
                           kept="nothing was stored", hint=hint)


async def spool(request: Request, target: Path, *, cap: int, hint: str) -> int:
    """Stream the body of `request` into `target` (at most `cap` bytes); the bytes written."""
    return await spool_parts(request, [(target, None)], cap=cap, hint=hint)


async def spool_parts(request: Request, parts: Sequence[tuple[Path, int | None]], *, cap: int,
                      hint: str) -> int:
    """Stream the body of `request` into consecutive files: each `(path, size)` takes the next
    `size` bytes (a last part's None: the rest). At most `cap` bytes in all; a body that ends
    before the sizes add up, or goes on after them, is `BadInput` (nothing delivered). Returns
    the bytes written."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise _too_large(cap, f"{declared} bytes", hint)
    size = 0
    split = _Split(parts)
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                raise _too_large(cap, f"more than {cap} bytes", hint)
            await split.feed(chunk)
        await split.finish(size)
    finally:
        await split.close()
    return size


class _Split:
    """Writes a stream into consecutive files of given sizes, buffering up to `FLUSH_BYTES` and
    writing off the event loop."""

    def __init__(self, parts: Sequence[tuple[Path, int | None]]) -> None:
        self.parts, self.index, self.written = list(parts), 0, 0
        self.out: IO[bytes] | None = None
        self.pending: list[bytes] = []
        self.held = 0

    async def feed(self, chunk: bytes) -> None:
        while chunk:
            if self.index >= len(self.parts):
                raise _wrong_length(self.parts, "longer than")
            path, size = self.parts[self.index]
            if self.out is None:
                self.out = await run_in_threadpool(path.open, "wb")
            take = chunk if size is None else chunk[:size - self.written]
            chunk = chunk[len(take):]
            self.pending.append(take)
            self.held += len(take)
            self.written += len(take)
            if self.held >= FLUSH_BYTES:
                await self._flush()
            if size is not None and self.written == size:
                await self.close()
                self.index, self.written = self.index + 1, 0

    async def finish(self, size: int) -> None:
        last_takes_rest = self.index == len(self.parts) - 1 and self.parts[-1][1] is None
        if last_takes_rest and self.out is None:  # an empty body: an empty file, for the flow
            self.out = await run_in_threadpool(self.parts[-1][0].open, "wb")  # to refuse
        if self.index < len(self.parts) and not last_takes_rest:
            raise _wrong_length(self.parts, f"{size} bytes, shorter than")

    async def _flush(self) -> None:
        if self.pending and self.out is not None:
            await run_in_threadpool(self.out.write, b"".join(self.pending))
        self.pending, self.held = [], 0

    async def close(self) -> None:
        await self._flush()
        if self.out is not None:
            await run_in_threadpool(self.out.close)
            self.out = None


def _wrong_length(parts: Sequence[tuple[Path, int | None]], got: str) -> BadInput:
    total = sum(n or 0 for _, n in parts)
    return BadInput("the request body does not match the sizes of its files", field="size",
                    expected=f"the files one after another, {total} bytes in all "
                             f"({', '.join(f'{p.name}: {n}' for p, n in parts)})",
                    got=f"a body {got} that", kept="nothing was stored",
                    hint="send each ?size= as the byte length of its ?name= file, in order")
