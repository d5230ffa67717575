"""From samples to a figure: the value, its distribution, a breakdown, and example records.

Why every figure carries its distribution and examples (Table 24-16): an overall pass rate can be
high while one vendor stays below it, and a falling duplication rate means little until someone
reads the records behind it. A metric's computation only turns records into `Sample`s; this module
makes every figure the same way, so the CLI, the API and the reports show the same numbers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

from dataflywheel.metrics.definitions import MetricDefinition, Unit

EXAMPLES = 3


@dataclass(frozen=True)
class Sample:
    """One record's contribution: its value (a duration, a 0/1 outcome, a rate or a count), the
    record it comes from, and the groups it belongs to (project, vendor, …)."""

    record: str
    value: float
    groups: Mapping[str, str | tuple[str, ...] | Mapping[str, float]] = field(
        default_factory=dict)
    """A record in several groups of one kind (a batch made by three annotators) names them all:
    it counts in each of their groups, never twice in the figure. A record whose value differs by
    group (a run's error reduction per question type) maps each group to its value there."""


class Distribution(BaseModel):
    """Quantiles of the samples (nearest-rank on the sorted values, so each is a real sample)."""

    min: float
    p25: float
    median: float
    p75: float
    p90: float
    max: float


class GroupFigure(BaseModel):
    group: str
    value: float
    samples: int


class Figure(BaseModel):
    """One metric over one window: its value (None when nothing was measured — never 0), the
    samples it rests on, their distribution, the breakdown asked for, and example records."""

    metric: str
    name: str
    layer: str
    unit: str
    definition_version: int
    value: float | None
    samples: int
    distribution: Distribution | None = None
    by: str | None = None
    breakdown: list[GroupFigure] = Field(default_factory=list)
    examples: dict[str, list[str]] = Field(default_factory=dict)


def figure(definition: MetricDefinition, samples: Sequence[Sample], *, by: str | None = None,
           total: bool = False) -> Figure:
    """The figure of `samples`: their mean, or (`total`, for counts) their sum; the breakdown by
    the group `by` when the definition supports it."""
    values = [s.value for s in samples]
    combine = _sum if total else _mean
    breakdown: list[GroupFigure] = []
    if by is not None and by in definition.breakdowns:
        groups: dict[str, list[float]] = {}
        for sample in samples:
            for group, value in _members(sample.groups.get(by), sample.value):
                groups.setdefault(group, []).append(value)
        breakdown = [GroupFigure(group=g, value=_round(combine(v)), samples=len(v))
                     for g, v in sorted(groups.items())]
    return Figure(metric=definition.id, name=definition.name, layer=definition.layer.value,
                  unit=definition.unit.value, definition_version=definition.version,
                  value=_round(combine(values)) if values else None, samples=len(values),
                  distribution=distribution(values) if values and not total else None,
                  by=by if breakdown else None, breakdown=breakdown,
                  examples=examples(samples, definition.unit) if samples and not total else {})


def _members(group: str | tuple[str, ...] | Mapping[str, float] | None,
             value: float) -> list[tuple[str, float]]:
    """The (group, value) pairs a sample contributes to a breakdown."""
    if isinstance(group, Mapping):
        return sorted(group.items()) or [("(none)", value)]
    if isinstance(group, tuple):
        return [(g, value) for g in group] or [("(none)", value)]
    return [(group or "(none)", value)]


def distribution(values: Iterable[float]) -> Distribution:
    ordered = sorted(values)
    return Distribution(min=_round(ordered[0]), p25=_round(_rank(ordered, 0.25)),
                        median=_round(_rank(ordered, 0.5)), p75=_round(_rank(ordered, 0.75)),
                        p90=_round(_rank(ordered, 0.9)), max=_round(ordered[-1]))


def examples(samples: Sequence[Sample], unit: Unit) -> dict[str, list[str]]:
    """The records at both ends (ties broken by record id), so a figure can be read with them."""
    ordered = sorted(samples, key=lambda s: (s.value, s.record))
    low = [s.record for s in ordered[:EXAMPLES]]
    high = [s.record for s in reversed(ordered[-EXAMPLES:])]
    if unit is Unit.RATIO and all(s.value in (0.0, 1.0) for s in samples):
        return {"failing": [s.record for s in ordered if s.value == 0.0][:EXAMPLES]}
    return {"lowest": low, "highest": high}


def _rank(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank quantile: the smallest value with at least `q` of the samples at or below."""
    import math

    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values)


def _sum(values: Sequence[float]) -> float:
    return float(sum(values))


def _round(value: float) -> float:
    return round(value, 4)


class MetricsAnswer(BaseModel):
    """The figures of one window, with the window they cover."""

    since: datetime
    until: datetime
    project: str | None
    layer: str | None
    by: str | None
    figures: list[Figure]
