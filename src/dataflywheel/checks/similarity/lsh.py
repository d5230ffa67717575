"""LSH banding over MinHash signatures: candidate pairs, then confirmation by estimated Jaccard.

The signature is cut into `bands` bands of `rows` slots; two texts whose slots agree on a whole band
are a candidate pair. Within a bucket of texts sharing a band, each text is paired with the next
`NEIGHBOURS` texts of the bucket (in input order): a bucket of m identical texts yields m-1..8m
pairs instead of m²/2, and union-find still joins the whole bucket when the pairs are confirmed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.shingles import splitmix64

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
NEIGHBOURS = 8
TARGET_RECALL = 0.995
MIN_ROWS = 2
_MUL = np.uint64(0x9E3779B97F4A7C15)
_INDEX_BITS = 24


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that a pair of this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


def choose_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) with the most rows per band that still make a pair exactly at `threshold`
    a candidate with probability >= TARGET_RECALL (more rows: fewer chance candidates).

    Never fewer than MIN_ROWS rows: one 16-bit slot per band would make chance candidates of
    most records of a large batch. Below a threshold of about 0.28 the miss probability at the
    threshold is then above 0.005 (the report states it).
    """
    for rows in range(num_perm, MIN_ROWS - 1, -1):
        bands = num_perm // rows
        if candidate_probability(threshold, bands, rows) >= TARGET_RECALL:
            return bands, rows
    return num_perm // MIN_ROWS, MIN_ROWS


def band_keys(sig: npt.NDArray[np.unsignedinteger[Any]], band: int, rows: int) -> U64:
    """One 64-bit key per signature row for band `band` (slots band*rows .. band*rows+rows-1)."""
    cols = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
    acc = np.full(len(sig), np.uint64(band + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in range(rows):
            acc = (acc * _MUL) ^ cols[:, c]
    return splitmix64(acc)


def bucket_pairs(keys: U64, valid: npt.NDArray[np.bool_] | None = None) -> tuple[I64, I64]:
    """Pairs (i < j) of row indices with equal keys, each linked to its next NEIGHBOURS in bucket."""
    idx = np.arange(len(keys), dtype=np.int64)
    if valid is not None:
        idx = idx[valid]
    order, sorted_keys = _sort_by_key(keys[idx], idx)
    lefts: list[I64] = []
    rights: list[I64] = []
    for d in range(1, NEIGHBOURS + 1):
        if len(order) <= d:
            break
        same = sorted_keys[:-d] == sorted_keys[d:]
        if not same.any():
            break
        lefts.append(order[:-d][same])
        rights.append(order[d:][same])
    if not lefts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(lefts), np.concatenate(rights)


def _sort_by_key(keys: U64, idx: I64) -> tuple[I64, U64]:
    """`idx` ordered by key, then by index; and the (possibly truncated) keys in that order.

    Up to 2**24 rows, one plain sort of `key's top 40 bits | index` replaces a stable argsort
    (several times faster). Keys that differ only in their low 24 bits then share a bucket: that
    adds a few chance candidate pairs, which confirmation by estimated Jaccard removes; it can
    never separate equal keys.
    """
    if len(idx) == 0 or int(idx[-1]) < (1 << _INDEX_BITS):
        low = np.uint64((1 << _INDEX_BITS) - 1)
        packed = np.sort((keys & ~low) | idx.astype(np.uint64))
        return (packed & low).astype(np.int64), packed >> np.uint64(_INDEX_BITS)
    order = np.argsort(keys, kind="stable")
    return idx[order], keys[order]


def candidate_pairs(
    key_of_band: Callable[[int], U64],
    n: int,
    *,
    bands: int,
    valid: npt.NDArray[np.bool_] | None = None,
) -> tuple[I64, I64]:
    """Unique candidate pairs (i < j), sorted, over all bands; `key_of_band(b)` gives band b's keys."""
    found: list[I64] = []
    for band in range(bands):
        left, right = bucket_pairs(key_of_band(band), valid)
        if len(left):
            found.append(np.minimum(left, right) * n + np.maximum(left, right))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    codes = np.unique(np.concatenate(found))
    return codes // n, codes % n


def expected_false_negative(threshold: float, bands: int, rows: int) -> float:
    """Miss probability of a pair exactly at the threshold (for the report's parameters section)."""
    return 1.0 - candidate_probability(threshold, bands, rows) if bands and rows else math.nan
