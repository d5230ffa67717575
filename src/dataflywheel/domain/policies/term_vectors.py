"""Term vectors for feedback themes: payload words, `1 + log tf` × IDF, cosine-compared.

Why not MinHash (checks.similarity): MinHash estimates Jaccard similarity of word n-gram sets and
is built to find near-identical texts; two reports of the same recurring problem share topic words
("percent", "discount") but few exact n-grams. A sparse term vector with stop words removed keeps
the topic, fits in a theme's stored signature as its centroid, and needs no corpus-wide state, so a
theme formed last month still compares fairly with an event ingested today. Centroids are kept
unweighted; the IDF of the events stored now is applied when comparing, so words every report
shares ("answer", "wrong") stop pulling unrelated problems together as the corpus grows.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping

WORD = re.compile(r"[a-z][a-z0-9_']+|%")
CENTROID_TERMS = 200
STOP_WORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves", "also", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "many", "much", "per", "each", "every", "get", "gets", "got", "make",
    "makes", "made", "s", "t", "don't", "doesn't", "didn't", "it's",
])

Vector = dict[str, float]


def terms(text: str) -> Counter[str]:
    """Lower-cased words without stop words; a plural 's' is dropped (not of -ss, -us, -is)."""
    words = (w.rstrip("'") for w in WORD.findall(text.lower()))
    out: Counter[str] = Counter()
    for word in words:
        if len(word) < 2 and word != "%" or word in STOP_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        out[word] += 1
    return out


def vector(text: str) -> Vector:
    """The unit-length `1 + log tf` vector of `text` (empty for a text without content words)."""
    counts = terms(text)
    weights = {t: 1.0 + math.log(n) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {t: w / norm for t, w in weights.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two sparse vectors (0.0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def add_to_centroid(centroid: Mapping[str, float], vec: Mapping[str, float]) -> Vector:
    """Sum of member vectors, trimmed to the `CENTROID_TERMS` heaviest terms (ties by term)."""
    merged = dict(centroid)
    for t, w in vec.items():
        merged[t] = merged.get(t, 0.0) + w
    top = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS]
    return {t: round(w, 6) for t, w in top}


def top_terms(centroid: Mapping[str, float], n: int = 4) -> list[str]:
    return [t for t, _ in sorted(centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def idf_table(documents: Iterable[Iterable[str]]) -> Vector:
    """Smoothed IDF `ln((1 + N) / (1 + df)) + 1` of every term over `documents` (as scikit-learn)."""
    df: Counter[str] = Counter()
    n = 0
    for doc in documents:
        n += 1
        df.update(set(doc))
    return {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}


def weighted(vec: Mapping[str, float], idf: Mapping[str, float], rare: float | None = None) -> Vector:
    """`vec` with each term scaled by its IDF (a term never seen counts as the rarest)."""
    if rare is None:
        rare = max(idf.values(), default=1.0) or 1.0
    return {t: w * idf.get(t, rare) for t, w in vec.items()}


class CentroidIndex:
    """IDF-weighted centroids of one clustering run, with an inverted index per key.

    A query only scores the centroids that share a term with it, so placing N events among T
    themes costs about N × (themes sharing a word), not N × T × vocabulary.
    """

    def __init__(self, idf: Mapping[str, float]) -> None:
        self.idf = idf
        self.rare = max(idf.values(), default=1.0) or 1.0
        self._vectors: dict[str, Vector] = {}
        self._norms: dict[str, float] = {}
        self._postings: dict[tuple[str, str], set[str]] = {}
        self._key_of: dict[str, str] = {}

    def put(self, theme_id: str, key: str, centroid: Mapping[str, float]) -> None:
        """Add or replace the centroid of `theme_id` under `key` (any hashable text)."""
        old = self._vectors.get(theme_id, {})
        for term in old:
            self._postings.get((self._key_of[theme_id], term), set()).discard(theme_id)
        vec = weighted(centroid, self.idf, self.rare)
        self._vectors[theme_id] = vec
        self._norms[theme_id] = math.sqrt(sum(w * w for w in vec.values()))
        self._key_of[theme_id] = key
        for term in vec:
            self._postings.setdefault((key, term), set()).add(theme_id)

    def nearest(self, key: str, vec: Mapping[str, float]) -> tuple[str | None, float]:
        """The most similar centroid under `key` and its cosine (ties go to the smaller id)."""
        query = weighted(vec, self.idf, self.rare)
        qnorm = math.sqrt(sum(w * w for w in query.values()))
        if not qnorm:
            return None, 0.0
        dots: dict[str, float] = {}
        for term, w in query.items():
            for theme_id in self._postings.get((key, term), ()):
                dots[theme_id] = dots.get(theme_id, 0.0) + w * self._vectors[theme_id][term]
        best: tuple[str | None, float] = (None, 0.0)
        for theme_id in sorted(dots):
            norm = self._norms[theme_id]
            sim = dots[theme_id] / (qnorm * norm) if norm else 0.0
            if sim > best[1]:
                best = (theme_id, sim)
        return best
