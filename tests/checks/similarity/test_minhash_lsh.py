"""MinHash estimates Jaccard without bias; LSH finds pairs above the threshold; union-find is exact."""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import pytest

from dataflywheel.checks.similarity.index import find_near_duplicates
from dataflywheel.checks.similarity.lsh import candidate_probability, choose_bands
from dataflywheel.checks.similarity.minhash import EMPTY, MinHasher, estimated_jaccard
from dataflywheel.checks.similarity.shingles import Shingles, shingle_hashes, splitmix64
from dataflywheel.checks.similarity.unionfind import clusters


def _sets(rng: random.Random, size: int, overlap: float) -> tuple[list[int], list[int]]:
    common = [rng.getrandbits(63) for _ in range(int(size * overlap))]
    a = common + [rng.getrandbits(63) for _ in range(size - len(common))]
    b = common + [rng.getrandbits(63) for _ in range(size - len(common))]
    return a, b


def _shingles(sets: list[list[int]]) -> Shingles:
    flat = np.array([x for s in sets for x in s], dtype=np.uint64)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])]).astype(np.int64)
    return Shingles(splitmix64(flat), offsets)


@pytest.mark.parametrize("size", [3, 20, 100, 400, 2000])
def test_estimate_is_unbiased_with_the_variance_of_k_permutations(size: int) -> None:
    rng = random.Random(size)
    hasher = MinHasher(128, seed=5)
    errors = []
    for _ in range(120):
        a, b = _sets(rng, size, rng.uniform(0.3, 1.0))
        true = len(set(a) & set(b)) / len(set(a) | set(b))
        sig = hasher.signatures(_shingles([a, b]))
        errors.append(estimated_jaccard(sig, np.array([0]), np.array([1]))[0] - true)
    err = np.array(errors)
    assert abs(err.mean()) < 0.02
    assert err.std() < 0.06  # 128 permutations: sqrt(J(1-J)/128) <= 0.045


def test_signatures_depend_only_on_the_text() -> None:
    hasher = MinHasher(64, seed=2)
    texts = ["a b c d e f g h", "one two three", "", "x y z w v u t s r"]
    together = hasher.signatures(shingle_hashes(texts, ngram=3, seed=2))
    for i, text in enumerate(texts):
        alone = hasher.signatures(shingle_hashes([text], ngram=3, seed=2))
        assert np.array_equal(alone[0], together[i])
    assert (together[2] == EMPTY).all()
    assert not (together[0] == EMPTY).all()


def test_identical_and_disjoint_texts() -> None:
    hasher = MinHasher(128, seed=1)
    sig = hasher.signatures(_shingles([[1, 2, 3], [1, 2, 3], [4, 5, 6], [7]]))
    est = estimated_jaccard(sig, np.array([0, 0, 3]), np.array([1, 2, 0]))
    assert est[0] == 1.0 and est[1] < 0.2 and est[2] < 0.2
    assert len(set(sig[3].tolist())) == 1  # one shingle fills every slot


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_bands_make_a_pair_at_the_threshold_a_candidate(threshold: float, num_perm: int) -> None:
    bands, rows = choose_bands(threshold, num_perm)
    assert bands * rows <= num_perm
    assert candidate_probability(threshold, bands, rows) >= 0.995
    # one more row per band would miss more often: the choice is the most selective that holds
    fewer = num_perm // (rows + 1)
    assert candidate_probability(threshold, fewer, rows + 1) < 0.995


def test_planted_pairs_are_found_and_chunking_does_not_matter() -> None:
    rng = random.Random(11)
    sets: list[list[int]] = []
    planted = []
    for i in range(300):
        if i % 10 == 9:
            a, b = _sets(rng, 80, 0.97)  # Jaccard 0.93
            sets[-1] = a
            sets.append(b)
            planted.append((i - 1, i))
        else:
            sets.append([rng.getrandbits(63) for _ in range(80)])
    hasher = MinHasher(128, seed=1)
    sig = hasher.signatures(_shingles(sets))
    has_text = np.ones(len(sets), dtype=bool)
    bands, rows = choose_bands(0.8, 128)
    whole = find_near_duplicates([sig], has_text, threshold=0.8, bands=bands, rows=rows)
    parts = find_near_duplicates(
        [sig[:7], sig[7:150], sig[150:151], sig[151:]],
        has_text,
        threshold=0.8,
        bands=bands,
        rows=rows,
    )
    assert [g.tolist() for g in whole.groups] == [list(p) for p in planted]
    assert [g.tolist() for g in parts.groups] == [g.tolist() for g in whole.groups]


