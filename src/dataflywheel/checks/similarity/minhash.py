"""MinHash signatures for a whole batch at once: one-permutation hashing with optimal densification.

Each shingle hash is used once: its high 32 bits choose one of `num_perm` bins, its low 32 bits are
the value, and each bin keeps its minimum (Li, Owen & Zhang 2012, "One permutation hashing").
Bins that no shingle of a text reached are filled by optimal densification (Shrivastava 2017):
bin j probes bins `probe(j, 1), probe(j, 2), ...` — the same fixed pseudo-random sequence for every
text — and copies the first bin that was filled by a shingle. For any two texts each signature
slot then agrees with probability equal to their Jaccard similarity, like `num_perm` independent
permutations, at the cost of one pass over the shingles instead of `num_perm`.

Guarantees: signatures depend only on the text's shingle set, the seed and `num_perm` (never on
the batch a text arrived in); a text without shingles gets no signature (its row is `EMPTY`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.shingles import Shingles, splitmix64

U32 = npt.NDArray[np.uint32]
Idx = npt.NDArray[np.signedinteger[Any]]
EMPTY = np.uint32(0xFFFFFFFF)
_PROBES = 64  # probe attempts before falling back to the next filled bin to the right
_SLICE = 1 << 20  # shingles binned at once (see `signatures`)
_DENSE = 2  # attempts made for every empty bin at once (measured best: 15% faster than 0 or 4)


class MinHasher:
    """Computes `num_perm`-slot MinHash signatures (uint32) for every text of a batch."""

    def __init__(self, num_perm: int = 128, *, seed: int = 1) -> None:
        if not 1 <= num_perm <= 65536:
            raise ValueError("num_perm must be between 1 and 65536")
        self.num_perm = num_perm
        self.seed = seed
        grid = np.arange(num_perm * _PROBES, dtype=np.uint64) + np.uint64(
            seed & 0xFFFFFFFF
        ) * np.uint64(num_perm * _PROBES + 1)
        self._probe = (
            (splitmix64(grid) % np.uint64(num_perm)).astype(np.int64).reshape(num_perm, _PROBES)
        )
        # probe t of every bin as an offset from the bin itself, one small array per attempt:
        # the flat index of the probed slot is then `empty + step[empty % num_perm]`
        steps = self._probe - np.arange(num_perm, dtype=np.int64)[:, None]
        self._steps: dict[type[np.signedinteger[Any]], list[Idx]] = {
            dt: [np.ascontiguousarray(steps[:, t], dtype=dt) for t in range(_PROBES)]
            for dt in (np.int32, np.int64)
        }
        # the first _DENSE attempts as one flat table, attempt-major, plus a row of zeros that
        # sends a bin none of them resolved onto itself
        head = np.zeros((_DENSE + 1, num_perm), dtype=np.int64)
        head[:_DENSE] = steps[:, :_DENSE].T
        self._head: dict[type[np.signedinteger[Any]], Idx] = {
            dt: head.reshape(-1).astype(dt) for dt in (np.int32, np.int64)
        }

    def signatures(self, shingles: Shingles) -> U32:
        """A `(len(shingles), num_perm)` uint32 array; rows of texts without shingles are EMPTY.

        The shingles are binned `_SLICE` at a time (a bin keeps its minimum, so slices fold in
        any order): the slot and value arrays cost ~28 bytes per shingle, which over one text of
        a few million words was ~100 MB at once."""
        k = self.num_perm
        n = len(shingles)
        sig = np.full(n * k, EMPTY, dtype=np.uint32)
        filled = np.zeros(n * k, dtype=bool)
        total = len(shingles.hashes)
        for lo in range(0, total, _SLICE):
            h = shingles.hashes[lo : lo + _SLICE]
            if total <= _SLICE:
                rows = np.repeat(np.arange(n, dtype=np.int64) * k, shingles.counts)
            else:
                at = np.arange(lo, lo + len(h), dtype=np.int64)
                rows = (np.searchsorted(shingles.offsets, at, side="right") - 1) * k
            slots = rows + (((h >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)).astype(np.int64)
            np.minimum.at(sig, slots, (h & np.uint64(0xFFFFFFFF)).astype(np.uint32))
            filled[slots] = True
        sig2 = sig.reshape(n, k)
        self._densify(sig2, filled.reshape(n, k), shingles.counts > 0)
        return sig2

    def _densify(
        self, sig: U32, filled: npt.NDArray[np.bool_], has_text: npt.NDArray[np.bool_]
    ) -> None:
        """Fill every empty bin of a row with text from its first probed bin that a shingle
        filled. Vectorised over all empty bins of the batch: the first _DENSE attempts for all
        of them at once (no arrays shrunk: most bins are resolved there), then one attempt per
        round over the bins still unresolved. A source is always a shingle-filled bin, so the
        order of the copies does not matter."""
        k = self.num_perm
        flat_sig, flat_filled = sig.reshape(-1), filled.reshape(-1)
        todo = ~flat_filled
        if not has_text.all():
            todo &= np.repeat(has_text, k)
        flat_index = np.flatnonzero(todo)
        small = flat_sig.size < 2**31  # int32 indices halve the memory traffic of each round
        empty: Idx = flat_index.astype(np.int32) if small else flat_index
        mask = k - 1 if k & (k - 1) == 0 else 0  # bin = index & mask when k is a power of two
        index_type = np.int32 if small else np.int64
        steps = self._steps[index_type]
        col = empty & mask if mask else empty % k
        first: Idx = np.full(len(empty), _DENSE, dtype=index_type)  # earliest attempt that hit
        for t in range(_DENSE - 1, -1, -1):
            np.putmask(first, flat_filled[empty + steps[t][col]], t)
        first *= k
        first += col
        src: Idx = self._head[index_type][first]
        src += empty  # a bin no attempt resolved is its own source: copied onto itself
        flat_sig[empty] = flat_sig[src]
        empty = empty[src == empty]
        targets: list[Idx] = []
        sources: list[Idx] = []
        for step in steps[_DENSE:]:
            if len(empty) == 0:
                break
            src = empty + step[empty & mask if mask else empty % k]
            hit = flat_filled[src]
            targets.append(empty[hit])
            sources.append(src[hit])
            empty = empty[~hit]
        if targets:
            flat_sig[np.concatenate(targets)] = flat_sig[np.concatenate(sources)]
        if len(empty):
            self._rotate(sig, filled, empty // k, empty % k)

    def _rotate(
        self,
        sig: U32,
        filled: npt.NDArray[np.bool_],
        rows: Idx,
        cols: Idx,
    ) -> None:
        """Fallback for the few bins still empty: copy the next filled bin to the right (circular)."""
        for r in np.unique(rows):
            have = np.flatnonzero(filled[r])
            want = cols[rows == r]
            nxt = np.searchsorted(have, want) % len(have)
            sig[r, want] = sig[r, have[nxt]]


def estimated_jaccard(
    sig: U32, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Share of equal slots for each pair `(left[i], right[i])` of signature rows."""
    out = np.empty(len(left), dtype=np.float64)
    step = max(1, (1 << 22) // max(1, sig.shape[1]))
    for start in range(0, len(left), step):
        a = sig[left[start : start + step]]
        b = sig[right[start : start + step]]
        out[start : start + step] = (a == b).mean(axis=1)
    return out
