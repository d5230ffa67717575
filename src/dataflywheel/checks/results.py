"""Reusable partials for checks whose metrics are "how many records have property X".

`FlagPartial` counts records, flagged records per key, the same per breakdown group, and keeps the
first `limit` examples per key in input order. `+` is associative and order-aware, so any
grouping of shards merged in order gives the same partial as one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Self, cast

import numpy as np

from dataflywheel.checks import spill
from dataflywheel.checks.base import Example, Partial

# (file, line, record_id, detail) — plain data so partials pickle cheaply.
ExampleRow = tuple[str, int, str, str]


def take_examples(
    first: list[ExampleRow], second: list[ExampleRow], limit: int
) -> list[ExampleRow]:
    """The first `limit` examples of `first` then `second` (associative, order kept)."""
    if len(first) >= limit:
        return first
    return first + second[: limit - len(first)]


def to_examples(rows: list[ExampleRow]) -> list[Example]:
    return [Example(file=f, line=ln, record_id=rid, detail=d) for f, ln, rid, d in rows]


def rate(count: int, total: int) -> float:
    """count / total, 0.0 for an empty input."""
    return count / total if total else 0.0


@dataclass(slots=True)
class FlagPartial(Partial):
    """Per-key counts of flagged records, overall and per group, with first examples."""

    limit: int
    records: int = 0
    flagged: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[ExampleRow]] = field(default_factory=dict)
    group_records: dict[str, int] = field(default_factory=dict)
    group_flagged: dict[str, dict[str, int]] = field(default_factory=dict)

    def count_groups(self, groups: list[str | None]) -> None:
        """Add one record per entry of a batch's `groups` (None groups are not broken down)."""
        self.records += len(groups)
        gr = self.group_records
        for g in groups:
            if g is not None:
                gr[g] = gr.get(g, 0) + 1

    def flag(self, key: str, row: ExampleRow, group: str | None) -> None:
        """Record that one record has property `key`."""
        self.flagged[key] = self.flagged.get(key, 0) + 1
        rows = self.examples.setdefault(key, [])
        if len(rows) < self.limit:
            rows.append(row)
        if group is not None:
            per = self.group_flagged.setdefault(group, {})
            per[key] = per.get(key, 0) + 1

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        for key, n in other.flagged.items():
            self.flagged[key] = self.flagged.get(key, 0) + n
        for key, rows in other.examples.items():
            self.examples[key] = take_examples(self.examples.get(key, []), rows, self.limit)
        for g, n in other.group_records.items():
            self.group_records[g] = self.group_records.get(g, 0) + n
        for g, per in other.group_flagged.items():
            mine = self.group_flagged.setdefault(g, {})
            for key, n in per.items():
                mine[key] = mine.get(key, 0) + n
        return self

    def rates(self, keys: dict[str, str]) -> dict[str, float]:
        """metric name -> rate of records flagged with key, for `keys` = {metric: key}."""
        return {
            metric: rate(self.flagged.get(key, 0), self.records) for metric, key in keys.items()
        }

    def group_rates(self, keys: dict[str, str]) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for g in sorted(self.group_records):
            per = self.group_flagged.get(g, {})
            total = self.group_records[g]
            out[g] = {metric: rate(per.get(key, 0), total) for metric, key in keys.items()}
        return out

    def examples_for(self, keys: dict[str, str]) -> dict[str, list[Example]]:
        return {
            metric: to_examples(self.examples[key])
            for metric, key in keys.items()
            if self.examples.get(key)
        }


_NONE = 0xFFFFFFFF


