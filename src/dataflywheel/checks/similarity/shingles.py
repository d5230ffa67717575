"""Word n-gram shingles of a batch of texts, hashed to 64 bits, vectorised.

Two word definitions: `shingle_hashes` lower-cases and splits on whitespace exactly like Python's
`text.lower().split()` (the `norm()` of the shared benchmark; contamination uses it), and
`normalised_shingle_hashes` takes texts already normalised by `checks.textnorm.normalise` (NFKC,
case-folded, whitespace collapsed; the near-duplicate check passes `batch.normalised()`, shared
with exact duplicates) and splits them on " ". A shingle is `n` consecutive words. A text of 1 to n-1 words is one shingle (all its words); a text with no
words has none. Each word is hashed once (polars, in Rust), then `n` consecutive word hashes are
combined in numpy (multiply-xor) and finalised with a multiply and a fold of the high half into the
low half, so both halves of a shingle hash depend on every word. Hashes are deterministic for a given seed and polars version (polars does not promise
the same hash across versions: compare hashes only within one run).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # polars is imported where it is used: it costs ~0.18 s per process
    import polars as pl

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_MUL = np.uint64(0x9E3779B97F4A7C15)
_U64_MAX = 0xFFFFFFFFFFFFFFFF
_FINAL = np.uint64(0xD6E8FEB86659FD93)
_SURROGATE = re.compile("[\ud800-\udfff]")
# Python's str.split() whitespace besides space, tab, CR and LF (which are replaced literally)
_ODD_SPACE = "[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


@dataclass(frozen=True, slots=True)
class Shingles:
    """Shingle hashes of a batch: `hashes[offsets[i]:offsets[i + 1]]` belong to text `i`."""

    hashes: U64
    offsets: I64

    @property
    def counts(self) -> I64:
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1


def splitmix64(x: U64) -> U64:
    """The splitmix64 finaliser: a bijection on uint64 that spreads every input bit."""
    with np.errstate(over="ignore"):
        z = x ^ (x >> np.uint64(30))
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
        return z


def finalise(acc: U64) -> U64:
    """Light final mix of combined word hashes, in place: multiply, then fold the high half into
    the low half, so that the slot (high bits) and the value (low bits) of a shingle both depend on
    every word."""
    with np.errstate(over="ignore"):
        acc *= _FINAL
        acc ^= acc >> np.uint64(32)
    return acc


def word_hashes(texts: Sequence[str], *, seed: int) -> tuple[U64, I64]:
    """Hash of every word of `text.lower().split()`, and the word count of each text."""
    return in_pieces(_series(texts), lambda part: _raw_word_hashes(part, seed=seed))


def _raw_word_hashes(series: pl.Series, *, seed: int) -> tuple[U64, I64]:
    import polars as pl

    lowered = series.str.to_lowercase()
    odd = lowered.str.contains(_ODD_SPACE)
    if odd.any():  # rare: whitespace other than space, tab, CR, LF becomes a space first
        rows = odd.arg_true()
        lowered = lowered.scatter(rows, lowered.gather(rows).str.replace_all(_ODD_SPACE, " "))
    for c in "\n\t\r":
        lowered = lowered.str.replace_all(c, " ", literal=True)
    seed &= _U64_MAX
    hashed = lowered.str.split(" ").list.eval(pl.element().hash(seed=seed))
    pieces = hashed.list.len().fill_null(0).to_numpy().astype(np.int64, copy=False)
    # explode in polars: converting through pyarrow's flatten imports pandas (~0.2 s per process)
    flat = hashed.explode(empty_as_null=False).to_numpy().astype(np.uint64, copy=False)
    # runs of spaces split into empty strings: drop them here, cheaper than a filter in polars
    blank = np.flatnonzero(flat == _empty_hash(seed))
    if len(blank) == 0:
        return flat, pieces
    owner = np.searchsorted(np.cumsum(pieces), blank, side="right")
    lens = pieces - np.bincount(owner, minlength=len(pieces))
    flat = np.delete(flat, blank)
    return flat, lens


PIECE_BYTES = 1 << 20  # text hashed per polars call: its word views cost 16 bytes per word


def in_pieces(
    series: pl.Series, hash_words: Callable[[pl.Series], tuple[U64, I64]]
) -> tuple[U64, I64]:
    """`hash_words(series)`, computed on consecutive rows of about PIECE_BYTES at a time, a
    longer text cut at spaces into pieces of about that size (a word never spans a cut, so
    the words and their order are the same). Why: polars makes a 16-byte view per word and a
    list of hashes before the flat array exists; over one 16 MB text that was ~100 MB at once."""
    import polars as pl

    sizes = series.str.len_bytes().fill_null(0).to_numpy()
    if int(sizes.sum()) <= PIECE_BYTES:
        return hash_words(series)
    # at most one word per two bytes (a word and a separator): only the pages written to
    # become resident, so this bound costs what the words cost, and no concatenation doubles it
    out = np.empty((int(sizes.sum()) + len(sizes)) // 2 + len(sizes), dtype=np.uint64)
    lens = np.zeros(len(sizes), dtype=np.int64)
    at = 0
    for lo, hi in _row_groups(sizes):
        parts = (
            (pl.Series([p], dtype=pl.String) for p in _cut(series[lo]))
            if hi - lo == 1 and sizes[lo] > PIECE_BYTES
            else iter([series.slice(lo, hi - lo)])
        )
        for part in parts:
            flat, per_row = hash_words(part)
            out[at : at + len(flat)] = flat
            at += len(flat)
            lens[lo:hi] += per_row if hi - lo > 1 else per_row.sum()
    return out[:at], lens


def _row_groups(sizes: npt.NDArray[Any]) -> list[tuple[int, int]]:
    """Consecutive row ranges of at most PIECE_BYTES each, or a single longer row."""
    out: list[tuple[int, int]] = []
    lo, total = 0, 0
    for i, n in enumerate(sizes.tolist()):
        if i > lo and total + n > PIECE_BYTES:
            out.append((lo, i))
            lo, total = i, 0
        total += n
    out.append((lo, len(sizes)))
    return out


def _cut(text: str) -> Iterator[str]:
    """`text` in pieces of about PIECE_BYTES // 4 characters or more, cut at a space (dropped)."""
    step = PIECE_BYTES // 4
    start = 0
    while start < len(text):
        space = text.find(" ", start + step)
        end = len(text) if space < 0 else space
        yield text[start:end]
        start = end + 1


