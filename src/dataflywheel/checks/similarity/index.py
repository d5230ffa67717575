"""Near-duplicate search over signatures held in chunks (one per batch), in memory or on disk.

`find_near_duplicates` bands the signatures, confirms candidate pairs by estimated Jaccard and
joins confirmed pairs into clusters. Row indices are global: chunk order, then row order, so the
result depends only on the sequence of signatures, never on how they were chunked.

Memory: a chunk is either a `(rows, num_perm)` array or a `SpilledSignatures` file, stored
slot-major (all rows' slot 0, then all rows' slot 1, ...) so that one band — or any run of
slots — is one contiguous read per chunk. The search never holds all signatures at once: it
makes one pass over the bands to find candidate pairs (one band's keys in memory per thread,
~17 bytes per row at the sort's peak; see `parallel`), then passes over the slots, a few at a
time, to count how many slots each candidate pair (and later each cluster member with its first
member) has in common. So the peak of `finish` is a few bytes per record however large the
input, and the signatures themselves live on disk between `partial` and `finish`. The pass over
the bands can be shared out: `candidate_codes` finds the pairs of some bands from plain data
(spill file names), in any process, and the shares merge (`lsh.merge_codes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dataflywheel.checks import spill
from dataflywheel.checks.similarity.lsh import band_codes, candidate_pairs, pairs_of, slot_keys
from dataflywheel.checks.similarity.parallel import default_threads, ordered_map
from dataflywheel.checks.similarity.unionfind import flat_clusters

Sig = npt.NDArray[np.unsignedinteger[Any]]  # uint32 signatures or their low 16 bits
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
KEY_BLOCK = 1 << 16  # rows whose band keys are computed together (~1.5 MB of temporaries)
SLOTS_PER_READ = 8  # slots read at once when comparing pairs: 16 bytes per row for 16-bit slots


@dataclass(frozen=True, slots=True)
class SpilledSignatures:
    """One chunk's 16-bit (b-bit) signatures in a spill file, slot-major; plain, picklable data."""

    path: str
    rows: int
    width: int

    @classmethod
    def write(cls, sig: Sig) -> SpilledSignatures:
        """Keep the low 16 bits of a `(rows, width)` signature array in a new spill file."""
        rows, width = sig.shape
        path = spill.write_array(np.asarray(sig.T, dtype=np.uint16, order="C"), prefix="minhash-")
        return cls(path, rows, width)

    def slots(self, lo: int, hi: int) -> npt.NDArray[np.uint16]:
        """Slots lo..hi-1 of every row, `(hi - lo, rows)`: one read of the bytes they occupy."""
        out = np.empty((hi - lo, self.rows), dtype=np.uint16)
        self.read_slots(lo, list(out))
        return out

    def read_slots(self, lo: int, into: Sequence[npt.NDArray[np.uint16]]) -> None:
        """Slots lo, lo+1, ... of every row into the given `rows`-long arrays, one per slot."""
        spill.read_into(self.path, into, offset=2 * lo * self.rows)


Chunk = Sig | SpilledSignatures


@dataclass(frozen=True, slots=True)
class NearDuplicates:
    """Clusters as flat arrays: `members[starts[c]:starts[c + 1]]` are cluster c's global row
    indices, ascending, clusters ordered by first member; `similarity[i]` is member i's
    estimated Jaccard similarity to its cluster's first member. Flat arrays cost a few bytes per
    member where a list of small arrays costs ~100."""

    members: I64
    starts: I64
    similarity: F64
    candidates: int
    confirmed: int

    @property
    def count(self) -> int:
        """Number of clusters."""
        return len(self.starts) - 1

    @property
    def groups(self) -> list[I64]:
        """The clusters as a list of arrays (convenient for small results and tests)."""
        return np.split(self.members, self.starts[1:-1]) if self.count else []

    @property
    def similarity_to_first(self) -> list[F64]:
        return np.split(self.similarity, self.starts[1:-1]) if self.count else []


