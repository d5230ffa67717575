"""LSH banding over MinHash signatures: candidate pairs, then confirmation by estimated Jaccard.

The signature is cut into `bands` bands of `rows` slots; two texts whose slots agree on a whole band
are a candidate pair. Within a bucket of texts sharing a band, each text is paired with the next
`NEIGHBOURS` texts of the bucket (in input order): a bucket of m identical texts yields m-1..8m
pairs instead of m²/2, and union-find still joins the whole bucket when the pairs are confirmed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.parallel import ordered_map
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


def slot_keys(slots: npt.NDArray[np.unsignedinteger[Any]], band: int) -> U64:
    """One 64-bit key per signature row for band `band`, from that band's slots given slot-major,
    `(rows, n)`: how a spilled signature file is laid out, so a band is read without touching the
    other slots."""
    acc = np.full(slots.shape[1], np.uint64(band + 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in slots:
            acc *= _MUL
            acc ^= col
    return splitmix64(acc)


def bucket_pairs(
    keys: U64, valid: npt.NDArray[np.bool_] | None = None, *, overwrite: bool = False
) -> tuple[I64, I64]:
    """Pairs (i < j) of row indices with equal keys, each linked to its next NEIGHBOURS in bucket.

    `overwrite=True` lets the sort reuse `keys`' memory (the caller must not read them after):
    with the packed sort below, a band then costs about 17 bytes per row at its peak.
    """
    order, equal_next = _sort_by_key(keys, valid, overwrite)
    lefts: list[I64] = []
    rights: list[I64] = []
    same = equal_next  # same[i]: rows order[i] and order[i + d] share a bucket (d = 1 first)
    for d in range(1, NEIGHBOURS + 1):
        if len(order) <= d:
            break
        if d > 1:  # sorted keys: equal at distance d iff equal at every step in between
            same = same[:-1] & equal_next[d - 1 :]
        if not same.any():
            break
        lefts.append(order[:-d][same])
        rights.append(order[d:][same])
    if not lefts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(lefts), np.concatenate(rights)


def _sort_by_key(
    keys: U64, valid: npt.NDArray[np.bool_] | None, overwrite: bool
) -> tuple[I64, npt.NDArray[np.bool_]]:
    """The valid row indices ordered by key, then by index; and whether each one's key equals
    the next one's.

    Up to 2**24 rows, one plain in-place sort of `key's top 40 bits | index` replaces a stable
    argsort (several times faster, and no index array beside the keys). Keys that differ only in
    their low 24 bits then share a bucket: that adds a few chance candidate pairs, which
    confirmation by estimated Jaccard removes; it can never separate equal keys.
    """
    n = len(keys)
    if valid is not None and valid.all():
        valid = None
    last = n - 1 if valid is None else (int(np.flatnonzero(valid)[-1]) if valid.any() else -1)
    if last < (1 << _INDEX_BITS):
        low = np.uint64((1 << _INDEX_BITS) - 1)
        packed = keys if overwrite else keys.copy()
        packed &= ~low
        step = 1 << 16
        for start in range(0, n, step):  # the row index, in blocks: no n-sized index array
            packed[start : start + step] |= np.arange(start, min(n, start + step), dtype=np.uint64)
        if valid is not None:
            packed = packed[valid]
        packed.sort()
        equal_next = np.empty(max(len(packed) - 1, 0), dtype=bool)
        shift = np.uint64(_INDEX_BITS)
        for start in range(0, len(equal_next), step):  # blocks: no n-sized temporary
            end = min(start + step, len(equal_next))
            np.equal(
                packed[start:end] >> shift,
                packed[start + 1 : end + 1] >> shift,
                out=equal_next[start:end],
            )
        packed &= low
        return packed.view(np.int64), equal_next
    idx = np.arange(n, dtype=np.int64)
    if valid is not None:
        idx = idx[valid]
    sub = keys[idx]
    order = np.argsort(sub, kind="stable")
    sorted_keys = sub[order]
    return idx[order], sorted_keys[1:] == sorted_keys[:-1]


def candidate_pairs(
    key_of_band: Callable[[int], U64],
    n: int,
    *,
    bands: int,
    valid: npt.NDArray[np.bool_] | None = None,
    threads: int = 1,
) -> tuple[I64, I64]:
    """Unique candidate pairs (i < j), sorted, over all bands; `key_of_band(b)` gives band b's keys
    as a fresh array, which is sorted in place. Up to `threads` bands are keyed and sorted at
    once (each band's keys in memory only while it is worked on); their pairs are merged in
    band order, and the merge is a set union anyway, so the result never depends on `threads`."""
    parts = ordered_map(lambda b: band_codes(key_of_band, n, [b], valid), range(bands), threads)
    return pairs_of(merge_codes(parts), n)


def band_codes(
    key_of_band: Callable[[int], U64],
    n: int,
    bands: Iterable[int],
    valid: npt.NDArray[np.bool_] | None = None,
) -> I64:
    """The candidate pairs of some of the bands, as sorted unique codes `i * n + j` (i < j): one
    band's keys in memory at a time. Codes of disjoint sets of bands merge (`merge_codes`) into
    the codes of all of them, so the bands can be shared out among workers."""
    codes = np.zeros(0, dtype=np.int64)
    for band in bands:
        left, right = bucket_pairs(key_of_band(band), valid, overwrite=True)
        if len(left):
            codes = _union(codes, np.minimum(left, right) * n + np.maximum(left, right))
    return codes


def merge_codes(parts: Iterable[I64]) -> I64:
    """The union of sorted unique pair codes (`band_codes`), merged in the order given."""
    codes = np.zeros(0, dtype=np.int64)
    for more in parts:
        if len(more):
            codes = _union(codes, more)
    return codes


def pairs_of(codes: I64, n: int) -> tuple[I64, I64]:
    """The pairs (left, right) that codes `i * n + j` stand for."""
    return codes // n, codes % n


def _union(codes: I64, more: I64) -> I64:
    """Sorted unique union; the pairs found so far, merged band by band so that only the distinct
    pairs are ever held (most pairs recur in many bands). A plain sort and a neighbour compare:
    several times faster here than `np.union1d`, which goes through a hash table."""
    both = np.concatenate([codes, more])
    both.sort()
    if len(both) > 1:
        fresh = np.empty(len(both), dtype=bool)
        fresh[0] = True
        np.not_equal(both[1:], both[:-1], out=fresh[1:])
        both = both[fresh]
    return both


def expected_false_negative(threshold: float, bands: int, rows: int) -> float:
    """Miss probability of a pair exactly at the threshold (for the report's parameters section)."""
    return 1.0 - candidate_probability(threshold, bands, rows) if bands and rows else math.nan
