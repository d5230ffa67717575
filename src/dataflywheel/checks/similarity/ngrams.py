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
    rows = np.repeat(np.arange(len(sh), dtype=np.int64), sh.counts)
    order = np.lexsort((sh.hashes, rows))
    r, h = rows[order], sh.hashes[order]
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

    def __len__(self) -> int:
        return len(self.sizes)

    def overlaps(self, texts: Sequence[str], *, threshold: float) -> Overlaps:
        rows, hashes = distinct_per_row(shingle_hashes(texts, ngram=self.ngram, seed=self.seed))
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
