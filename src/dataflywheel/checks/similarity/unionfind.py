"""Union-find over record indices: confirmed pairs -> clusters, in a deterministic order."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]


class UnionFind:
    """Disjoint sets over the integers 0..n-1; the root of a set is always its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def clusters(left: I64, right: I64) -> list[I64]:
    """Connected components of the pairs with at least two members: each sorted ascending, and
    the list sorted by first member, so the result depends only on the set of pairs."""
    members, starts = flat_clusters(left, right)
    return np.split(members, starts[1:-1]) if len(starts) > 1 else []


def flat_clusters(left: I64, right: I64) -> tuple[I64, I64]:
    """`clusters` as flat arrays: cluster c is `members[starts[c]:starts[c + 1]]` (no array
    object per cluster: a corpus can have hundreds of thousands of small clusters)."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64)
    nodes, inverse = np.unique(np.concatenate([left, right]), return_inverse=True)
    m = len(left)
    uf = UnionFind(len(nodes))
    for a, b in zip(inverse[:m].tolist(), inverse[m:].tolist(), strict=True):
        uf.union(a, b)
    roots = np.fromiter((uf.find(i) for i in range(len(nodes))), dtype=np.int64, count=len(nodes))
    # a root is its set's smallest member, so ordering by (root, node) lists each cluster
    # ascending and the clusters by first member
    order = np.lexsort((nodes, roots))
    roots_sorted = roots[order]
    cuts = np.flatnonzero(np.diff(roots_sorted)) + 1
    starts = np.concatenate([[0], cuts, [len(nodes)]]).astype(np.int64)
    return nodes[order].astype(np.int64), starts