def _utf8_sizes(text: str, chars: Any) -> Any:
    """UTF-8 byte length (surrogates as 3 bytes, as `surrogatepass` writes them) of each of the
    consecutive pieces of `text` whose character lengths are `chars`."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    width = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    ends = np.zeros(len(width) + 1, dtype=np.int64)
    np.cumsum(width, out=ends[1:])
    bounds = np.zeros(len(chars) + 1, dtype=np.int64)
    np.cumsum(chars, out=bounds[1:])
    return np.diff(ends[bounds])


@dataclass(slots=True)
class PackedStrings:
    """A list of optional strings kept as UTF-8 blobs and uint32 lengths: about len+4 bytes per
    entry instead of a Python object each. `+` appends (associative); `get` works after `seal`.

    `seal` indexes the blobs (one per `of` call), not the entries: `get` finds its blob by
    bisection and computes that blob's offsets on first use, so looking up a few entries (the
    duplicates) never copies the blobs or allocates per-entry arrays for all of them.

    `spilled()` moves the blobs to spill files (`checks.spill`), leaving 4 bytes per entry in
    memory; a blob is read back only when one of its entries is looked up."""

    blobs: list[bytes | str] = field(default_factory=list)  # bytes, or the path of a spill file
    lengths: list[Any] = field(default_factory=list)  # numpy uint32 arrays; 0xFFFFFFFF = None
    _starts: Any = None  # first entry index of each blob
    _offsets: dict[int, Any] = field(default_factory=dict)  # blob -> its entries' offsets

    @classmethod
    def of(cls, values: Sequence[str | None]) -> PackedStrings:
        """Pack `values` (None kept as None): one join and one encode for all of them, not one
        per entry; entries' byte lengths come from their character lengths (and, for non-ASCII
        text, from each character's UTF-8 width), so the bytes are exactly those of encoding
        each entry with `surrogatepass`."""
        present = cast(
            "Sequence[str]", values if None not in values else [v for v in values if v is not None]
        )
        text = "".join(present)
        chars = np.fromiter(map(len, present), dtype=np.int64, count=len(present))
        if text.isascii():
            blob, sizes = text.encode("ascii"), chars
        else:
            blob, sizes = text.encode("utf-8", "surrogatepass"), _utf8_sizes(text, chars)
        if len(present) == len(values):
            return cls([blob], [sizes.astype(np.uint32)])
        lens = np.full(len(values), _NONE, dtype=np.uint32)
        lens[np.fromiter((v is not None for v in values), dtype=bool, count=len(values))] = sizes
        return cls([blob], [lens])

    def spilled(self) -> PackedStrings:
        """The same entries with every blob written to a spill file (paths are plain data: the
        partial still pickles, and any process of the run can read them back)."""
        self.blobs = [
            spill.write_bytes(b, "ids-") if isinstance(b, bytes) else b for b in self.blobs
        ]
        return self

    def __add__(self, other: PackedStrings) -> PackedStrings:
        self.blobs.extend(other.blobs)
        self.lengths.extend(other.lengths)
        return self

    def seal(self) -> None:
        counts = [len(lens) for lens in self.lengths]
        self._starts = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
        self._offsets = {}

    def get(self, pos: int) -> str | None:
        return self.get_many(np.array([pos], dtype=np.int64))[0]

    def get_many(self, positions: Any) -> list[str | None]:
        """The entries at `positions` (int array), in that order: the blobs are found for all of
        them at once, and each blob holding any is sliced once per entry (an ASCII blob is
        decoded once, then sliced as text, when many of its entries are asked for)."""
        positions = np.asarray(positions, dtype=np.int64)
        out: list[str | None] = [None] * len(positions)
        owner = np.searchsorted(self._starts, positions, side="right") - 1
        by_blob = np.argsort(owner, kind="stable")
        cuts = np.flatnonzero(np.diff(owner[by_blob])) + 1
        for at in np.split(by_blob, cuts) if len(positions) else []:
            b = int(owner[at[0]])
            rows = positions[at] - self._starts[b]
            lens = self.lengths[b][rows]
            starts = self._offsets_of(b)[rows]
            blob = self._blob(b)
            # many entries of an ASCII blob: decode it once (a few, or non-ASCII: one by one)
            many = 16 * len(at) >= len(blob)
            text = blob.decode("ascii") if many and blob.isascii() else None
            for k, a, n in zip(at.tolist(), starts.tolist(), lens.tolist(), strict=True):
                if n == _NONE:
                    continue
                if text is not None:
                    out[k] = text[a : a + n]
                else:
                    out[k] = blob[a : a + n].decode("utf-8", "surrogatepass")
        return out

    def _blob(self, b: int) -> bytes:
        blob = self.blobs[b]
        if isinstance(blob, bytes):
            return blob
        return spill.read_array(blob, np.uint8).tobytes()

    def _offsets_of(self, b: int) -> Any:
        """Start of each entry of blob `b` in it (computed once per blob)."""
        offsets = self._offsets.get(b)
        if offsets is None:
            lens = self.lengths[b]
            sizes = np.where(lens == _NONE, 0, lens).astype(np.int64)
            offsets = self._offsets[b] = np.concatenate(([0], np.cumsum(sizes)))
        return offsets


@dataclass(slots=True)
class LabelCodes:
    """A list of optional labels (few distinct ones, e.g. vendors) kept as uint32 codes into a
    label table: 4 bytes per entry. `+` appends, remapping the other side's codes (associative);
    `get` works after `seal`."""

    labels: list[str] = field(default_factory=list)
    codes: list[Any] = field(default_factory=list)  # numpy uint32 arrays; 0xFFFFFFFF = None
    _all: Any = None

    @classmethod
    def of(cls, values: Sequence[str | None]) -> LabelCodes:
        """Codes in order of first appearance, found by C-level dict passes (no Python loop)."""
        labels = [v for v in dict.fromkeys(values) if v is not None]
        code: dict[str | None, int] = {label: i for i, label in enumerate(labels)}
        code[None] = _NONE
        codes = np.fromiter(map(code.__getitem__, values), dtype=np.uint32, count=len(values))
        return cls(labels, [codes])

    def __add__(self, other: LabelCodes) -> LabelCodes:
        index = {label: i for i, label in enumerate(self.labels)}
        remap = np.empty(len(other.labels) + 1, dtype=np.uint32)
        for i, label in enumerate(other.labels):
            if label not in index:
                index[label] = len(self.labels)
                self.labels.append(label)
            remap[i] = index[label]
        remap[-1] = _NONE
        for codes in other.codes:  # None (0xFFFFFFFF) maps through the last slot
            self.codes.append(remap[np.minimum(codes, len(other.labels))])
        return self

    def seal(self) -> None:
        self._all = np.concatenate(self.codes) if self.codes else np.zeros(0, np.uint32)

    def get(self, pos: int) -> str | None:
        code = int(self._all[pos])
        return None if code == _NONE else self.labels[code]

    def get_many(self, positions: Any) -> list[str | None]:
        """The labels at `positions` (int array), in that order."""
        table: list[str | None] = [*self.labels, None]
        codes = np.minimum(self._all[np.asarray(positions, dtype=np.int64)], len(self.labels))
        return [table[c] for c in codes.tolist()]
