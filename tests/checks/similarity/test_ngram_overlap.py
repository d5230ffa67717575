"""n-gram overlap against a reference set equals the brute-force set computation."""

from __future__ import annotations

import random

import numpy as np

from dataflywheel.checks.similarity.ngrams import ReferenceIndex


def grams(text: str, n: int) -> set[tuple[str, ...]]:
    w = text.lower().split()
    if not w:
        return set()
    return {tuple(w)} if len(w) < n else {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_overlaps_equal_brute_force() -> None:
    rng = random.Random(5)
    vocab = [f"v{i}" for i in range(12)]  # a small vocabulary: many shared 3-grams
    refs = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 15))) for _ in range(40)]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 15))) for _ in range(60)]
    texts += refs[:5]
    index = ReferenceIndex(refs, ngram=3, seed=2)
    for threshold in (0.1, 0.5, 1.0):
        got = index.overlaps(texts, threshold=threshold)
        expected = []
        for i, t in enumerate(texts):
            for j, r in enumerate(refs):
                a, b = grams(t, 3), grams(r, 3)
                shared = len(a & b)
                if shared and shared / min(len(a), len(b)) >= threshold:
                    expected.append((i, j, shared))
        assert (
            list(zip(got.rows.tolist(), got.refs.tolist(), got.shared.tolist(), strict=True))
            == expected
        )
        assert np.all(got.score >= threshold)


def test_an_empty_reference_or_batch_overlaps_nothing() -> None:
    index = ReferenceIndex(["", "  "], ngram=3, seed=1)
    assert len(index.overlaps(["a b c d"], threshold=0.1).rows) == 0
    full = ReferenceIndex(["a b c d"], ngram=3, seed=1)
    assert len(full.overlaps([], threshold=0.1).rows) == 0
