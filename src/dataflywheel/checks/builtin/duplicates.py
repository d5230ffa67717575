"""Exact duplicates: records whose normalised text (NFKC, case-folded, whitespace collapsed) is
equal to an earlier record's, found exactly across every shard and file.

The index holds 12 bytes per record (a 64-bit hash and a 32-bit line number; the shard is
kept once per batch), plus the record ids when the plan names an id field (UTF-8 + 4 bytes each)
and a 4-byte label code when it asks for a breakdown. Records
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

from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

from dataflywheel.checks.base import Check, CheckResult, Example, Partial, RecordBatch
from dataflywheel.checks.results import LabelCodes, PackedStrings, rate
from dataflywheel.checks.textnorm import normalise
from dataflywheel.checks.textpack import exact_utf8

MAX_GROUPS_LISTED = 1000
MAX_MEMBERS_LISTED = 50
_LINE_BITS = 40  # order key: shard << 40 | line
HASH_SEED = 0x5EED_D0C5  # any fixed seed: every process of a run must use the same one


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
    metrics = ("duplicate_count", "duplicate_rate", "duplicate_group_count")

    def partial(self, batch: RecordBatch) -> DuplicatePartial:
        part = DuplicatePartial(records=len(batch), files={batch.shard: batch.file})
        part.shards.append(batch.shard)
        keep, hashes = text_hashes(batch)
        part.hashes.append(hashes)
        lines = np.asarray(batch.lines, dtype=np.uint64)[keep]
        wide = bool(len(lines)) and int(lines[-1]) >= 1 << 32
        part.lines.append(lines if wide else lines.astype(np.uint32))
        if self.plan.id_field is not None or self.plan.breakdown_by is not None:
            rows = keep.tolist()
            if self.plan.id_field is not None:
                ids = batch.ids
                part.ids = PackedStrings.of([ids[i] for i in rows])
            if self.plan.breakdown_by is not None:
                groups = batch.groups
                part.groups = LabelCodes.of([groups[i] for i in rows])
                for g in groups:
                    if g is not None:
                        part.group_records[g] = part.group_records.get(g, 0) + 1
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, DuplicatePartial)
        runs = _runs(partial)
        dup_count = sum(len(r) - 1 for r in runs)
        where = _Locator(partial)
        examples = _examples(runs, where, self.plan.max_examples)
        listed = [
            {"size": len(r), "records": [where.row(p) for p in r[:MAX_MEMBERS_LISTED]]}
            for r in runs[:MAX_GROUPS_LISTED]
        ]
        return CheckResult(
            check=self.name,
            metrics={
                "duplicate_count": float(dup_count),
                "duplicate_rate": rate(dup_count, partial.records),
                "duplicate_group_count": float(len(runs)),
            },
            examples={"duplicate_rate": examples} if examples else {},
            breakdown=_breakdown(partial, runs),
            sections={"groups": listed, "groups_listed": len(listed), "group_count": len(runs)},
        )


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


def _runs(partial: DuplicatePartial) -> list[list[int]]:
    """Positions (into the concatenated arrays) of each duplicate group, members in input order,
    groups ordered by their first member."""
    if not partial.hashes:
        return []
    h = np.concatenate(partial.hashes)
    o = _orders(partial)
    idx = np.lexsort((o, h))
    hs = h[idx]
    same = hs[1:] == hs[:-1]
    if not same.any():
        return []
    starts = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)) == 1)
    ends = np.flatnonzero(np.diff(np.concatenate(([False], same, [False])).astype(np.int8)) == -1)
    runs = [idx[s : e + 1].tolist() for s, e in zip(starts.tolist(), ends.tolist())]
    runs.sort(key=lambda r: int(o[r[0]]))
    return runs


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
    def __init__(self, partial: DuplicatePartial) -> None:
        self.orders = _orders(partial)
        self.files = partial.files
        self.ids = partial.ids
        if self.ids is not None:
            self.ids.seal()

    def where(self, pos: int) -> tuple[str, int, str]:
        order = int(self.orders[pos])
        line = order & ((1 << _LINE_BITS) - 1)
        rid = self.ids.get(pos) if self.ids is not None else None
        rid = str(line) if rid is None else rid
        return self.files[order >> _LINE_BITS], line, rid

    def row(self, pos: int) -> dict[str, Any]:
        file, line, rid = self.where(pos)
        return {"file": file, "line": line, "record_id": rid}


def _examples(runs: list[list[int]], where: _Locator, limit: int) -> list[Example]:
    dups = sorted((int(where.orders[p]), p, r[0]) for r in runs for p in r[1:])[:limit]
    out = []
    for _, pos, first in dups:
        file, line, rid = where.where(pos)
        f0, l0, r0 = where.where(first)
        out.append(
            Example(file=file, line=line, record_id=rid, detail=f"duplicate of {f0}:{l0} (id {r0})")
        )
    return out


def _breakdown(partial: DuplicatePartial, runs: list[list[int]]) -> dict[str, dict[str, float]]:
    if partial.groups is None:
        return {}
    dups: dict[str, int] = {}
    partial.groups.seal()
    for r in runs:
        for p in r[1:]:
            g = partial.groups.get(p)
            if g is not None:
                dups[g] = dups.get(g, 0) + 1
    return {
        g: {"duplicate_rate": rate(dups.get(g, 0), n)}
        for g, n in sorted(partial.group_records.items())
    }


CHECKS: list[type[Check]] = [ExactDuplicateCheck]
