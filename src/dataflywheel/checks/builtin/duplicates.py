"""Exact duplicates: records whose normalised text (NFKC, case-folded, whitespace collapsed) is
equal to an earlier record's, found exactly across every shard and file.

The index holds 12 bytes per record in memory (a 64-bit hash and a 32-bit line number; the shard
is kept once per batch), plus, when the plan names an id field, 4 bytes per record of id lengths
(the ids' UTF-8 goes to a spill file per batch, `checks.spill`, read back only for the records
the report names), and a 4-byte label code when it asks for a breakdown. Records
with no text are left out (the blank check counts them). Metrics: `duplicate_count` (records that
repeat an earlier one), `duplicate_rate` (that over all records), `duplicate_group_count`.

The hash is polars' 64-bit hash of the normalised text's UTF-8 bytes (`Series.hash` with a fixed
seed over `batch.normalised_column()`, one vectorised call per batch). Polars promises the same
hash only within one polars version; that is enough, because hashes are only ever compared
within one run, whose processes all import the same polars, and never stored. A text with a lone
surrogate (U+FFFD in the column) is hashed from its exact bytes (surrogates in their invalid
three-byte form, hashed as polars Binary, which hashes bytes as String does), so it never
matches the same text with a real U+FFFD, as equality of the normalised texts demands.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise
from typing import Any, Self, TypeVar

import numpy as np

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch
from dataflywheel.checks.metrics import gated_rate, headline_count
from dataflywheel.checks.results import LabelCodes, PackedStrings, rate
from dataflywheel.checks.textnorm import normalise
from dataflywheel.checks.textpack import COLUMN_MODULES, exact_utf8

MAX_GROUPS_LISTED = 1000
MAX_MEMBERS_LISTED = 50
_LINE_BITS = 40  # order key: shard << 40 | line
HASH_SEED = 0x5EED_D0C5  # any fixed seed: every process of a run must use the same one
T = TypeVar("T")


__all__ = ["ExactDuplicateCheck", "normalise"]


@dataclass(slots=True)
class DuplicatePartial(Partial):
    records: int = 0
    hashes: list[Any] = field(default_factory=list)  # numpy uint64 arrays, one per batch
    lines: list[Any] = field(default_factory=list)  # numpy uint32 (uint64 past 2**32) arrays
    shards: list[int] = field(default_factory=list)  # the shard of each batch
    files: dict[int, str] = field(default_factory=dict)
    ids: PackedStrings | None = None
    groups: LabelCodes | None = None
    group_records: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.hashes.extend(other.hashes)
        self.lines.extend(other.lines)
        self.shards.extend(other.shards)
        self.files.update(other.files)
        if self.ids is not None and other.ids is not None:
            self.ids = self.ids + other.ids
        if self.groups is not None and other.groups is not None:
            self.groups = self.groups + other.groups
        for g, n in other.group_records.items():
            self.group_records[g] = self.group_records.get(g, 0) + n
        return self


class ExactDuplicateCheck(Check):
    """Exact duplicates of the normalised text, with groups (file, line, record id)."""

    name = "exact_duplicates"
    on_by_default = True
    needs_text_fields = True
    described = (headline_count("duplicate_count"), gated_rate("duplicate_rate"))
    modules = COLUMN_MODULES  # its columns are polars Series
    metrics = ("duplicate_count", "duplicate_rate", "duplicate_group_count")

    def partial(self, batch: RecordBatch) -> DuplicatePartial:
        part = DuplicatePartial(records=len(batch), files={batch.shard: batch.file})
        part.shards.append(batch.shard)
        keep, hashes = text_hashes(batch)
        part.hashes.append(hashes)
        lines = np.asarray(batch.lines, dtype=np.uint64)[keep]
        wide = bool(len(lines)) and int(lines[-1]) >= 1 << 32
        part.lines.append(lines if wide else lines.astype(np.uint32))
        if self.plan.id_field is not None:
            part.ids = PackedStrings.of(_kept(batch.ids, keep)).spilled()
        if self.plan.breakdown_by is not None:
            groups = batch.groups
            part.groups = LabelCodes.of(_kept(groups, keep))
            counts = Counter(groups)
            part.group_records = {g: n for g, n in counts.items() if g is not None}
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, DuplicatePartial)
        groups = _Groups.of(partial)
        where = _Locator(partial, groups.orders)
        limit = self.plan.max_examples
        runs = groups.first_runs(MAX_GROUPS_LISTED, MAX_MEMBERS_LISTED)
        sizes = groups.sizes(len(runs))
        listed_members = np.fromiter(chain.from_iterable(runs), dtype=np.int64)
        where.load(np.concatenate([listed_members, *_example_pairs(groups, where, limit)]))
        examples = _examples(groups, where, limit)
        rows = where.loaded
        listed = [
            {
                "size": size,
                "records": [
                    {"file": file, "line": line, "record_id": rid}
                    for file, line, rid in map(rows.__getitem__, r)
                ],
            }
            for r, size in zip(runs, sizes, strict=True)
        ]
        return CheckResult(
            check=self.name,
            metrics={
                "duplicate_count": float(groups.duplicates),
                "duplicate_rate": rate(groups.duplicates, partial.records),
                "duplicate_group_count": float(groups.count),
            },
            examples={"duplicate_rate": examples} if examples else {},
            breakdown=_breakdown(partial, groups),
            sections={"groups": listed, "groups_listed": len(listed), "group_count": groups.count},
        )


def _kept(values: Sequence[T], keep: Any) -> Sequence[T]:
    """`values` at the rows `keep` (ascending): the list itself when every row is kept."""
    if len(keep) == len(values):
        return values
    return [values[i] for i in keep.tolist()]


def text_hashes(batch: RecordBatch) -> tuple[Any, Any]:
    """The rows with a non-empty normalised text (int64, ascending) and the 64-bit hash of each
    one's normalised text (uint64), exact for lone surrogates (see the module docstring)."""
    import polars as pl

    column = batch.normalised_column()
    hashes = column.hash(seed=HASH_SEED).to_numpy()
    lossy = batch.packed_texts().lossy
    if lossy:
        hashes = hashes.copy()
        exact = [exact_utf8(normalise(batch.texts[row])) for row in lossy]
        hashes[list(lossy)] = pl.Series(exact, dtype=pl.Binary).hash(seed=HASH_SEED).to_numpy()
    keep = np.flatnonzero(column.str.len_bytes().to_numpy())
    return keep, np.ascontiguousarray(hashes[keep], dtype=np.uint64)


