"""What a check's metric means: its kind (rate, coefficient, count), which way is better, and
whether a contract may gate it. Each check declares these next to its code (`Check.described`);
the registry (`checks/registry.py`) collects them, so contracts, plans and the delivery path
learn a new check's metrics from the check itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MetricKind(StrEnum):
    RATE = "rate"
    COEFFICIENT = "coefficient"
    COUNT = "count"


# The values a threshold on a metric of each kind may take, and how a message names the span.
RANGES: dict[MetricKind, tuple[float, float, str]] = {
    MetricKind.RATE: (0.0, 1.0, "0 % to 100 %"),
    MetricKind.COEFFICIENT: (-1.0, 1.0, "-1 to 1"),
    MetricKind.COUNT: (0.0, float("inf"), "0 or more"),
}


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """One metric a check produces, as contracts and deliveries see it.

    `per_field`: the check produces it once per schema field, as `name.FIELD`
    (`field_null_rate.content`); a contract gates `name.FIELD`, never `name` alone.
    `gate`: a contract threshold may name it (rates are fractions, 0.01 means 1 %).
    `headline`: a delivered batch keeps it in its quality summary.
    """

    name: str
    kind: MetricKind
    higher_is_better: bool
    per_field: bool = False
    gate: bool = True
    headline: bool = False


def gated_rate(name: str, *, higher_is_better: bool = False, headline: bool = True) -> MetricInfo:
    """A gated rate in [0, 1], lower is better unless said otherwise; kept in the headline."""
    return MetricInfo(name, MetricKind.RATE, higher_is_better, headline=headline)


def headline_count(name: str) -> MetricInfo:
    """A count kept in a delivery's headline but not gated (its rate twin is)."""
    return MetricInfo(name, MetricKind.COUNT, higher_is_better=False, gate=False, headline=True)
