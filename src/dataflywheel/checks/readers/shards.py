"""Cutting inputs into shards: byte ranges of plain JSONL, whole files otherwise.

Guarantees: the shards of a file cover every byte exactly once, each starts at the beginning of
a line, and `first_line` is the exact 1-based number of its first line (found by counting
b"\\n" before it, 1 MB at a time). Shard indexes follow the order of files then bytes, which is
the order the engines merge in.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from dataflywheel.checks.readers.source import CHUNK_BYTES, Compression, file_size, open_raw
from dataflywheel.errors import BadInput

DEFAULT_SHARD_BYTES = 32 * 1024 * 1024


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


def plan_shards(files: Sequence[str], *, shard_bytes: int = DEFAULT_SHARD_BYTES) -> list[Shard]:
    """Shards for `files` in order; raises NotFound/BadInput before any record is read."""
    from dataflywheel.checks.readers.registry import detect

    if not files:
        raise BadInput("no input files given", expected="at least one JSONL, Parquet or CSV file")
    shards: list[Shard] = []
    for path in files:
        reader, compression = detect(path)
        fmt = reader.format
        size = file_size(path)
        if size == 0:
            raise BadInput("input file is empty", path=path, expected="at least one record")
        if not reader.splittable or compression != "none" or size <= shard_bytes:
            shards.append(Shard(len(shards), path, fmt, compression, 0, size, 1, size))
            continue
        for start, end, first_line in _ranges(path, size, shard_bytes):
            shards.append(Shard(len(shards), path, fmt, compression, start, end, first_line, size))
    return shards


def _ranges(path: str, size: int, shard_bytes: int) -> list[tuple[int, int, int]]:
    count = -(-size // shard_bytes)
    bounds = [0]
    with open_raw(path) as f:
        for k in range(1, count):
            start = _next_line_start(f, k * size // count, size)
            if start > bounds[-1] and start < size:
                bounds.append(start)
        bounds.append(size)
        ranges, line = [], 1
        for start, end in itertools.pairwise(bounds):
            ranges.append((start, end, line))
            line += _count_newlines(f, start, end)
    return ranges


def _next_line_start(f: IO[bytes], offset: int, size: int) -> int:
    """The first line start at or after `offset` (a line starts after each b"\\n")."""
    pos = offset - 1
    f.seek(pos)
    while pos < size:
        chunk = f.read(CHUNK_BYTES)
        if not chunk:
            break
        nl = chunk.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(chunk)
    return size


def _count_newlines(f: IO[bytes], start: int, end: int) -> int:
    f.seek(start)
    left, count = end - start, 0
    while left > 0:
        chunk = f.read(min(CHUNK_BYTES, left))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count
