"""Byte-level scans of a batch's texts with numpy, for prefilters a regex makes slow.

Why: a Rust regex over a character class with no literal prefix (C0 controls, say) runs at about
700 MB/s, a third of a gate's budget on its own, while `np.flatnonzero(buf == byte)` over the
same bytes is several times faster. A prefilter only needs the rows that *may* hold something,
so it can look at the UTF-8 bytes: a multi-byte sequence is found as its bytes, and an ASCII byte
(< 0x80) is never part of another character's encoding.

`TextBytes(packed)` scans the buffer a batch's texts were packed into once (`textpack`), the same
bytes the polars text columns are built from, without copying it. Rows whose text differs from
the packed bytes (the normalised rows `textnorm` fixes one by one) are given as `fixes` and
scanned from one more buffer. Nothing here needs polars or Arrow: a column never has to be
exported again to be scanned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dataflywheel.checks.textpack import PackedText, pack_utf8

Find = Callable[[Any], Any]  # uint8 array -> int64 array of byte positions


class TextBytes:
    """The UTF-8 bytes of a batch's texts as numpy chunks, each with the byte range of its rows."""

    __slots__ = ("_chunks", "rows")

    def __init__(self, packed: PackedText, fixes: Mapping[int, str] | None = None) -> None:
        """`packed`'s rows, except those in `fixes`, whose text (lone surrogates as U+FFFD, as in
        a polars column) replaces theirs."""
        self.rows = len(packed)
        # (data, starts, ends, rows): row rows[i] is data[starts[i]:ends[i]]; starts ascending,
        # ranges disjoint (bytes between them belong to no row)
        self._chunks: list[tuple[Any, Any, Any, Any]] = []
        if self.rows == 0:
            return
        fixes = fixes or {}
        offsets = np.asarray(packed.offsets, dtype=np.int64)
        fixed = np.array(sorted(fixes), dtype=np.int64)
        rows = np.arange(self.rows, dtype=np.int64)
        if len(fixed):
            rows = np.setdiff1d(rows, fixed, assume_unique=True)
        data = np.frombuffer(packed.data, np.uint8)
        self._chunks.append((data, offsets[rows], offsets[rows + 1], rows))
        if len(fixed):
            more = pack_utf8([fixes[r] for r in fixed.tolist()])
            at = np.asarray(more.offsets, dtype=np.int64)
            self._chunks.append((np.frombuffer(more.data, np.uint8), at[:-1], at[1:], fixed))

    @classmethod
    def of(cls, texts: Sequence[str]) -> TextBytes:
        """The bytes of `texts` (lone surrogates as U+FFFD), packed here."""
        return cls(pack_utf8(texts))

    def hit_rows(self, find: Find, span: int = 1) -> Any:
        """The row of every position `find` returns in a chunk (repeats kept), for the hits that
        lie wholly inside a row: `span` bytes from the position (a pattern of that many bytes).
        `find` sees a chunk's rows back to back, so it may match across two rows; such a match
        is dropped, and a scan for patterns of exactly `span` bytes picks exactly the rows that
        hold one."""
        out = []
        for data, starts, ends, rows in self._chunks:
            pos = find(data)
            if not len(pos):
                continue
            k: Any = np.searchsorted(starts, pos, side="right") - 1
            inside = k >= 0
            k, pos = k[inside], pos[inside]
            out.append(rows[k[pos + span <= ends[k]]])
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def edges(self) -> tuple[Any, Any]:
        """The first and the last byte of every row (int16; -1 for an empty row)."""
        first = np.full(self.rows, -1, np.int16)
        last = np.full(self.rows, -1, np.int16)
        for data, starts, ends, rows in self._chunks:
            full = ends > starts
            first[rows[full]] = data[starts[full]]
            last[rows[full]] = data[ends[full] - 1]
        return first, last

    def count_per_row(self, byte: int) -> Any:
        """How many times `byte` occurs in each row (int64, one entry per row).

        Counted over pieces of `_COUNT_PIECE` bytes (each row's share of a piece is added to
        it): `reduceat` widens its input to int32, four bytes per byte, which over a 16 MB row
        was a 64 MB temporary; per piece it is a fixed 16 MB."""
        out = np.zeros(self.rows, np.int64)
        for data, starts, ends, rows in self._chunks:
            for at in range(0, len(data), _COUNT_PIECE):
                stop = min(at + _COUNT_PIECE, len(data))
                s, e = np.clip(starts, at, stop), np.clip(ends, at, stop)
                full = e > s  # an empty share counts 0 (and reduceat cannot take it)
                if full.any():
                    out[rows[full]] += _count(data[at:stop], s[full] - at, e[full] - at, byte)
        return out


_COUNT_PIECE = 1 << 22


def _count(data: Any, s: Any, e: Any, byte: int) -> Any:
    """Occurrences of `byte` in each non-empty range data[s[i]:e[i]] (ranges ascending, disjoint)."""
    bounds = np.empty(2 * len(s), np.int64)
    bounds[0::2], bounds[1::2] = s, e
    if bounds[-1] == len(data):  # the last row runs to the end of the data
        bounds = bounds[:-1]
    hits = (data == byte).view(np.uint8)
    # segment 2i is row i exactly; odd segments are the bytes between rows. A count fits the
    # data's length; numpy sums uint8 into int32 about six times faster than int64.
    wide = np.int32 if len(data) < 2**31 else np.int64
    return np.add.reduceat(hits, bounds, dtype=wide)[0::2]


def byte_hits(data: Any, byte: int) -> Any:
    """Positions of `byte` in `data`."""
    return np.flatnonzero(data == byte)


def followed_by(data: Any, pos: Any, step: int, ok: Any) -> Any:
    """The positions `p` of `pos` whose byte at `p + step` is in the 256-entry table `ok`."""
    pos = pos[pos + step < len(data)]
    return pos[ok[data[pos + step]]]


def byte_table(*ranges: tuple[int, int]) -> Any:
    """A 256-entry boolean table, true on the inclusive byte ranges given."""
    table = np.zeros(256, bool)
    for lo, hi in ranges:
        table[lo : hi + 1] = True
    return table
