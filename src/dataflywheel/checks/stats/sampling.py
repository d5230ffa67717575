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


@dataclass(slots=True)
class BottomK:
    """Per stratum: how many records, and the k smallest candidates in sampling order."""

    k: int
    counts: dict[str, int] = field(default_factory=dict)
    smallest: dict[str, list[Candidate]] = field(default_factory=dict)

    def add(self, stratum: str, candidate: Candidate) -> None:
        self.counts[stratum] = self.counts.get(stratum, 0) + 1
        self.smallest.setdefault(stratum, []).append(candidate)

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
