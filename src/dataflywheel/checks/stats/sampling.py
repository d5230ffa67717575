"""Deterministic stratified sampling that does not depend on how the input was split.

Each record gets a key, the 64-bit xxh3 hash of its id under the seed. Within a stratum the
sample is the records with the smallest keys (ties broken by file, then line), so the sample is a
function of the set of (stratum, id, file, line) only: any sharding, any merge order, same sample.
A `BottomK` keeps, per stratum, the record count and only the `k` smallest keys — bounded memory
and an associative, commutative merge. Allocation across strata is proportional (largest
remainder), with at least one record from every non-empty stratum.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Self

import xxhash

# (key, file, line, record_id): ordering of tuples is the sampling order
Candidate = tuple[int, str, int, str]


def sample_key(record_id: str, seed: int) -> int:
    """The record's rank key: xxh3_64 of its id (UTF-8) with the seed."""
    return xxhash.xxh3_64_intdigest(
        record_id.encode("utf-8", "surrogatepass"), seed=seed & (2**64 - 1)
    )


def sample_keys(record_ids: list[str], seed: int) -> list[int]:
    """`sample_key` of every id, in order. xxhash encodes a str as UTF-8 itself, so the common
    case skips one `encode` per id; an id with a lone surrogate (which that encoding refuses)
    takes `sample_key`'s path, giving the same keys."""
    digest, s = xxhash.xxh3_64_intdigest, seed & (2**64 - 1)
    try:
        return [digest(rid, seed=s) for rid in record_ids]
    except UnicodeEncodeError:
        return [sample_key(rid, seed) for rid in record_ids]


@dataclass(slots=True)
class BottomK:
    """Per stratum: how many records, and the k smallest candidates in sampling order."""

    k: int
    counts: dict[str, int] = field(default_factory=dict)
    smallest: dict[str, list[Candidate]] = field(default_factory=dict)

    def add(self, stratum: str, candidate: Candidate) -> None:
        self.counts[stratum] = self.counts.get(stratum, 0) + 1
        self.smallest.setdefault(stratum, []).append(candidate)

    def add_many(
        self, strata: list[str], keys: list[int], file: str, lines: list[int], ids: list[str]
    ) -> Self:
        """`add(strata[i], (keys[i], file, lines[i], ids[i]))` for every i, then `trim`, with
        the same result; vectorised: per stratum only the candidates whose key is at most the
        k-th smallest key can be kept (ties on the key are kept and ordered by `trim`)."""
        import numpy as np

        table: dict[str, int] = {}
        codes = np.fromiter(
            (table.setdefault(s, len(table)) for s in strata), dtype=np.int64, count=len(strata)
        )
        counts = np.bincount(codes, minlength=len(table)).tolist()
        karr = np.fromiter(keys, dtype=np.uint64, count=len(keys))
        for stratum, code in table.items():
            self.counts[stratum] = self.counts.get(stratum, 0) + counts[code]
            rows = np.flatnonzero(codes == code) if len(table) > 1 else np.arange(len(codes))
            if self.k <= 0:
                rows = rows[:0]
            elif len(rows) > self.k:
                mine = karr[rows]
                rows = rows[mine <= np.partition(mine, self.k - 1)[self.k - 1]]
            self.smallest.setdefault(stratum, []).extend(
                [(keys[i], file, lines[i], ids[i]) for i in rows.tolist()]
            )
        return self.trim()

    def trim(self) -> Self:
        """Keep only the k smallest per stratum (call after a run of `add`)."""
        for stratum, cands in self.smallest.items():
            if len(cands) > self.k:
                self.smallest[stratum] = heapq.nsmallest(self.k, cands)
            else:
                cands.sort()
        return self

    def __add__(self, other: Self) -> Self:
        for stratum, n in other.counts.items():
            self.counts[stratum] = self.counts.get(stratum, 0) + n
        for stratum, cands in other.smallest.items():
            mine = self.smallest.get(stratum, [])
            self.smallest[stratum] = list(heapq.merge(mine, cands))[: self.k]
        return self


def allocate(counts: dict[str, int], size: int) -> dict[str, int]:
    """How many to sample per stratum: proportional to its size by largest remainder, at least one
    per non-empty stratum (so more than `size` when there are more strata than `size`), never more
    than the stratum holds. Ties go to the stratum that sorts first."""
    total = sum(counts.values())
    if total <= size:
        return dict(sorted(counts.items()))
    exact = {s: size * n / total for s, n in counts.items()}
    quota = {s: min(n, max(1, int(exact[s]))) for s, n in counts.items()}
    spare = size - sum(quota.values())
    order = sorted(counts, key=lambda s: (-(exact[s] - int(exact[s])), s))
    while spare > 0:
        progressed = False
        for s in order:
            if spare > 0 and quota[s] < counts[s]:
                quota[s] += 1
                spare -= 1
                progressed = True
        if not progressed:
            break
    return dict(sorted(quota.items()))


def draw(bottom: BottomK, size: int) -> list[tuple[str, Candidate]]:
    """The sample: (stratum, candidate) in stratum order, then sampling order."""
    quota = allocate(bottom.counts, size)
    return [(s, c) for s, q in quota.items() for c in sorted(bottom.smallest.get(s, []))[:q]]
