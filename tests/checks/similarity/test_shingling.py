"""Shingles: the same word n-grams as the benchmark's reference definition, windows never cross texts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dataflywheel.checks.similarity.shingles import (
    _MUL,
    combine,
    finalise,
    normalised_shingle_hashes,
    normalised_word_hashes,
    shingle_hashes,
    word_hashes,
)
from dataflywheel.checks.textnorm import normalise


def reference_shingles(text: str, n: int) -> list[tuple[str, ...]]:
    """The benchmark's definition: lower-case, split on whitespace, n-grams; 1..n-1 words: one."""
    words = text.lower().split()
    if not words:
        return []
    if len(words) < n:
        return [tuple(words)]
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def naive_combine(words: np.ndarray, lens: np.ndarray, n: int) -> np.ndarray:
    out = []
    pos = 0
    for length in lens.tolist():
        w = words[pos : pos + length]
        pos += length
        windows = [w] if 0 < length < n else [w[i : i + n] for i in range(length - n + 1)]
        for win in windows:
            acc = np.uint64(win[0])
            with np.errstate(over="ignore"):
                for x in win[1:]:
                    acc = (acc * _MUL) ^ np.uint64(x)
            out.append(acc)
    return finalise(np.array(out, dtype=np.uint64))


@settings(max_examples=60, deadline=None)
@given(
    lens=st.lists(st.integers(0, 12), min_size=1, max_size=10),
    n=st.integers(1, 6),
    data=st.data(),
)
def test_combine_matches_the_naive_definition(lens: list[int], n: int, data: st.DataObject) -> None:
    words = np.array(
        data.draw(st.lists(st.integers(0, 2**64 - 1), min_size=sum(lens), max_size=sum(lens))),
        dtype=np.uint64,
    )
    got = combine(words, np.array(lens, dtype=np.int64), ngram=n)
    assert np.array_equal(got.hashes, naive_combine(words, np.array(lens), n))
    expected_counts = [(length - n + 1) if length >= n else min(length, 1) for length in lens]
    assert got.counts.tolist() == expected_counts


def test_shingle_sets_equal_the_reference_definition() -> None:
    texts = [
        "The quick brown fox jumps over the lazy dog",
        "  the QUICK\tbrown\n\nfox jumps over the lazy dog  ",
        "two words",
        "",
        "   \n ",
        "Ünïcode wörds ÀND CASE ok fine then",
    ]
    sh = shingle_hashes(texts, ngram=5, seed=7)
    for i, text in enumerate(texts):
        mine = sh.hashes[sh.offsets[i] : sh.offsets[i + 1]]
        ref = reference_shingles(text, 5)
        assert len(mine) == len(ref), text
        assert len(set(mine.tolist())) == len(set(ref))
    # the first two texts normalise to the same words: same shingles
    assert np.array_equal(
        sh.hashes[sh.offsets[0] : sh.offsets[1]], sh.hashes[sh.offsets[1] : sh.offsets[2]]
    )


def test_word_hashes_do_not_depend_on_the_batch() -> None:
    alone, _ = word_hashes(["alpha beta"], seed=3)
    together, lens = word_hashes(["gamma", "alpha beta", ""], seed=3)
    assert lens.tolist() == [1, 2, 0]
    assert np.array_equal(alone, together[1:3])
    other_seed, _ = word_hashes(["alpha beta"], seed=4)
    assert not np.array_equal(alone, other_seed)


def test_an_empty_batch_has_no_shingles() -> None:
    sh = shingle_hashes([], ngram=5, seed=1)
    assert len(sh) == 0 and len(sh.hashes) == 0 and sh.offsets.tolist() == [0]


SPACES = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list(SPACES) + list("aBcÉßİΣ1!")), max_size=30), max_size=8
    )
)
def test_words_are_exactly_pythons_lower_split(texts: list[str]) -> None:
    hashes, lens = word_hashes(texts, seed=9)
    assert lens.tolist() == [len(t.lower().split()) for t in texts]
    joined, _ = word_hashes([" ".join(t.lower().split()) for t in texts], seed=9)
    assert np.array_equal(hashes, joined)


def test_a_lone_surrogate_hashes_like_a_replacement_character() -> None:
    lone, _ = word_hashes(["ab\udc00 cd"], seed=1)
    replaced, _ = word_hashes(["ab\ufffd cd"], seed=1)
    assert np.array_equal(lone, replaced)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list(SPACES) + list("aBcÉßİΣ1!ＡﬁK")), max_size=30),
        max_size=8,
    )
)
def test_normalised_words_are_the_split_of_the_normalised_text(texts: list[str]) -> None:
    import polars as pl

    norm = [normalise(t) for t in texts]
    hashes, lens = normalised_word_hashes(norm, seed=9)
    expected = [w for t in norm for w in t.split()]
    assert lens.tolist() == [len(t.split()) for t in norm]
    reference = pl.Series(expected, dtype=pl.String).hash(seed=9).to_numpy()
    assert np.array_equal(hashes, reference.astype(np.uint64))


def test_empty_normalised_texts_have_no_words_wherever_they_are() -> None:
    hashes, lens = normalised_word_hashes(["", "alpha beta", "", "", "gamma", ""], seed=2)
    assert lens.tolist() == [0, 2, 0, 0, 1, 0]
    alone, _ = normalised_word_hashes(["alpha beta gamma"], seed=2)
    assert np.array_equal(hashes, alone)
    nothing, none_lens = normalised_word_hashes(["", ""], seed=2)
    assert len(nothing) == 0 and none_lens.tolist() == [0, 0]
    empty = normalised_shingle_hashes([], ngram=5, seed=1)
    assert len(empty) == 0 and empty.offsets.tolist() == [0]


def test_normalised_shingles_equal_the_reference_definition_after_normalise() -> None:
    texts = [
        "The QUICK brown fox jumps over the lazy dog",
        "ＴＨＥ quick BROWN fox jumps over the lazy dog",  # fullwidth letters: NFKC
        "the quick brown fox jumps over the lazy dog",
        "two words",
        "",
        "Straße STRASSE strasse",  # case-folding: ß -> ss
    ]
    norm = [normalise(t) for t in texts]
    sh = normalised_shingle_hashes(norm, ngram=5, seed=7)
    for i, text in enumerate(norm):
        mine = sh.hashes[sh.offsets[i] : sh.offsets[i + 1]]
        assert len(mine) == len(reference_shingles(text, 5)), text
    first = sh.hashes[sh.offsets[0] : sh.offsets[1]]
    for i in (1, 2):
        assert np.array_equal(first, sh.hashes[sh.offsets[i] : sh.offsets[i + 1]])
    words, _ = normalised_word_hashes([norm[5]], seed=7)
    assert len(set(words.tolist())) == 1


def test_a_lone_surrogate_in_a_normalised_text_hashes_like_a_replacement_character() -> None:
    lone, _ = normalised_word_hashes(["ab\udc00 cd"], seed=1)
    replaced, _ = normalised_word_hashes(["ab\ufffd cd"], seed=1)
    assert np.array_equal(lone, replaced)
