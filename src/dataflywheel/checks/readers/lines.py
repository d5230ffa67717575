"""Splitting a byte stream into lines with bounded memory.

Guarantees: every line of the input comes out exactly once, in order (the last one even without a
trailing newline); a line longer than `max_line_bytes` is never held in memory beyond the chunk
it lies in: a line that spans chunks and grows past the limit comes out as an `int` (its length
in bytes) instead of its bytes, so the caller can reject it by line number.

Speed: `split_blocks` does not cut a chunk into line objects. The lines that end inside a chunk
and start inside it stay in the chunk as one `Block` (the buffer plus the offsets of its
newlines, found by one vectorised scan); only the line that straddles the previous chunk is
joined into its own bytes. A reader decodes runs of a block as single slices of the buffer and
cuts lines out only where it must look at one line alone. `split_lines` gives the same lines as
a plain list (over-long ones inside a block as their length too).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

Line = bytes | int
_NL = 10


@dataclass(frozen=True, slots=True)
class Block:
    """Complete lines in one buffer: line i is `buf[starts[i]:ends[i]]`, and `buf[ends[i]]` is
    its b"\\n". Lines longer than the limit may be here (they are in the chunk already); the
    reader rejects them by length."""

    buf: bytes
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.ends)

    def lines(self, max_line_bytes: int, lo: int = 0, hi: int | None = None) -> list[Line]:
        """Lines [lo, hi) as bytes, an over-long one as its length."""
        buf = self.buf
        out: list[Line] = []
        for s, e in zip(self.starts[lo:hi].tolist(), self.ends[lo:hi].tolist()):
            out.append(buf[s:e] if e - s <= max_line_bytes else e - s)
        return out

    def tail(self, lo: int) -> Block:
        """The lines from `lo` on."""
        return Block(self.buf, self.starts[lo:], self.ends[lo:])


def _block(chunk: bytes, nls: npt.NDArray[np.int64], first: int) -> Block:
    starts = np.empty(len(nls), dtype=np.int64)
    if len(nls):
        starts[0] = first
        starts[1:] = nls[:-1] + 1
    return Block(chunk, starts, nls)


def split_blocks(chunks: Iterable[bytes], max_line_bytes: int) -> Iterator[list[Line | Block]]:
    """Yield, per input chunk that ends at least one line, those lines in order: the line that
    began in earlier chunks (bytes, or its length when over-long) and then a `Block` of the
    lines that lie wholly in this chunk. After the last chunk, a last line without newline."""
    carry: list[bytes] = []
    carry_len = 0
    skipping = -1  # >= 0 while inside an over-long line: bytes of it seen so far
    scratch = np.empty(0, dtype=bool)  # reused: a fresh 1 MB array per chunk costs page faults
    for chunk in chunks:
        if len(scratch) < len(chunk):
            scratch = np.empty(len(chunk), dtype=bool)
        is_nl = scratch[: len(chunk)]
        np.equal(np.frombuffer(chunk, dtype=np.uint8), _NL, out=is_nl)
        nls = np.flatnonzero(is_nl).astype(np.int64, copy=False)
        if not len(nls):
            if skipping >= 0:
                skipping += len(chunk)
            elif chunk:
                carry.append(chunk)
                carry_len += len(chunk)
                if carry_len > max_line_bytes:
                    skipping, carry, carry_len = carry_len, [], 0
            continue
        out: list[Line | Block] = []
        head = int(nls[0])
        if skipping >= 0:
            out.append(skipping + head)
            skipping = -1
        elif carry:
            if carry_len + head > max_line_bytes:
                out.append(carry_len + head)
            else:
                carry.append(chunk[:head])
                out.append(b"".join(carry))
            carry, carry_len = [], 0
        else:
            head = -1  # the chunk starts a line: its first line is in the block
        if len(nls) > 1 or head < 0:
            out.append(_block(chunk, nls if head < 0 else nls[1:], head + 1))
        last = int(nls[-1]) + 1
        if last < len(chunk):
            carry_len = len(chunk) - last
            if carry_len > max_line_bytes:
                skipping, carry_len = carry_len, 0
            else:
                carry = [chunk[last:]]
        yield out
    if skipping >= 0:
        yield [skipping]
    elif carry_len:
        yield [b"".join(carry)]


def split_lines(chunks: Iterable[bytes], max_line_bytes: int) -> Iterator[list[Line]]:
    """Yield, per input chunk, the complete lines it ends (without their b"\\n")."""
    for part in split_blocks(chunks, max_line_bytes):
        out: list[Line] = []
        for item in part:
            out.extend(item.lines(max_line_bytes) if isinstance(item, Block) else [item])
        yield out


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
