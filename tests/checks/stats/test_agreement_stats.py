"""Agreement statistics against published worked examples, and against the `krippendorff` package."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from dataflywheel.checks.stats.agreement import (
    Ratings,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    per_annotator,
    percent_agreement,
)

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C-F: 4 observers,
# 12 units, missing values (None). Published: nominal 0.743, ordinal 0.815, interval 0.849.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Fleiss' kappa worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters, 5 categories;
# published P-bar 0.378, P-bar-e 0.213, kappa 0.210.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def ratings_of(matrix: list[list[object]]) -> Ratings:
    return Ratings.build(
        [
            (f"u{u:02d}", f"obs{o}", v)
            for o, row in enumerate(matrix)
            for u, v in enumerate(row)
            if v is not None
        ]
    )


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_2011_worked_example(level: str, published: float) -> None:
    r = ratings_of(K2011)
    assert round(krippendorff_alpha(r.counts(), r.label_values, level), 3) == published  # type: ignore[arg-type]


def test_krippendorff_nominal_exact_value() -> None:
    # the paper's nominal example: alpha = 1 - (n-1) * sum(o_ck, c != k) / sum(n_c n_k, c != k) = 0.743
    r = ratings_of(K2011)
    assert krippendorff_alpha(r.counts(), r.label_values, "nominal") == pytest.approx(
        1 - 39 * 4 / 608.0
    )


def test_fleiss_1971_worked_example() -> None:
    assert round(fleiss_kappa(np.array(FLEISS)), 3) == 0.210


def test_cohen_textbook_examples() -> None:
    # Wikipedia "Cohen's kappa": 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> 0.40
    a = np.array([0] * 25 + [1] * 25)
    b = np.array([0] * 20 + [1] * 5 + [0] * 10 + [1] * 15)
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    # second example there: 45/15/25/15 -> p_o 0.60, p_e 0.54, kappa 0.1304
    a = np.array([0] * 60 + [1] * 40)
    b = np.array([0] * 45 + [1] * 15 + [0] * 25 + [1] * 15)
    assert round(cohen_kappa(a, b), 4) == 0.1304


def test_fleiss_with_two_raters_equals_scotts_pi_and_alpha_converges() -> None:
    rng = random.Random(1)
    rows = []
    for item in range(400):
        truth = rng.randrange(3)
        for who in ("a", "b"):
            rows.append((str(item), who, truth if rng.random() < 0.7 else rng.randrange(3)))
    r = Ratings.build(rows)
    # two coders, no gaps: Fleiss is Scott's pi and alpha = 1 - (2N-1)/(2N) * (1 - pi)
    assert krippendorff_alpha(r.counts(), r.label_values) == pytest.approx(
        fleiss_kappa(r.counts()), abs=0.01
    )


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
@pytest.mark.parametrize("seed", range(4))
def test_alpha_matches_the_krippendorff_package_on_random_data_with_gaps(
    level: str, seed: int
) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(seed)
    coders, units = int(rng.integers(2, 7)), int(rng.integers(5, 60))
    truth = rng.integers(1, 6, size=units)
    data = np.where(
        rng.random((coders, units)) < 0.7, truth, rng.integers(1, 6, size=(coders, units))
    ).astype(float)
    data[rng.random((coders, units)) < 0.2] = np.nan
    matrix = [[None if np.isnan(v) else int(v) for v in row] for row in data]
    r = ratings_of(matrix)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(r.counts(), r.label_values, level) == pytest.approx(
        expected, abs=1e-9
    )  # type: ignore[arg-type]


def test_undefined_statistics_are_nan() -> None:
    assert math.isnan(cohen_kappa(np.array([1, 1]), np.array([1, 1])))  # no variation
    assert math.isnan(cohen_kappa(np.array([], dtype=np.int64), np.array([], dtype=np.int64)))
    one_each = Ratings.build([("i1", "a", "x"), ("i2", "b", "y")])  # nothing pairable
    assert math.isnan(krippendorff_alpha(one_each.counts(), one_each.label_values))
    assert math.isnan(fleiss_kappa(one_each.counts()))
    assert math.isnan(percent_agreement(one_each.counts()))
    same = Ratings.build([("i1", "a", "x"), ("i1", "b", "x")])
    assert math.isnan(krippendorff_alpha(same.counts(), same.label_values))


def test_per_annotator_points_at_the_outlier() -> None:
    rng = random.Random(4)
    rows = []
    for item in range(200):
        truth = rng.choice("pn")
        for who in ("ann", "bob", "cat"):
            rows.append(
                (str(item), who, truth if rng.random() < 0.95 else ("n" if truth == "p" else "p"))
            )
        rows.append((str(item), "zed", rng.choice("pn")))  # guesses
    r = Ratings.build(rows)
    overall = krippendorff_alpha(r.counts(), r.label_values)
    table = {a.annotator: a for a in per_annotator(r)}
    assert (
        table["zed"].with_majority
        < 0.65
        < min(table[w].with_majority for w in ("ann", "bob", "cat"))
    )
    assert table["zed"].alpha_without > overall > table["ann"].alpha_without
    assert table["zed"].mean_pair_kappa < 0.2 < table["ann"].mean_pair_kappa
    assert table["ann"].ratings == 200


def test_labels_sort_numerically_for_ordinal_data() -> None:
    r = Ratings.build([("i", "a", 10), ("i", "b", 9), ("j", "a", 2), ("j", "b", 2)])
    assert r.label_values == (2, 9, 10)


def test_krippendorff_2011_ratio_level() -> None:
    # Krippendorff (2011), section F, the same data at the ratio level: published alpha 0.797.
    r = ratings_of(K2011)
    assert round(krippendorff_alpha(r.counts(), r.label_values, "ratio"), 3) == 0.797


def test_the_ratio_distance_is_zero_between_two_zeros() -> None:
    from dataflywheel.checks.stats.agreement import distance

    d = distance("ratio", [0, 1, 3], np.array([1.0, 1.0, 1.0]))
    assert d[0, 0] == 0.0 and d[0, 1] == 1.0 and d[1, 2] == 0.25  # ((1 - 3) / (1 + 3))^2
