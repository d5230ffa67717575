"""A batch's texts packed as one UTF-8 buffer plus offsets (Arrow's string layout).

Why: the vectorised scans (polars regexes, hashing, the batch normalisation of `textnorm`) all
want the texts as bytes in one piece. Building a polars Series from a list of Python strings
costs about as much as encoding every text twice; encoding each text once, joining the bytes and
handing buffer + offsets to Arrow costs one encode and one copy, and the same buffer serves
both the raw `RecordBatch.text_column()` and the normalised column.

A lone surrogate (possible in a JSON string, never in UTF-8) is packed as U+FFFD; such rows are
listed in `lossy`, so a consumer that needs the exact text (exact duplicates, the list form of
`RecordBatch.normalised()`) takes it from the Python strings instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_SURROGATE = re.compile("[\ud800-\udfff]")
COLUMN_MODULES = ("polars", "nanoarrow")  # what `PackedText.series` imports


@dataclass(frozen=True, slots=True)
class PackedText:
    """`data[offsets[i]:offsets[i + 1]]` is the UTF-8 of text `i` (U+FFFD for lone surrogates in
    the rows listed in `lossy`, ascending). `offsets` is int64, one longer than the texts."""

    data: bytes
    offsets: Any
    lossy: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def series(self) -> Any:
        """The texts as one polars String Series (one copy of the buffer, no per-text work).

        The buffer and offsets become an Arrow large-string array with nanoarrow (a few
        milliseconds to import), which polars takes through the Arrow PyCapsule interface:
        pyarrow is never imported to read JSONL or CSV (~0.1 s that every process of a run, the
        local engine's helpers included, would pay on its first batch)."""
        import nanoarrow as na  # type: ignore[import-untyped]
        import polars as pl

        array = na.c_array_from_buffers(
            na.large_string(), len(self), [None, self.offsets, self.data]
        )
        return pl.Series(na.Array(array))


def pack_utf8(texts: Sequence[str]) -> PackedText:
    """Encode every text once into one buffer; lone surrogates become U+FFFD (rows in `lossy`)."""
    lossy: list[int] = []
    try:
        enc = [t.encode() for t in texts]
    except UnicodeEncodeError:
        enc = []
        for i, t in enumerate(texts):
            try:
                enc.append(t.encode())
            except UnicodeEncodeError:
                enc.append(_SURROGATE.sub("\ufffd", t).encode())
                lossy.append(i)
    offsets = np.zeros(len(enc) + 1, dtype=np.int64)
    np.cumsum(np.array(list(map(len, enc)), dtype=np.int64), out=offsets[1:])
    return PackedText(b"".join(enc), offsets, tuple(lossy))


def exact_utf8(text: str) -> bytes:
    """UTF-8 of `text`, lone surrogates kept as their (invalid) three-byte form, so two texts have
    the same bytes exactly when they are equal."""
    return text.encode("utf-8", "surrogatepass")


def valid_utf8(text: str) -> bytes:
    """UTF-8 of `text`, lone surrogates as U+FFFD (what a polars String can hold)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode()
