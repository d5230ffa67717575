"""Byte-level scans of a batch's text column with numpy, for prefilters a regex makes slow.

Why: a Rust regex over a character class with no literal prefix (C0 controls, say) runs at about
700 MB/s, a third of a gate's budget on its own, while `np.flatnonzero(buf == byte)` over the
same bytes is several times faster. A prefilter only needs the rows that *may* hold something,
so it can look at the UTF-8 bytes: a multi-byte sequence is found as its bytes, and an ASCII byte
(< 0x80) is never part of another character's encoding.

`TextBytes(column)` exposes the bytes of a polars String Series without copying them where it
can: polars keeps strings as Arrow string views, whose long strings (> 12 bytes) lie in a few data
buffers; `hit_rows(find)` runs `find` over each buffer and maps the positions it returns back to
rows. Strings of at most 12 bytes live inside the view itself: they are copied into one more
chunk, 12 bytes a row. Any other layout (an older polars, overlapping views) takes one copying
path with the same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Find = Callable[[Any], Any]  # uint8 array -> int64 array of byte positions
_INLINE = 12  # an Arrow string view holds strings of at most 12 bytes inline


class TextBytes:
    """The UTF-8 bytes of a String Series as numpy chunks, each with the byte range of its rows."""

    __slots__ = ("_chunks", "rows")

    def __init__(self, column: Any) -> None:
        self.rows = len(column)
        # (data, starts, ends, rows): row rows[i] is data[starts[i]:ends[i]]; starts ascending,
        # ranges disjoint (bytes between them belong to no row)
        self._chunks: list[tuple[Any, Any, Any, Any]] = []
        if self.rows == 0:
            return
        if column.null_count() == 0 and self._from_views(column):
            return
        self._chunks = []
        self._from_copy(column)

    def _from_views(self, column: Any) -> bool:
        import polars as pl

        arr = column.to_arrow(compat_level=pl.CompatLevel.newest())
        if str(arr.type) != "string_view":
            return False
        bufs = arr.buffers()
        views = np.frombuffer(bufs[1], np.int32).reshape(-1, 4)[arr.offset : arr.offset + self.rows]
        lens = views[:, 0].astype(np.int64)
        long = lens > _INLINE
        short = np.flatnonzero(~long)
        if len(short):  # bytes 4..15 of an inline view are the string, zero-padded
            inline = np.ascontiguousarray(views[short].view(np.uint8)[:, 4:16]).reshape(-1)
            starts = np.arange(len(short), dtype=np.int64) * _INLINE
            self._chunks.append((inline, starts, starts + lens[short], short))
        rows = np.flatnonzero(long)
        which = views[rows, 2]
        for b in np.unique(which):
            mine = rows[which == b]
            starts = views[mine, 3].astype(np.int64)
            order = np.argsort(starts, kind="stable")
            starts, mine = starts[order], mine[order]
            ends = starts + lens[mine]
            buf = bufs[2 + int(b)]
            data = np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)
            if (len(starts) > 1 and bool(np.any(starts[1:] < ends[:-1]))) or ends[-1] > len(data):
                return False  # shared or overlapping bytes: the mapping below would be ambiguous
            self._chunks.append((data, starts, ends, mine))
        return True

    def _from_copy(self, column: Any) -> None:
        import polars as pl

        arr = column.cast(pl.Binary).fill_null(b"").to_arrow()  # large_binary, one copy
        bufs = arr.buffers()
        offsets = np.frombuffer(bufs[1], np.int64)[arr.offset : arr.offset + self.rows + 1]
        data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
        self._chunks.append((data, offsets[:-1], offsets[1:], np.arange(self.rows)))

    def hit_rows(self, find: Find) -> Any:
        """The row of every position `find` returns in a chunk (repeats kept; positions between
        rows dropped). `find` may look past a row's end, into the next row's bytes: the caller's
        condition must then be a necessary one (a superset), never an exact one."""
        out = []
        for data, starts, ends, rows in self._chunks:
            pos = find(data)
            if not len(pos):
                continue
            k: Any = np.searchsorted(starts, pos, side="right") - 1
            inside = k >= 0
            k, pos = k[inside], pos[inside]
            out.append(rows[k[pos < ends[k]]])
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
        """How many times `byte` occurs in each row (int64, one entry per row)."""
        out = np.zeros(self.rows, np.int64)
        for data, starts, ends, rows in self._chunks:
            full = ends > starts  # an empty row counts 0 (and reduceat cannot take it)
            if not full.any():
                continue
            s, e, r = starts[full], ends[full], rows[full]
            bounds = np.empty(2 * len(s), np.int64)
            bounds[0::2], bounds[1::2] = s, e
            if bounds[-1] == len(data):  # the last row runs to the end of the data
                bounds = bounds[:-1]
            hits = (data == byte).view(np.uint8)
            # segment 2i is row i exactly; odd segments are the bytes between rows. A count fits
            # the data's length; numpy sums uint8 into int32 about six times faster than int64.
            wide = np.int32 if len(data) < 2**31 else np.int64
            out[r] = np.add.reduceat(hits, bounds, dtype=wide)[0::2]
        return out


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