@dataclass(slots=True)
class _Groups:
    """The duplicate groups as arrays (no Python object per record, so `finish` stays fast at
    millions of records): `members` holds positions into the concatenated arrays, group after
    group, groups ordered by their first member, members of a group in input order; group `g`
    is `members[starts[g]:starts[g + 1]]`."""

    orders: Any  # order key of every kept record (see `_orders`)
    members: Any
    starts: Any  # one more than there are groups

    @classmethod
    def of(cls, partial: DuplicatePartial) -> _Groups:
        orders = _orders(partial)
        none = cls(orders, np.zeros(0, np.int64), np.zeros(1, np.int64))
        if not partial.hashes:
            return none
        h = np.concatenate(partial.hashes)
        members = _repeated(h)
        if not len(members):
            return none
        mh, mo = h[members], orders[members]
        by_hash = np.lexsort((mo, mh))  # each group together, its members in input order
        mh, mo, members = mh[by_hash], mo[by_hash], members[by_hash]
        starts = np.flatnonzero(np.concatenate(([True], mh[1:] != mh[:-1])))
        sizes = np.diff(np.append(starts, len(members)))
        order = np.argsort(mo[starts], kind="stable")  # groups by their first member
        new_starts = np.concatenate(([0], np.cumsum(sizes[order])))
        # gather each group's members in the new group order
        take = np.repeat(starts[order] - new_starts[:-1], sizes[order]) + np.arange(len(members))
        return cls(orders, members[take], new_starts)

    @property
    def count(self) -> int:
        return len(self.starts) - 1

    @property
    def duplicates(self) -> int:
        """Records that repeat an earlier one: every member but the first of each group."""
        return len(self.members) - self.count

    def firsts(self) -> Any:
        """For every member, the first member of its group."""
        sizes = np.diff(self.starts)
        return np.repeat(self.members[self.starts[:-1]], sizes)

    def later(self) -> Any:
        """Mask over `members`: True for every member but the first of its group."""
        mask = np.ones(len(self.members), dtype=bool)
        mask[self.starts[:-1]] = False
        return mask

    def sizes(self, groups: int) -> list[int]:
        """The whole size of each of the first `groups` groups (listings may cut the members)."""
        return np.diff(self.starts[: groups + 1]).tolist()  # type: ignore[no-any-return]

    def first_runs(self, groups: int, members: int) -> list[list[int]]:
        """The first `groups` groups, each cut to its first `members` members, as lists."""
        bounds = self.starts[: groups + 1].tolist()
        listed = self.members[: bounds[-1]].tolist()  # one conversion, then list slices
        return [listed[s : min(e, s + members)] for s, e in pairwise(bounds)]