def normalised_word_hashes(texts: Sequence[str] | pl.Series, *, seed: int) -> tuple[U64, I64]:
    """Hash of every word of `text.split(" ")` for texts already normalised by
    `checks.textnorm.normalise` (whitespace collapsed to single spaces, stripped), and the word
    count of each text; an empty text has no words. Cheaper than `word_hashes`: no case mapping,
    no whitespace cleanup, no empty pieces to drop but the one of each empty text. `texts` may be
    a polars String Series already (`RecordBatch.normalised_column()`, shared between checks).

    The split into words is most of the cost (polars makes a string view per word); hashing
    the exploded words or hashing inside the lists cost the same, measured."""
    import polars as pl

    series = texts if isinstance(texts, pl.Series) else _series(texts)
    return in_pieces(series, lambda part: _normalised_word_hashes(part, seed=seed))


def _normalised_word_hashes(series: pl.Series, *, seed: int) -> tuple[U64, I64]:
    import polars as pl

    hashed = series.str.split(" ").list.eval(pl.element().hash(seed=seed & _U64_MAX))
    lens = hashed.list.len().fill_null(0).to_numpy().astype(np.int64, copy=True)
    flat = hashed.explode(empty_as_null=False).to_numpy().astype(np.uint64, copy=False)
    empty = np.flatnonzero(series.str.len_bytes().to_numpy() == 0)
    if len(empty) == 0:
        return flat, lens
    flat = np.delete(flat, np.cumsum(lens)[empty] - 1)  # "" splits into one empty piece
    lens[empty] = 0
    return flat, lens


