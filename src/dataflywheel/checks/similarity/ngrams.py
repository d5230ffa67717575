"""Exact n-gram overlap between texts and a fixed reference set (contamination).

The reference index holds every distinct word n-gram hash of every reference text, sorted, with
the reference row it came from (16 bytes per (n-gram, row)). For a batch of texts, `overlaps`
counts the n-grams each text shares with each reference row and scores the pair by containment of
the smaller in the larger: shared / min(n-grams of the text, n-grams of the reference row). So an
evaluation item copied inside a longer training record scores 1.0, and so does a training record
that is a fragment of an evaluation item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.shingles import Shingles, shingle_hashes

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_EXPAND_LIMIT = 1 << 22  # (n-gram, reference row) matches expanded at once


def distinct_per_row(sh: Shingles) -> tuple[I64, U64]:
    """(row, hash) with duplicates inside a row removed, sorted by row then hash."""
    return distinct_pairs(np.repeat(np.arange(len(sh), dtype=np.int64), sh.counts), sh.hashes)


def distinct_pairs(rows: I64, hashes: U64) -> tuple[I64, U64]:
    """Distinct (row, hash) pairs, sorted by row then hash."""
    order = np.lexsort((hashes, rows))
    r, h = rows[order], hashes[order]
    keep = np.ones(len(r), dtype=bool)
    keep[1:] = (r[1:] != r[:-1]) | (h[1:] != h[:-1])
    return r[keep], h[keep]


@dataclass(frozen=True, slots=True)
class Overlaps:
    """Pairs (text row, reference row) at or above the threshold, sorted by text row then
    reference row, with the number of shared n-grams and the containment score."""

    rows: I64
    refs: I64
    shared: I64
    score: F64


class ReferenceIndex:
    """The distinct n-grams of each reference text, searchable by hash."""

    def __init__(self, texts: Sequence[str], *, ngram: int, seed: int) -> None:
        self.ngram = ngram
        self.seed = seed
        rows, hashes = distinct_per_row(shingle_hashes(texts, ngram=ngram, seed=seed))
        order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[order]
        self.refs = rows[order]
        self.sizes = np.bincount(rows, minlength=len(texts)).astype(np.int64)
        import polars as pl  # here, not at module level: it costs ~0.18 s per process

        self._set = pl.Series(np.unique(hashes))

    def __len__(self) -> int:
        return len(self.sizes)

    def overlaps(self, texts: Sequence[str], *, threshold: float) -> Overlaps:
        sh = shingle_hashes(texts, ngram=self.ngram, seed=self.seed)
        rows, hashes = self._rows_with_a_hit(sh)
        sizes = np.bincount(rows, minlength=len(texts)).astype(np.int64)
        left = np.searchsorted(self.hashes, hashes, side="left")
        width = np.searchsorted(self.hashes, hashes, side="right") - left
        hit = width > 0
        rows, left, width = rows[hit], left[hit], width[hit]
        codes: list[I64] = []
        n_ref = max(len(self), 1)
        for lo, hi in _slices(width):
            w = width[lo:hi]
            starts = np.repeat(left[lo:hi] - (np.cumsum(w) - w), w) + np.arange(int(w.sum()))
            codes.append(np.repeat(rows[lo:hi], w) * n_ref + self.refs[starts])
        if not codes:
            empty = np.zeros(0, dtype=np.int64)
            return Overlaps(empty, empty, empty, np.zeros(0))
        pairs, shared = np.unique(np.concatenate(codes), return_counts=True)
        text_row, ref_row = pairs // n_ref, pairs % n_ref
        score = shared / np.minimum(sizes[text_row], self.sizes[ref_row])
        keep = score >= threshold
        return Overlaps(text_row[keep], ref_row[keep], shared[keep].astype(np.int64), score[keep])

    def _rows_with_a_hit(self, sh: Shingles) -> tuple[I64, U64]:
        """Distinct (row, n-gram) of the texts that share at least one n-gram with the reference
        (a hash-set lookup first: most texts share none, and they need no sorting)."""
        if len(sh.hashes) == 0 or len(self.hashes) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        import polars as pl

        hit = pl.Series(sh.hashes).is_in(self._set.implode()).to_numpy()
        rows = np.repeat(np.arange(len(sh), dtype=np.int64), sh.counts)
        wanted = np.zeros(len(sh), dtype=bool)
        wanted[rows[hit]] = True
        keep = wanted[rows]
        return distinct_pairs(rows[keep], sh.hashes[keep])


def _slices(width: I64) -> list[tuple[int, int]]:
    """Consecutive ranges of `width` whose sums stay near _EXPAND_LIMIT (bounded memory)."""
    total = np.cumsum(width)
    out = []
    lo = 0
    while lo < len(width):
        base = int(total[lo - 1]) if lo else 0
        hi = int(np.searchsorted(total, base + _EXPAND_LIMIT, side="right"))
        hi = max(hi, lo + 1)
        out.append((lo, hi))
        lo = hi
    return out
