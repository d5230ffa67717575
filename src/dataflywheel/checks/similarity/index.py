"""Near-duplicate search over signatures held in chunks (one per batch), without concatenating them.

`find_near_duplicates` bands the signatures, confirms candidate pairs by estimated Jaccard and
joins confirmed pairs into clusters. Row indices are global: chunk order, then row order, so the
result depends only on the sequence of signatures, never on how they were chunked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.lsh import band_keys, candidate_pairs
from dataflywheel.checks.similarity.unionfind import clusters

Sig = npt.NDArray[np.unsignedinteger[Any]]  # uint32 signatures or their low 16 bits
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class NearDuplicates:
    """Clusters (sorted global row indices, sorted by first row), with each member's estimated
    Jaccard similarity to its cluster's first member, and how many candidate pairs were checked."""

    groups: list[I64]
    similarity_to_first: list[F64]
    candidates: int
    confirmed: int


class ChunkedSignatures:
    """Read-only view of signature chunks as one `(n, num_perm)` array, by global row index."""

    def __init__(self, chunks: Sequence[Sig]) -> None:
        self.chunks = [c for c in chunks if len(c)]
        sizes = np.array([len(c) for c in self.chunks], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n = int(self.starts[-1])

    def band(self, band: int, rows: int) -> npt.NDArray[np.uint64]:
        if not self.chunks:
            return np.zeros(0, dtype=np.uint64)
        return np.concatenate([band_keys(c, band, rows) for c in self.chunks])

    def rows(self, idx: I64) -> Sig:
        chunk = np.searchsorted(self.starts, idx, side="right") - 1
        width = self.chunks[0].shape[1] if self.chunks else 0
        dtype = self.chunks[0].dtype if self.chunks else np.uint32
        out = np.empty((len(idx), width), dtype=dtype)
        for c in np.unique(chunk):
            sel = chunk == c
            out[sel] = self.chunks[c][idx[sel] - self.starts[c]]
        return out

    def similarity(self, left: I64, right: I64) -> F64:
        out = np.empty(len(left), dtype=np.float64)
        step = 1 << 15
        for s in range(0, len(left), step):
            a = self.rows(left[s : s + step])
            b = self.rows(right[s : s + step])
            out[s : s + step] = (a == b).mean(axis=1) if a.shape[1] else 0.0
        return out


def find_near_duplicates(
    chunks: Sequence[Sig],
    has_text: npt.NDArray[np.bool_],
    *,
    threshold: float,
    bands: int,
    rows: int,
) -> NearDuplicates:
    """Clusters of rows whose estimated Jaccard similarity is >= threshold (rows without text never
    join a cluster)."""
    sigs = ChunkedSignatures(chunks)
    left, right = candidate_pairs(lambda b: sigs.band(b, rows), sigs.n, bands=bands, valid=has_text)
    est = sigs.similarity(left, right)
    keep = est >= threshold
    groups = clusters(left[keep], right[keep])
    sims: list[F64] = []
    if groups:
        members = np.concatenate(groups)
        heads = np.repeat([int(g[0]) for g in groups], [len(g) for g in groups]).astype(np.int64)
        sims = np.split(sigs.similarity(heads, members), np.cumsum([len(g) for g in groups])[:-1])
    return NearDuplicates(groups, sims, candidates=len(left), confirmed=int(keep.sum()))
