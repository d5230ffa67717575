"""Inter-annotator agreement: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha (nominal, ordinal,
interval, ratio) over a ratings table, with missing ratings allowed.

Input is a `Ratings` table: one row per (item, annotator) with a label. Every function returns
`math.nan` when the statistic is undefined (too few paired ratings, or no variation at all), never
raises on well-formed input. Formulas:
- Cohen (1960): kappa = (p_o - p_e) / (1 - p_e) on the items both annotators rated.
- Fleiss (1971), generalised to a varying number of ratings per item (items with >= 2 ratings).
- Krippendorff (2011, "Computing Krippendorff's Alpha-Reliability"): alpha = 1 - D_o / D_e from
  the coincidence matrix of pairable values (units with >= 2 ratings).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Level = Literal["nominal", "ordinal", "interval", "ratio"]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Ratings:
    """Ratings coded as integers: `items[r]`, `annotators[r]`, `labels[r]` index the name tuples.

    `label_values` are the labels themselves, sorted (numbers numerically, else by text), so that
    label code order is value order for ordinal and interval data.
    """

    items: I64
    annotators: I64
    labels: I64
    item_names: tuple[str, ...]
    annotator_names: tuple[str, ...]
    label_values: tuple[Hashable, ...]

    @classmethod
    def build(cls, rows: Sequence[tuple[str, str, Hashable]]) -> Ratings:
        """From (item, annotator, label) rows; one rating per (item, annotator) is the caller's duty."""
        item_names = tuple(sorted({r[0] for r in rows}))
        annotator_names = tuple(sorted({r[1] for r in rows}))
        label_values = tuple(sorted({r[2] for r in rows}, key=_label_order))
        code_i = {v: i for i, v in enumerate(item_names)}
        code_a = {v: i for i, v in enumerate(annotator_names)}
        code_l = {v: i for i, v in enumerate(label_values)}
        return cls(
            items=np.array([code_i[r[0]] for r in rows], dtype=np.int64),
            annotators=np.array([code_a[r[1]] for r in rows], dtype=np.int64),
            labels=np.array([code_l[r[2]] for r in rows], dtype=np.int64),
            item_names=item_names,
            annotator_names=annotator_names,
            label_values=label_values,
        )

    def counts(self) -> I64:
        """items x labels matrix of how many annotators gave each label to each item."""
        out = np.zeros((len(self.item_names), len(self.label_values)), dtype=np.int64)
        np.add.at(out, (self.items, self.labels), 1)
        return out

    def without(self, annotator: int) -> Ratings:
        keep = self.annotators != annotator
        return Ratings(
            self.items[keep],
            self.annotators[keep],
            self.labels[keep],
            self.item_names,
            self.annotator_names,
            self.label_values,
        )

    def matrix(self) -> I64:
        """annotators x items matrix of label codes, -1 where missing."""
        out = np.full((len(self.annotator_names), len(self.item_names)), -1, dtype=np.int64)
        out[self.annotators, self.items] = self.labels
        return out


def _label_order(value: Hashable) -> tuple[int, float, str]:
    if isinstance(value, bool):
        return (1, 0.0, str(value))
    if isinstance(value, int | float):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def cohen_kappa(a: I64, b: I64) -> float:
    """Cohen's kappa of two label-code sequences (same items, no missing values)."""
    n = len(a)
    if n == 0:
        return math.nan
    k = int(max(a.max(), b.max())) + 1
    table = np.zeros((k, k), dtype=np.float64)
    np.add.at(table, (a, b), 1.0)
    table /= n
    p_o = float(np.trace(table))
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    return math.nan if p_e >= 1.0 else (p_o - p_e) / (1.0 - p_e)


def pair_kappa(ratings: Ratings, first: int, second: int) -> float:
    """Cohen's kappa of two annotators on the items both rated."""
    m = ratings.matrix()
    both = (m[first] >= 0) & (m[second] >= 0)
    return cohen_kappa(m[first][both], m[second][both])