class ChunkedSignatures:
    """Read-only view of signature chunks as one `(n, num_perm)` array, by global row index."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = [c for c in chunks if _rows(c)]
        sizes = np.array([_rows(c) for c in self.chunks], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n = int(self.starts[-1])
        self.width = _width(self.chunks[0]) if self.chunks else 0

    def band(self, band: int, rows: int) -> npt.NDArray[np.uint64]:
        """Band `band`'s key of every row, a fresh array. Keys are computed for runs of chunks
        of about KEY_BLOCK rows: few numpy calls, and no whole-band slot array."""
        out = np.empty(self.n, dtype=np.uint64)
        first = 0
        while first < len(self.chunks):
            last = int(np.searchsorted(self.starts, self.starts[first] + KEY_BLOCK, "left"))
            last = min(max(last, first + 1), len(self.chunks))
            a, b = int(self.starts[first]), int(self.starts[last])
            out[a:b] = slot_keys(self.slots(band * rows, (band + 1) * rows, first, last), band)
            first = last
        return out

    def slots(self, lo: int, hi: int, first: int = 0, last: int | None = None) -> Sig:
        """Slots lo..hi-1 of every row of chunks first..last-1 (default all), slot-major."""
        last = len(self.chunks) if last is None else last
        dtype = np.uint16 if not self.chunks else _dtype(self.chunks[0])
        base = int(self.starts[first]) if self.chunks else 0
        out = np.empty((hi - lo, int(self.starts[last]) - base), dtype=dtype)
        for c in range(first, last):
            chunk = self.chunks[c]
            a, b = int(self.starts[c]) - base, int(self.starts[c + 1]) - base
            if isinstance(chunk, SpilledSignatures):  # read straight into place
                chunk.read_slots(lo, [out[s, a:b] for s in range(hi - lo)])
            else:
                out[:, a:b] = chunk[:, lo:hi].T
        return out

    def similarity(self, left: I64, right: I64, threads: int = 1) -> F64:
        """Share of equal slots of rows `left[i]` and `right[i]`, a few slots per pass (up to
        `threads` passes at once; counts are summed, so the result never depends on it)."""
        equal = np.zeros(len(left), dtype=np.int64)
        if len(left) == 0 or self.width == 0:
            return equal.astype(np.float64)

        def equal_from(lo: int) -> npt.NDArray[np.int64]:
            block = self.slots(lo, min(self.width, lo + SLOTS_PER_READ))
            same: npt.NDArray[np.int64] = (block[:, left] == block[:, right]).sum(axis=0)
            return same

        for more in ordered_map(equal_from, range(0, self.width, SLOTS_PER_READ), threads):
            equal += more
        return equal / self.width


def _rows(chunk: Chunk) -> int:
    return chunk.rows if isinstance(chunk, SpilledSignatures) else len(chunk)


def _width(chunk: Chunk) -> int:
    return chunk.width if isinstance(chunk, SpilledSignatures) else int(chunk.shape[1])


def _dtype(chunk: Chunk) -> npt.DTypeLike:
    return np.uint16 if isinstance(chunk, SpilledSignatures) else chunk.dtype


def candidate_codes(
    chunks: Sequence[Chunk], has_text: npt.NDArray[np.uint8], *, rows: int, bands: Sequence[int]
) -> I64:
    """The candidate pairs of `bands` (of `rows` slots each) as sorted unique codes (`lsh.
    band_codes`); `has_text` is `np.packbits` of which rows have text. Plain data in and out
    (spill file names, a few bits per row): one share of a search that other processes can
    take, whose shares merge with `lsh.merge_codes`."""
    sigs = ChunkedSignatures(chunks)
    valid = np.unpackbits(has_text, count=sigs.n).astype(bool)
    return band_codes(lambda b: sigs.band(b, rows), sigs.n, bands, valid)


def find_near_duplicates(
    chunks: Sequence[Chunk],
    has_text: npt.NDArray[np.bool_],
    *,
    threshold: float,
    bands: int,
    rows: int,
    threads: int | None = None,
    codes: I64 | None = None,
) -> NearDuplicates:
    """Clusters of rows whose estimated Jaccard similarity is >= threshold (rows without text never
    join a cluster). `threads` (default: `parallel.default_threads()`) bands or slot blocks are
    worked on at once; the result is the same for any number. `codes`: the candidate pairs of
    every band, found beforehand (`candidate_codes`, merged), instead of banding here."""
    threads = default_threads() if threads is None else threads
    sigs = ChunkedSignatures(chunks)
    if codes is None:
        left, right = candidate_pairs(
            lambda b: sigs.band(b, rows), sigs.n, bands=bands, valid=has_text, threads=threads
        )
    else:
        left, right = pairs_of(codes, sigs.n)
    est = sigs.similarity(left, right, threads)
    keep = est >= threshold
    members, starts = flat_clusters(left[keep], right[keep])
    heads = np.repeat(members[starts[:-1]], np.diff(starts))
    sims = _known_similarity(heads, members, left, right, est, sigs.n)
    unknown = np.flatnonzero(np.isnan(sims))
    if len(unknown):  # members never compared with their cluster's first: one more pass
        sims[unknown] = sigs.similarity(heads[unknown], members[unknown], threads)
    return NearDuplicates(members, starts, sims, candidates=len(left), confirmed=int(keep.sum()))


def _known_similarity(heads: I64, members: I64, left: I64, right: I64, est: F64, n: int) -> F64:
    """Each member's similarity to its cluster's first member where already known: 1.0 for the
    first member itself, the estimate of the candidate pair (first, member) where there is one
    (every two-member cluster); NaN elsewhere. The same number a new comparison would give."""
    sims = np.full(len(members), np.nan)
    sims[heads == members] = 1.0
    if len(left):
        codes = left * n + right  # ascending: candidate pairs come sorted (left < right)
        wanted = heads * n + members
        at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
        found = (codes[at] == wanted) & (heads != members)
        sims[found] = est[at[found]]
    return sims
