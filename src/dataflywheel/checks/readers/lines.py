"""Splitting a byte stream into lines with bounded memory.

Guarantees: every line of the input comes out exactly once, in order (the last one even without a
trailing newline); a line longer than `max_line_bytes` is never held in memory: it comes out as an
`int` (its length in bytes) instead of its bytes, so the caller can reject it by line number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO

Line = bytes | int


def split_lines(chunks: Iterable[bytes], max_line_bytes: int) -> Iterator[list[Line]]:
    """Yield, per input chunk, the complete lines it ends (without their b"\\n")."""
    carry: list[bytes] = []
    carry_len = 0
    skipping = -1  # >= 0 while inside an over-long line: bytes of it seen so far
    for chunk in chunks:
        out: list[Line] = []
        if skipping >= 0:
            nl = chunk.find(b"\n")
            if nl < 0:
                skipping += len(chunk)
                continue
            out.append(skipping + nl)
            chunk, skipping = chunk[nl + 1 :], -1
        parts = chunk.split(b"\n")
        tail = parts.pop()
        longest_possible = len(chunk) + carry_len
        if parts and carry:
            carry.append(parts[0])
            parts[0] = b"".join(carry)
            carry, carry_len = [], 0
        if longest_possible > max_line_bytes:
            out.extend(p if len(p) <= max_line_bytes else len(p) for p in parts)
        else:
            out.extend(parts)
        carry.append(tail)
        carry_len += len(tail)
        if carry_len > max_line_bytes:
            skipping, carry, carry_len = carry_len, [], 0
        if out:
            yield out
    if skipping >= 0:
        yield [skipping]
    elif carry_len:
        yield [b"".join(carry)]


def read_range(f: IO[bytes], start: int, end: int, chunk_bytes: int) -> Iterator[bytes]:
    """Chunks of bytes [start, end) of a seekable binary file object."""
    f.seek(start)
    left = end - start
    while left > 0:
        chunk = f.read(min(chunk_bytes, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk
