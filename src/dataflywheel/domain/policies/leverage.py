"""Leverage score of a feedback theme: what fixing it is worth against what it costs.

    leverage = (w_impact·impact + w_reusability·reusability + w_risk·risk) / (1 + w_cost·cost)

Each factor is on a 0–5 scale and derived from the theme's events (see `factors`); the weights and
the per-type risk and cost tables are configurable (`LeverageWeights`, YAML). Guarantees: the score
is a pure function of the factors and the weights; it is never negative; the formula shown to users
is `FORMULA`, filled with the numbers by `explain`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackType, ImpactScope, Theme
from dataflywheel.errors import BadInput

FORMULA = ("leverage = (w_impact·impact + w_reusability·reusability + w_risk·risk) "
           "/ (1 + w_cost·cost)")
SCOPE_LEVEL = {ImpactScope.SAMPLE: 1.0, ImpactScope.TASK_FAMILY: 2.0, ImpactScope.PROJECT: 3.0,
               ImpactScope.SYSTEM: 4.0}
DEFAULT_RISK = {FeedbackType.PRIVACY_TRIGGER: 5.0, FeedbackType.REGRESSION: 4.0,
                FeedbackType.TOOL_CALL_FAILURE: 3.0, FeedbackType.MODEL_GAP: 2.0,
                FeedbackType.RETRIEVAL_GAP: 2.0, FeedbackType.DATA_GAP: 2.0,
                FeedbackType.PROCESS_GAP: 1.0, FeedbackType.OTHER: 1.0}
DEFAULT_COST = {FeedbackType.PRIVACY_TRIGGER: 2.0, FeedbackType.REGRESSION: 2.0,
                FeedbackType.TOOL_CALL_FAILURE: 3.0, FeedbackType.MODEL_GAP: 3.0,
                FeedbackType.RETRIEVAL_GAP: 3.0, FeedbackType.DATA_GAP: 2.0,
                FeedbackType.PROCESS_GAP: 1.0, FeedbackType.OTHER: 3.0}


class LeverageWeights(BaseModel):
    """Weights of the four factors and the per-failure-type risk and cost (0–5) tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    impact: float = Field(default=1.0, ge=0)
    reusability: float = Field(default=1.0, ge=0)
    risk: float = Field(default=1.0, ge=0)
    cost: float = Field(default=1.0, ge=0)
    risk_by_type: dict[FeedbackType, float] = Field(default_factory=lambda: dict(DEFAULT_RISK))
    cost_by_type: dict[FeedbackType, float] = Field(default_factory=lambda: dict(DEFAULT_COST))


def parse_weights(document: Any, *, source: str = "<weights>") -> LeverageWeights:
    """Weights from a parsed YAML mapping; missing keys keep their defaults."""
    if document is None:
        return LeverageWeights()
    if not isinstance(document, dict):
        raise BadInput("leverage weights must be a mapping", path=source,
                       expected="impact/reusability/risk/cost numbers", got=type(document).__name__)
    data = dict(document)
    for table, default in (("risk_by_type", DEFAULT_RISK), ("cost_by_type", DEFAULT_COST)):
        if isinstance(data.get(table), dict):
            data[table] = {**{k.value: v for k, v in default.items()}, **data[table]}
    try:
        return LeverageWeights.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or None
        raise BadInput("invalid leverage weights", path=source, field=where,
                       expected=first.get("msg"), got=first.get("input")) from None


@dataclass(frozen=True)
class ThemeFactors:
    impact: float
    reusability: float
    risk: float
    cost: float


def factors(*, failure_type: FeedbackType, scopes: Iterable[ImpactScope], events: int,
            model_versions: int, sources: int, weights: LeverageWeights) -> ThemeFactors:
    """Derive the 0–5 factors of a theme.

    impact = widest scope of its events (sample 1 … system 4) + min(1, log10(events)/2);
    reusability = 1 + log2(events)/2 + (distinct model versions − 1) + (distinct sources − 1);
    risk = the type's risk, +1 when any event is system-wide; cost = the type's cost.
    """
    scope_list = list(scopes)
    widest = max((SCOPE_LEVEL[s] for s in scope_list), default=1.0)
    n = max(events, 1)
    impact = widest + min(1.0, math.log10(n) / 2)
    reuse = 1 + math.log2(n) / 2 + max(model_versions - 1, 0) + max(sources - 1, 0)
    risk = weights.risk_by_type.get(failure_type, 1.0) + (
        1.0 if ImpactScope.SYSTEM in scope_list else 0.0)
    cost = weights.cost_by_type.get(failure_type, 3.0)
    return ThemeFactors(*(round(min(5.0, max(0.0, v)), 3) for v in (impact, reuse, risk, cost)))


def theme_factors(events: list[FeedbackEvent], theme: Theme,
                  weights: LeverageWeights) -> ThemeFactors:
    """The factors of `theme` from its events (a theme of no type counts as `other`)."""
    return factors(
        failure_type=theme.failure_type or FeedbackType.OTHER,
        scopes=[e.impact_scope for e in events], events=len(events),
        model_versions=len({e.model_version for e in events if e.model_version}) or 1,
        sources=len({e.source for e in events}) or 1, weights=weights)


def score(f: ThemeFactors, w: LeverageWeights) -> float:
    """The leverage score of `FORMULA` (rounded to 3 decimals)."""
    value = (w.impact * f.impact + w.reusability * f.reusability + w.risk * f.risk) / (
        1 + w.cost * f.cost)
    return round(value, 3)


def explain(f: ThemeFactors, w: LeverageWeights) -> str:
    """`FORMULA` with this theme's numbers filled in."""
    return (f"({w.impact:g}·{f.impact:g} + {w.reusability:g}·{f.reusability:g} + "
            f"{w.risk:g}·{f.risk:g}) / (1 + {w.cost:g}·{f.cost:g}) = {score(f, w):g}")