def test_low_thresholds_keep_two_rows_per_band() -> None:
    assert choose_bands(0.1, 128) == (64, 2)
    assert candidate_probability(0.1, 64, 2) < 0.995  # stated in the report's parameters


def test_rows_without_text_never_join() -> None:
    sig = np.full((3, 16), EMPTY, dtype=np.uint32)
    found = find_near_duplicates([sig], np.zeros(3, dtype=bool), threshold=0.5, bands=4, rows=4)
    assert found.groups == [] and found.candidates == 0


def test_clusters_are_connected_components_in_a_stable_order() -> None:
    left = np.array([9, 1, 4, 2, 7], dtype=np.int64)
    right = np.array([8, 2, 5, 3, 8], dtype=np.int64)
    got = [g.tolist() for g in clusters(left, right)]
    assert got == [[1, 2, 3], [4, 5], [7, 8, 9]]
    assert clusters(np.zeros(0, np.int64), np.zeros(0, np.int64)) == []


def test_both_bucket_sorts_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.checks.similarity import lsh

    rng = np.random.default_rng(3)
    keys = splitmix64(rng.integers(0, 40, size=3000).astype(np.uint64))  # many equal keys
    valid = rng.random(3000) < 0.9
    packed = lsh.bucket_pairs(keys, valid)
    monkeypatch.setattr(lsh, "_INDEX_BITS", 4)  # 3000 rows > 2**4: the stable argsort path
    stable = lsh.bucket_pairs(keys, valid)
    assert len(packed[0]) > 1000
    assert np.array_equal(packed[0], stable[0]) and np.array_equal(packed[1], stable[1])


