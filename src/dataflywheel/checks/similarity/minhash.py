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

import numpy as np
import numpy.typing as npt

from dataflywheel.checks.similarity.shingles import Shingles, splitmix64

U32 = npt.NDArray[np.uint32]
EMPTY = np.uint32(0xFFFFFFFF)
_PROBES = 64  # probe attempts before falling back to the next filled bin to the right


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
        # probe t of every bin, as one contiguous array per attempt
        self._probe_by_attempt = [np.ascontiguousarray(self._probe[:, t]) for t in range(_PROBES)]

    def signatures(self, shingles: Shingles) -> U32:
        """A `(len(shingles), num_perm)` uint32 array; rows of texts without shingles are EMPTY."""
        k = self.num_perm
        n = len(shingles)
        counts = shingles.counts
        h = shingles.hashes
        bins = (((h >> np.uint64(32)) * np.uint64(k)) >> np.uint64(32)).astype(np.int64)
        slots = np.repeat(np.arange(n, dtype=np.int64) * k, counts) + bins
        sig = np.full(n * k, EMPTY, dtype=np.uint32)
        np.minimum.at(sig, slots, (h & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        filled = np.zeros(n * k, dtype=bool)
        filled[slots] = True
        sig2 = sig.reshape(n, k)
        self._densify(sig2, filled.reshape(n, k), counts > 0)
        return sig2

    def _densify(
        self, sig: U32, filled: npt.NDArray[np.bool_], has_text: npt.NDArray[np.bool_]
    ) -> None:
        k = self.num_perm
        flat_sig, flat_filled = sig.reshape(-1), filled.reshape(-1)
        empty = np.flatnonzero(~flat_filled & np.repeat(has_text, k)).astype(np.int64)
        cols = empty % k
        base = empty - cols
        for probes in self._probe_by_attempt:
            if len(empty) == 0:
                return
            src = base + probes[cols]
            hit = flat_filled[src]
            flat_sig[empty[hit]] = flat_sig[src[hit]]
            miss = ~hit
            empty, cols, base = empty[miss], cols[miss], base[miss]
        if len(empty):
            self._rotate(sig, filled, empty // k, cols)

    def _rotate(
        self,
        sig: U32,
        filled: npt.NDArray[np.bool_],
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
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
