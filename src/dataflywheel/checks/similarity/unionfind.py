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
    if len(left) == 0:
        return []
    nodes, inverse = np.unique(np.concatenate([left, right]), return_inverse=True)
    m = len(left)
    uf = UnionFind(len(nodes))
    for a, b in zip(inverse[:m].tolist(), inverse[m:].tolist(), strict=True):
        uf.union(a, b)
    roots = np.fromiter((uf.find(i) for i in range(len(nodes))), dtype=np.int64, count=len(nodes))
    order = np.lexsort((nodes, roots))
    roots_sorted = roots[order]
    cuts = np.flatnonzero(np.diff(roots_sorted)) + 1
    groups = np.split(nodes[order], cuts)
    return sorted(groups, key=lambda g: int(g[0]))
