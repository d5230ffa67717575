"""Shards, and cutting a file at line starts: the `Shard` record and the default `Reader.split`.

`plan_shards` (in the package) cuts the inputs into shards: byte ranges of plain JSONL (and of
Parquet, at row groups: see `Reader.split`), whole files otherwise. This module knows no reader,
so the registry of readers can build on it.

Guarantees: the shards of a file cover every byte exactly once, each starts at the beginning of
a line (of a row group, for Parquet), and `first_line` is the exact 1-based number of its first
line (found by counting b"\\n" before it) or row. Shard indexes follow the order of files then
bytes, which is the order the engines merge in.

Speed: planning is serial work before any shard is read (the local engine's helpers wait for
it), so a shard boundary is found in a small window after its offset, and the newlines are
counted with numpy (~4 GB/s) in one thread per core, each over whole shards.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from dataflywheel.checks.readers.source import Compression, open_raw

DEFAULT_SHARD_BYTES = 32 * 1024 * 1024
BOUNDARY_WINDOW = 64 * 1024  # read at a time while looking for the next line start
COUNT_BYTES = 4 * 1024 * 1024  # read at a time while counting newlines


@dataclass(frozen=True, slots=True)
class Shard:
    """One unit of work: a byte range of a plain JSONL file, or a whole file. Plain data."""

    index: int
    file: str
    format: str  # a registered reader's format name
    compression: Compression
    start: int = 0
    end: int = -1  # -1: to the end of the file
    first_line: int = 1
    size: int = 0  # stored bytes of the file

    @property
    def stop(self) -> int:
        """The byte after the shard's last one (`end`, or the file's size when it is -1)."""
        return self.end if self.end >= 0 else self.size


def line_ranges(path: str, size: int, shard_bytes: int) -> list[tuple[int, int, int]]:
    """(start, end, first line) of shards of about `shard_bytes`, each starting at a line start."""
    count = -(-size // shard_bytes)
    bounds = [0]
    with open_raw(path) as f:
        for k in range(1, count):
            start = _next_line_start(f, k * size // count, size)
            if start > bounds[-1] and start < size:
                bounds.append(start)
    bounds.append(size)
    spans = list(itertools.pairwise(bounds))
    threads = min(len(spans), os.cpu_count() or 1)
    with ThreadPoolExecutor(threads, thread_name_prefix="flywheel-plan") as pool:
        newlines = list(pool.map(lambda span: _count_newlines(path, *span), spans))
    firsts = itertools.accumulate(newlines[:-1], initial=1)
    return [(start, end, first) for (start, end), first in zip(spans, firsts, strict=True)]


def _next_line_start(f: IO[bytes], offset: int, size: int) -> int:
    """The first line start at or after `offset` (a line starts after each b"\\n")."""
    pos = offset - 1
    f.seek(pos)
    while pos < size:
        chunk = f.read(BOUNDARY_WINDOW)
        if not chunk:
            break
        nl = chunk.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(chunk)
    return size


def _count_newlines(path: str, start: int, end: int) -> int:
    """b"\\n" in bytes `start` .. `end - 1`: numpy compares a reused buffer (and, like the read,
    releases the GIL, so the planning threads count side by side)."""
    import numpy as np

    buf = bytearray(min(COUNT_BYTES, end - start))
    view, data = memoryview(buf), np.frombuffer(buf, np.uint8)
    count, left = 0, end - start
    with open_raw(path) as f:
        f.seek(start)
        while left > 0:
            got = f.readinto(view[: min(len(buf), left)])  # type: ignore[attr-defined]
            if not got:
                break
            count += int(np.count_nonzero(data[:got] == 0x0A))
            left -= got
    return count
