"""Text length in characters and in words (whitespace-separated tokens of the normalised text).

The partial keeps an exact count per distinct length, so percentiles are exact (nearest rank) and
merging is addition. Metrics: `chars_min`, `chars_p50`, `chars_p90`, `chars_p99`, `chars_max`,
`chars_mean`, and the same for `words_`. Section `histogram`: counts per power-of-two bucket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch
from dataflywheel.checks.textpack import COLUMN_MODULES

PERCENTILES = (50, 90, 99)


@dataclass(slots=True)
class LengthPartial(Partial):
    chars: dict[int, int] = field(default_factory=dict)
    words: dict[int, int] = field(default_factory=dict)

    def __add__(self, other: Self) -> Self:
        for mine, theirs in ((self.chars, other.chars), (self.words, other.words)):
            for k, n in theirs.items():
                mine[k] = mine.get(k, 0) + n
        return self


def tally(values: Any) -> dict[int, int]:
    """value -> how many times it occurs, for an integer numpy array."""
    keys, counts = np.unique(values, return_counts=True)
    return dict(zip(keys.tolist(), counts.tolist(), strict=True))


def summary(counts: dict[int, int], prefix: str) -> dict[str, float]:
    """min, nearest-rank percentiles, max and mean of a length -> count table (zeros when empty)."""
    total = sum(counts.values())
    names = [
        f"{prefix}_min",
        *(f"{prefix}_p{p}" for p in PERCENTILES),
        f"{prefix}_max",
        f"{prefix}_mean",
    ]
    if not total:
        return dict.fromkeys(names, 0.0)
    keys = sorted(counts)
    out = {f"{prefix}_min": float(keys[0]), f"{prefix}_max": float(keys[-1])}
    targets = [(p, math.ceil(p / 100 * total)) for p in PERCENTILES]
    seen = 0
    for k in keys:
        seen += counts[k]
        while targets and seen >= targets[0][1]:
            out[f"{prefix}_p{targets.pop(0)[0]}"] = float(k)
    out[f"{prefix}_mean"] = round(sum(k * n for k, n in counts.items()) / total, 6)
    return {name: out[name] for name in names}


def histogram(counts: dict[int, int]) -> list[dict[str, int]]:
    """Power-of-two buckets [0,1), [1,2), [2,4), ... with their record counts (non-empty only)."""
    buckets: dict[int, int] = {}
    for k, n in counts.items():
        b = 0 if k == 0 else k.bit_length()
        buckets[b] = buckets.get(b, 0) + n
    return [
        {"from": 0 if b == 0 else 1 << (b - 1), "to": 1 << b, "count": buckets[b]}
        for b in sorted(buckets)
    ]


class LengthCheck(Check):
    """Characters and words per record: exact percentiles and a histogram."""

    name = "length"
    on_by_default = True
    modules = COLUMN_MODULES  # its columns are polars Series
    metrics = tuple(
        f"{prefix}_{stat}"
        for prefix in ("chars", "words")
        for stat in ("min", *(f"p{p}" for p in PERCENTILES), "max", "mean")
    )

    def partial(self, batch: RecordBatch) -> LengthPartial:
        if not len(batch):
            return LengthPartial()
        # Vectorised over the shared columns (a lone surrogate is one U+FFFD there: same count
        # of characters, no space added or removed). Spaces are counted on the bytes: polars'
        # `count_matches(" ")` pays per match, and a fifth of the bytes are spaces.
        chars = batch.text_column().str.len_chars().to_numpy()
        norm = batch.normalised_column()
        spaces = batch.normalised_bytes().count_per_row(0x20)
        words = np.where(norm.str.len_bytes().to_numpy() > 0, spaces + 1, 0)
        return LengthPartial(chars=tally(chars), words=tally(words))

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, LengthPartial)
        return CheckResult(
            check=self.name,
            metrics={**summary(partial.chars, "chars"), **summary(partial.words, "words")},
            sections={
                "histogram": {"chars": histogram(partial.chars), "words": histogram(partial.words)}
            },
        )


CHECKS: list[type[Check]] = [LengthCheck]