def normalised_shingle_hashes(
    texts: Sequence[str] | pl.Series, *, ngram: int, seed: int
) -> Shingles:
    """`shingle_hashes` of texts already normalised by `checks.textnorm.normalise` (NFKC,
    case-folded, whitespace collapsed): the words are `text.split(" ")`."""
    words, lens = normalised_word_hashes(texts, seed=seed)
    return combine(words, lens, ngram=ngram)


def _series(texts: Sequence[str]) -> pl.Series:
    """The texts as a polars column; a lone surrogate (only a lenient decoder lets one through)
    cannot be UTF-8, so it becomes U+FFFD for hashing."""
    import polars as pl

    try:
        return pl.Series("t", texts, dtype=pl.String)
    except UnicodeEncodeError:
        clean = [_SURROGATE.sub("\ufffd", t) for t in texts]
        return pl.Series("t", clean, dtype=pl.String)


def _empty_hash(seed: int) -> np.uint64:
    """polars' hash of the empty string under `seed`."""
    import polars as pl

    return np.uint64(pl.Series([""], dtype=pl.String).hash(seed=seed)[0])


def shingle_hashes(texts: Sequence[str], *, ngram: int, seed: int) -> Shingles:
    """Hashes of the word `ngram`-grams of each text (see the module docstring for short texts)."""
    words, lens = word_hashes(texts, seed=seed)
    return combine(words, lens, ngram=ngram)


def combine(words: U64, lens: I64, *, ngram: int) -> Shingles:
    """Combine consecutive word hashes into shingle hashes; windows never cross a text boundary."""
    if ngram < 1:
        raise ValueError("ngram must be at least 1")
    n_words = len(words)
    ends = np.cumsum(lens)
    starts = ends - lens
    # window hash at every position p of (words[p], ..., words[p + ngram - 1]), then keep the
    # windows that start inside a text of >= ngram words and end inside the same text
    width = max(n_words - ngram + 1, 0)
    keep = np.ones(width, dtype=bool)
    long_ends = ends[lens >= ngram]
    for back in range(1, ngram):
        last = long_ends - ngram + back
        keep[last[last < width]] = False
    keep &= ~np.repeat(lens < ngram, lens)[:width]
    short = np.flatnonzero((lens > 0) & (lens < ngram))
    per_text = np.where(lens >= ngram, lens - ngram + 1, np.minimum(lens, 1))
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(per_text, out=offsets[1:])
    kept = _windows(words, keep, ngram)
    if len(short) == 0:  # every text has >= ngram words (or none): nothing to scatter
        return Shingles(hashes=finalise(kept), offsets=offsets)
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    long_rows = np.repeat(lens >= ngram, per_text)
    out[long_rows] = kept
    out[~long_rows] = _short_hashes(words, starts[short], lens[short])
    return Shingles(hashes=finalise(out), offsets=offsets)


_WINDOW_SLICE = 1 << 18  # window hashes computed at once (see `_windows`)


def _windows(words: U64, keep: npt.NDArray[np.bool_], ngram: int) -> U64:
    """The hash of every window `p` with `keep[p]`, (words[p], ..., words[p + ngram - 1]),
    computed _WINDOW_SLICE windows at a time straight into the result: a whole-batch
    accumulator and its kept copy were two more arrays of 8 bytes per word (~45 MB over one
    text of 2.7 M words)."""
    out = np.empty(int(np.count_nonzero(keep)), dtype=np.uint64)
    at = 0
    with np.errstate(over="ignore"):
        for lo in range(0, len(keep), _WINDOW_SLICE):
            hi = min(lo + _WINDOW_SLICE, len(keep))
            acc = words[lo:hi].copy()
            for k in range(1, ngram):
                acc *= _MUL
                acc ^= words[lo + k : hi + k]
            got = acc[keep[lo:hi]]
            out[at : at + len(got)] = got
            at += len(got)
    return out


def _short_hashes(words: U64, starts: I64, lens: I64) -> U64:
    """One hash per text of 1..ngram-1 words: all its words combined like a shingle."""
    acc = words[starts].copy()
    with np.errstate(over="ignore"):
        for k in range(1, int(lens.max(initial=0))):
            more = lens > k
            acc[more] = (acc[more] * _MUL) ^ words[starts[more] + k]
    return acc
