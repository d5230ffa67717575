"""Union-find over record indices: confirmed pairs -> clusters, in a deterministic order."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
MAX_ROUNDS = 64


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


def smallest_roots(n: int, a: I64, b: I64) -> I64:
    """For each of the nodes 0..n-1, the smallest node of its connected component under the
    edges (a[i], b[i]), in rounds of whole-array steps instead of one Python step per edge.

    Every node points to a node no larger than itself. A round makes every pointer point to a
    root (pointer jumping), then points each root that an edge joins to a smaller root at the
    smallest such root; so a root is always its tree's smallest node, and every round removes
    at least one root per edge that still joins two trees. Inputs that would take more than
    MAX_ROUNDS rounds (long chains of decreasing roots, rare in practice) finish with the
    plain union-find from where the rounds left off; the answer is the same either way."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    for _ in range(MAX_ROUNDS):
        while True:  # pointer jumping until every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        ra, rb = parent[a], parent[b]
        apart = ra != rb
        if not apart.any():
            return parent
        a, b, ra, rb = a[apart], b[apart], ra[apart], rb[apart]
        np.minimum.at(parent, np.maximum(ra, rb), np.minimum(ra, rb))
    uf = UnionFind(n)
    uf.parent = parent.tolist()
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        uf.union(x, y)
    return np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)


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
    roots = smallest_roots(len(nodes), inverse[:m], inverse[m:])
    # a root is its set's smallest member, so ordering by (root, node) lists each cluster
    # ascending and the clusters by first member
    order = np.lexsort((nodes, roots))
    roots_sorted = roots[order]
    cuts = np.flatnonzero(np.diff(roots_sorted)) + 1
    starts = np.concatenate([[0], cuts, [len(nodes)]]).astype(np.int64)
    return nodes[order].astype(np.int64), starts