def fleiss_kappa(counts: I64) -> float:
    """Fleiss' kappa from an items x categories count matrix (items with < 2 ratings ignored)."""
    n_i = counts.sum(axis=1)
    used = counts[n_i >= 2].astype(np.float64)
    n_u = n_i[n_i >= 2].astype(np.float64)
    if len(used) == 0:
        return math.nan
    p_i = ((used * (used - 1)).sum(axis=1)) / (n_u * (n_u - 1))
    p_bar = float(p_i.mean())
    p_j = used.sum(axis=0) / n_u.sum()
    p_e = float((p_j**2).sum())
    return math.nan if p_e >= 1.0 else (p_bar - p_e) / (1.0 - p_e)


def coincidences(counts: I64) -> F64:
    """Krippendorff's coincidence matrix o_ck from an items x values count matrix."""
    m_u = counts.sum(axis=1)
    pairable = m_u >= 2
    c = counts[pairable].astype(np.float64)
    w = 1.0 / (m_u[pairable] - 1.0)
    o: F64 = (c * w[:, None]).T @ c
    o -= np.diag((c * w[:, None]).sum(axis=0))
    return o


def distance(level: Level, values: Sequence[Hashable], n_c: F64) -> F64:
    """Squared difference function delta^2(c, k) for the level of measurement."""
    k = len(values)
    out: F64
    if level == "nominal":
        out = 1.0 - np.eye(k)
    elif level == "interval":
        x = np.array([float(v) for v in values])  # type: ignore[arg-type]
        out = (x[:, None] - x[None, :]) ** 2
    elif level == "ratio":  # ((c - k) / (c + k))^2; 0 where both are 0
        x = np.array([float(v) for v in values])  # type: ignore[arg-type]
        total = x[:, None] + x[None, :]
        safe = np.where(total == 0.0, 1.0, total)
        out = np.where(total == 0.0, 0.0, ((x[:, None] - x[None, :]) / safe) ** 2)
    else:
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        between = cum[hi + 1] - cum[lo]
        out = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
    return out


def krippendorff_alpha(counts: I64, values: Sequence[Hashable], level: Level = "nominal") -> float:
    """Krippendorff's alpha from an items x values count matrix (values sorted for ordinal/interval)."""
    o = coincidences(counts)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    if n <= 1.0:
        return math.nan
    delta = distance(level, values, n_c)
    d_o = float((o * delta).sum()) / n
    d_e = float((np.outer(n_c, n_c) * delta).sum()) / (n * (n - 1.0))
    return math.nan if d_e == 0.0 else 1.0 - d_o / d_e


def percent_agreement(counts: I64) -> float:
    """Share of agreeing pairs among all pairs of ratings of the same item."""
    n_i = counts.sum(axis=1)
    pairs = float((n_i * (n_i - 1)).sum())
    return math.nan if pairs == 0 else float((counts * (counts - 1)).sum()) / pairs


@dataclass(frozen=True, slots=True)
class AnnotatorAgreement:
    """One annotator against the others."""

    annotator: str
    ratings: int
    with_majority: (
        float  # share of its pairable items where it gave a most frequent label of the others
    )
    mean_pair_kappa: float  # mean Cohen's kappa with each other annotator over shared items
    alpha_without: (
        float  # Krippendorff's alpha of everyone else (higher than overall: it lowers agreement)
    )


def per_annotator(ratings: Ratings, level: Level = "nominal") -> list[AnnotatorAgreement]:
    """The per-annotator table, in annotator name order."""
    m = ratings.matrix()
    counts = ratings.counts()
    out = []
    for a, name in enumerate(ratings.annotator_names):
        mine = m[a]
        rated = mine >= 0
        others = counts[rated].copy()
        others[np.arange(int(rated.sum())), mine[rated]] -= 1
        pairable = others.sum(axis=1) > 0
        top = others.max(axis=1)
        agree = others[np.arange(len(others)), mine[rated]] == top
        with_majority = float(agree[pairable].mean()) if pairable.any() else math.nan
        kappas = [pair_kappa(ratings, a, b) for b in range(len(ratings.annotator_names)) if b != a]
        finite = [k for k in kappas if not math.isnan(k)]
        rest = ratings.without(a)
        out.append(
            AnnotatorAgreement(
                annotator=name,
                ratings=int(rated.sum()),
                with_majority=with_majority,
                mean_pair_kappa=float(np.mean(finite)) if finite else math.nan,
                alpha_without=krippendorff_alpha(rest.counts(), ratings.label_values, level),
            )
        )
    return out