_BUCKET_BITS = 4  # _repeated sorts 1/16 of the hashes at a time


def _repeated(h: Any) -> Any:
    """Positions (ascending) of the hashes that occur more than once. Sorts, not a hash table,
    and one bucket of the hashes at a time (their top bits): beside `h` it holds a byte per
    record and a sixteenth of the records' positions and hashes, so `finish` does not set the
    run's peak memory (sorting all at once took 16 more bytes per record)."""
    top = (h >> np.uint64(64 - _BUCKET_BITS)).astype(np.uint8)
    repeated = np.zeros(len(h), dtype=bool)
    for bucket in range(1 << _BUCKET_BITS):
        where = np.flatnonzero(top == bucket)
        if len(where) < 2:
            continue
        values = h[where]
        by_value = np.argsort(values)
        sorted_values = values[by_value]
        same = sorted_values[1:] == sorted_values[:-1]
        hit = np.zeros(len(where), dtype=bool)
        hit[1:] = same
        hit[:-1] |= same
        repeated[where[by_value[hit]]] = True
    return np.flatnonzero(repeated)


def _orders(partial: DuplicatePartial) -> Any:
    """The order key of every kept record: shard << 40 | line (increasing in input order)."""
    if not partial.lines:
        return np.zeros(0, np.uint64)
    return np.concatenate(
        [
            (np.uint64(shard) << np.uint64(_LINE_BITS)) | lines.astype(np.uint64)
            for shard, lines in zip(partial.shards, partial.lines, strict=True)
        ]
    )


class _Locator:
    """Position -> (file, line, record id) of the records the report names, looked up for all
    of them at once (`load`): no numpy call per record."""

    def __init__(self, partial: DuplicatePartial, orders: Any) -> None:
        self.orders = orders
        self.files = partial.files
        self.ids = partial.ids
        if self.ids is not None:
            self.ids.seal()
        self.loaded: dict[int, tuple[str, int, str]] = {}  # by `load`: position -> file, line, id

    def load(self, positions: Any) -> None:
        """Look up every position in `positions` (int array; repeats allowed)."""
        positions = np.unique(np.asarray(positions, dtype=np.int64))
        orders = self.orders[positions]
        lines = (orders & np.uint64((1 << _LINE_BITS) - 1)).tolist()
        shards = (orders >> np.uint64(_LINE_BITS)).tolist()
        ids = self.ids.get_many(positions) if self.ids is not None else [None] * len(positions)
        files = self.files
        for pos, shard, line, rid in zip(positions.tolist(), shards, lines, ids, strict=True):
            self.loaded[pos] = (files[shard], line, str(line) if rid is None else rid)

    def where(self, pos: int) -> tuple[str, int, str]:
        return self.loaded[pos]


def _examples(groups: _Groups, where: _Locator, limit: int) -> list[Example]:
    """The first `limit` records (in input order) that repeat an earlier one."""
    dups, firsts = _example_pairs(groups, where, limit)
    out = []
    for pos, first in zip(dups.tolist(), firsts.tolist(), strict=True):
        file, line, rid = where.where(pos)
        f0, l0, r0 = where.where(first)
        out.append(
            Example(file=file, line=line, record_id=rid, detail=f"duplicate of {f0}:{l0} (id {r0})")
        )
    return out


def _example_pairs(groups: _Groups, where: _Locator, limit: int) -> tuple[Any, Any]:
    """Positions of the first `limit` repeating records and of their groups' first members."""
    later = groups.later()
    dups, firsts = groups.members[later], groups.firsts()[later]
    chosen = np.argsort(where.orders[dups], kind="stable")[:limit]
    return dups[chosen], firsts[chosen]


def _breakdown(partial: DuplicatePartial, groups: _Groups) -> dict[str, dict[str, float]]:
    if partial.groups is None:
        return {}
    labels = partial.groups
    labels.seal()
    dups = Counter(labels.get_many(groups.members[groups.later()]))
    return {
        g: {"duplicate_rate": rate(dups.get(g, 0), n)}
        for g, n in sorted(partial.group_records.items())
    }


CHECKS: list[type[Check]] = [ExactDuplicateCheck]