def test_estimates_on_text_shingles_are_unbiased() -> None:
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(3000)]
    hasher = MinHasher(128, seed=1)
    errors = []
    for _ in range(200):
        a = [rng.choice(vocab) for _ in range(rng.randint(5, 300))]
        b = list(a)
        for _ in range(rng.randint(0, max(1, len(a) // 10))):
            b[rng.randrange(len(b))] = rng.choice(vocab)
        sh = shingle_hashes([" ".join(a), " ".join(b)], ngram=5, seed=1)
        sa = set(sh.hashes[sh.offsets[0] : sh.offsets[1]].tolist())
        sb = set(sh.hashes[sh.offsets[1] : sh.offsets[2]].tolist())
        sig = hasher.signatures(sh)
        est = estimated_jaccard(sig, np.array([0]), np.array([1]))[0]
        errors.append(est - len(sa & sb) / len(sa | sb))
    err = np.array(errors)
    assert abs(err.mean()) < 0.01 and err.std() < 0.05


def _reference_signature(hasher: MinHasher, hashes: list[int]) -> list[int]:
    """One row by the definition, bin by bin: one-permutation minima, then optimal
    densification (first filled bin along the bin's probe sequence, else the next filled bin
    to the right)."""
    k = hasher.num_perm
    sig = [int(EMPTY)] * k
    filled = [False] * k
    for h in hashes:
        b = ((h >> 32) * k) >> 32
        sig[b] = min(sig[b], h & 0xFFFFFFFF)
        filled[b] = True
    if not any(filled):
        return sig
    have = [b for b in range(k) if filled[b]]
    out = list(sig)
    for j in range(k):
        if filled[j]:
            continue
        for t in range(hasher._probe.shape[1]):
            p = int(hasher._probe[j, t])
            if filled[p]:
                out[j] = sig[p]
                break
        else:
            out[j] = sig[next((b for b in have if b >= j), have[0])]
    return out


@pytest.mark.parametrize("num_perm", [128, 100])
def test_vectorised_densification_matches_the_definition(num_perm: int) -> None:
    rng = random.Random(num_perm)
    # 1 shingle: the probes mostly miss and the fallback fills the rest; 0: an EMPTY row
    sizes = [0, 1, 2, 3, 5, 20, 60, 128, 200, 700] * 3
    sets = [[rng.getrandbits(63) for _ in range(s)] for s in sizes]
    shingles = _shingles(sets)
    hasher = MinHasher(num_perm, seed=4)
    sig = hasher.signatures(shingles)
    for i in range(len(sets)):
        row = shingles.hashes[shingles.offsets[i] : shingles.offsets[i + 1]].tolist()
        assert sig[i].tolist() == _reference_signature(hasher, row), (num_perm, sizes[i])


def test_spilled_signatures_give_the_same_clusters_as_arrays(tmp_path: Any) -> None:
    from dataflywheel.checks import spill
    from dataflywheel.checks.similarity.index import SpilledSignatures, candidate_codes
    from dataflywheel.checks.similarity.lsh import merge_codes

    rng = random.Random(12)
    sets: list[list[int]] = []
    for i in range(400):
        if i % 7 == 6:
            a, b = _sets(rng, 60, 0.95)
            sets[-1] = a
            sets.append(b)
        else:
            sets.append([rng.getrandbits(63) for _ in range(rng.randint(0, 90))])
    sig = MinHasher(128, seed=3).signatures(_shingles(sets))
    has_text = np.array([len(s) > 0 for s in sets])
    bands, rows = choose_bands(0.8, 128)
    memory = find_near_duplicates(
        [sig.astype(np.uint16)], has_text, threshold=0.8, bands=bands, rows=rows
    )
    with spill.using(str(tmp_path)):
        cuts = [0, 1, 57, 200, 201, 400]
        chunks = [SpilledSignatures.write(sig[a:b]) for a, b in itertools.pairwise(cuts)]
        assert chunks[1].slots(2, 5).tolist() == (sig[1:57, 2:5].T & 0xFFFF).tolist()
        disk = find_near_duplicates(chunks, has_text, threshold=0.8, bands=bands, rows=rows)
        # the banding shared out as finish jobs of a few bands each, merged in any grouping
        shares = [range(3), range(3, bands), range(bands, bands)]
        codes = merge_codes(
            candidate_codes(chunks, np.packbits(has_text), rows=rows, bands=b) for b in shares
        )
        for threads in (1, 3):  # bands and slot blocks side by side: the same result
            again = find_near_duplicates(
                chunks, has_text, threshold=0.8, bands=bands, rows=rows, threads=threads
            )
            shared = find_near_duplicates(
                chunks, has_text, threshold=0.8, bands=bands, rows=rows, codes=codes
            )
            assert np.array_equal(shared.members, again.members)
            assert (shared.candidates, shared.confirmed) == (again.candidates, again.confirmed)
            assert np.array_equal(again.members, disk.members)
            assert np.array_equal(again.starts, disk.starts)
            assert np.array_equal(again.similarity, disk.similarity)
            assert (again.candidates, again.confirmed) == (disk.candidates, disk.confirmed)
    assert memory.count >= 50
    assert np.array_equal(memory.members, disk.members)
    assert np.array_equal(memory.starts, disk.starts)
    assert np.array_equal(memory.similarity, disk.similarity)
    assert (memory.candidates, memory.confirmed) == (disk.candidates, disk.confirmed)
    # the similarity to the first member is the share of equal 16-bit slots
    g = memory.groups[0]
    low = sig.astype(np.uint16)
    assert memory.similarity_to_first[0][1] == (low[g[0]] == low[g[1]]).mean()
    for group, sims in zip(memory.groups, memory.similarity_to_first, strict=True):
        direct = [(low[group[0]] == low[m]).sum() / 128 for m in group.tolist()]
        assert sims.tolist() == direct


def test_similarities_already_known_are_taken_and_the_rest_left_to_compute() -> None:
    from dataflywheel.checks.similarity.index import _known_similarity

    heads = np.array([0, 0, 0, 4, 4], dtype=np.int64)
    members = np.array([0, 2, 3, 4, 9], dtype=np.int64)
    left = np.array([0, 2, 4], dtype=np.int64)  # (0, 2), (2, 3), (4, 9): sorted pairs
    right = np.array([2, 3, 9], dtype=np.int64)
    est = np.array([0.9, 0.85, 0.8])
    got = _known_similarity(heads, members, left, right, est, 10)
    assert got[[0, 1, 3, 4]].tolist() == [1.0, 0.9, 1.0, 0.8]
    assert np.isnan(got[2])  # (0, 3) was never a candidate pair
    none = _known_similarity(heads, members, left[:0], right[:0], est[:0], 10)
    assert none[0] == 1.0 and np.isnan(none[1])


def test_candidate_pairs_merge_bands_into_sorted_unique_pairs() -> None:
    from dataflywheel.checks.similarity import lsh

    rng = np.random.default_rng(5)
    keys = [splitmix64(rng.integers(0, 30, size=500).astype(np.uint64)) for _ in range(4)]
    left, right = lsh.candidate_pairs(lambda b: keys[b].copy(), 500, bands=4)
    expected: set[tuple[int, int]] = set()
    for k in keys:
        a, b = lsh.bucket_pairs(k)
        expected |= set(zip(a.tolist(), b.tolist(), strict=True))
    got = list(zip(left.tolist(), right.tolist(), strict=True))
    assert got == sorted(expected) and all(a < b for a, b in got)
    for threads in (2, 3):  # bands keyed side by side, merged in band order
        more = lsh.candidate_pairs(lambda b: keys[b].copy(), 500, bands=4, threads=threads)
        assert np.array_equal(more[0], left) and np.array_equal(more[1], right)
    for groups in ([[0, 1], [2, 3]], [[3], [0, 2], [1]], [[0, 1, 2, 3], []]):  # any sharing
        codes = lsh.merge_codes(lsh.band_codes(lambda b: keys[b].copy(), 500, g) for g in groups)
        shared = lsh.pairs_of(codes, 500)
        assert np.array_equal(shared[0], left) and np.array_equal(shared[1], right)
    # overwrite=True may reuse the keys' memory, with the same pairs
    spent = keys[0].copy()
    again = lsh.bucket_pairs(spent, overwrite=True)
    first = lsh.bucket_pairs(keys[0])
    assert np.array_equal(again[0], first[0]) and np.array_equal(again[1], first[1])


@pytest.mark.parametrize("max_rounds", [64, 2, 0])
def test_whole_array_components_match_edge_by_edge_union_find(
    monkeypatch: pytest.MonkeyPatch, max_rounds: int
) -> None:
    """The rounds, and the union-find fallback they hand over to (after 2 or 0 rounds), give
    each node the smallest node of its component, as adding the edges one by one does."""
    from dataflywheel.checks.similarity import unionfind

    monkeypatch.setattr(unionfind, "MAX_ROUNDS", max_rounds)
    rng = np.random.default_rng(max_rounds)
    for n, m in ((1, 0), (2, 1), (50, 30), (400, 380), (2000, 900)):
        a = rng.integers(0, n, size=m)
        b = rng.integers(0, n, size=m)
        if n == 400:  # a chain in decreasing order: many rounds
            a, b = np.arange(n - 1, 0, -1), np.arange(n - 2, -1, -1)
        uf = unionfind.UnionFind(n)
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            uf.union(x, y)
        expected = [uf.find(i) for i in range(n)]
        assert unionfind.smallest_roots(n, a, b).tolist() == expected


@pytest.mark.parametrize("threads", [1, 2])
def test_a_member_never_paired_with_its_first_is_compared_with_it(threads: int) -> None:
    """A ~ B and B ~ C share bands, A and C share none: C's similarity to A is counted anew."""
    bands, rows = choose_bands(0.8, 128)
    rng = np.random.default_rng(4)
    sig = rng.integers(0, 1 << 16, size=(6, 128)).astype(np.uint16)
    a = sig[1]
    b = a.copy()
    b[[band * rows for band in range(11)]] ^= 1  # differs from A in bands 0..10
    c = b.copy()
    c[[band * rows for band in range(11, bands)]] ^= 1  # and from B in bands 11..
    sig[3], sig[4] = b, c
    found = find_near_duplicates(
        [sig], np.ones(6, dtype=bool), threshold=0.8, bands=bands, rows=rows, threads=threads
    )
    assert [g.tolist() for g in found.groups] == [[1, 3, 4]]
    assert found.candidates == 2
    assert found.similarity.tolist() == [1.0, (a == b).mean(), (a == c).mean()]
