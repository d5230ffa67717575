"""Bottleneck rules (P10 §12, Listing P10-4): named constraints found in the records, each with a
severity and a reason that cites the figure that tripped it.

Rules are data — a fixed set of kinds, each with typed parameters — so a team adds its own rules in
YAML without any code or expression being evaluated. Guarantees: `parse_rules` takes a whole valid
document or raises `BadInput` naming the field; `evaluate` is a pure function of the rules and the
facts; bottlenecks come out most severe first, then in rule order, then by project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataflywheel.domain.records.project import Layer
from dataflywheel.errors import BadInput


class RuleKind(StrEnum):
    RETENTION_BELOW = "retention_below"  # kept rows / delivered rows of a project's batches
    REVIEW_PASS_BELOW = "review_pass_below"  # passing reviews / reviews of a project's batches
    FAILED_RUNS_AT_LEAST = "failed_runs_at_least"  # failed experiments + regressions
    ISSUES_PAST_SLA_AT_LEAST = "issues_past_sla_at_least"  # open issues past a deadline


RATE_KINDS = frozenset({RuleKind.RETENTION_BELOW, RuleKind.REVIEW_PASS_BELOW})


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


RANK = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class Rule(BaseModel):
    """One rule: a rate kind needs `below` (0–1), a count kind `at_least` (≥ 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    kind: RuleKind
    severity: Severity
    below: float | None = Field(default=None, ge=0, le=1)
    at_least: int | None = Field(default=None, ge=1)
    layer: Layer | None = None  # only projects on this layer
    project: str | None = None  # only this project
    because: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _threshold(self) -> Rule:
        wanted, other = ("below", "at_least") if self.kind in RATE_KINDS else ("at_least", "below")
        if getattr(self, wanted) is None or getattr(self, other) is not None:
            raise ValueError(f"a {self.kind.value} rule takes `{wanted}` (and not `{other}`)")
        return self


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        names = [r.name for r in self.rules]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"rule name repeated: {', '.join(repeated)}")
        return self


def parse_rules(document: Any, *, source: str) -> RuleSet:
    """Rules from a parsed YAML document (`rules: [...]`), or `BadInput` naming the field."""
    if not isinstance(document, dict):
        raise BadInput("bottleneck rules must be a mapping", path=source,
                       expected="a key `rules` with a list of rules", got=type(document).__name__)
    try:
        return RuleSet.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or None
        raise BadInput("invalid bottleneck rules", path=source, field=where,
                       expected=first.get("msg")) from None


def combined(base: RuleSet, extra: RuleSet, *, source: str) -> RuleSet:
    """`base` plus the user's rules; a user rule may not reuse a name already in `base`."""
    clash = sorted({r.name for r in base.rules} & {r.name for r in extra.rules})
    if clash:
        raise BadInput("bottleneck rule names already used by the shipped rules", path=source,
                       field="rules.name", expected="new names", got=", ".join(clash))
    return RuleSet(rules=[*base.rules, *extra.rules])


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def rate(self) -> float:
        return self.part / self.whole if self.whole else 0.0


@dataclass(frozen=True)
class BottleneckFacts:
    """Per project, what the rules read: rows kept/delivered, reviews passed/taken, failed
    experiments, regression reports, open issues past a deadline; and each project's layers."""

    layers: dict[str, tuple[Layer, ...]]
    retention: dict[str, Ratio] = field(default_factory=dict)
    review_pass: dict[str, Ratio] = field(default_factory=dict)
    failed_runs: dict[str, int] = field(default_factory=dict)
    regressions: dict[str, int] = field(default_factory=dict)
    issues_past_sla: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Bottleneck:
    name: str
    severity: Severity
    project: str
    figure: float
    reason: str


def evaluate(rules: RuleSet, facts: BottleneckFacts) -> list[Bottleneck]:
    """Every (rule, project) whose figure crosses the rule's threshold, most severe first."""
    found = [b for position, rule in enumerate(rules.rules)
             for b in _tripped(rule, facts, position)]
    found.sort(key=lambda pair: (RANK[pair[1].severity], pair[0], pair[1].project))
    return [b for _, b in found]


def _applies(rule: Rule, project: str, facts: BottleneckFacts) -> bool:
    if rule.project is not None and project != rule.project:
        return False
    return rule.layer is None or rule.layer in facts.layers.get(project, ())


def _tripped(rule: Rule, facts: BottleneckFacts, position: int) -> list[tuple[int, Bottleneck]]:
    out = []
    for project in sorted(facts.layers):
        if not _applies(rule, project, facts):
            continue
        figure, text = _figure(rule, project, facts)
        if figure is None:
            continue
        reason = text + (f"; {rule.because}" if rule.because else "")
        out.append((position, Bottleneck(name=rule.name, severity=rule.severity, project=project,
                                         figure=round(figure, 4), reason=reason)))
    return out


def _figure(rule: Rule, project: str, facts: BottleneckFacts) -> tuple[float | None, str]:
    """The rule's figure for the project and its sentence, or None when the rule does not trip
    (a rate with nothing measured never trips: no evidence is not a bottleneck finding)."""
    if rule.kind in RATE_KINDS:
        table, label, unit = ((facts.retention, "retention", "rows kept of")
                              if rule.kind is RuleKind.RETENTION_BELOW
                              else (facts.review_pass, "review pass rate", "reviews passed of"))
        ratio = table.get(project)
        if ratio is None or ratio.whole == 0 or rule.below is None or ratio.rate >= rule.below:
            return None, ""
        return ratio.rate, (f"{project} {label} is {ratio.rate:.2%} ({ratio.part} {unit} "
                            f"{ratio.whole}), below {rule.below:.2%}")
    if rule.kind is RuleKind.FAILED_RUNS_AT_LEAST:
        failed, regressed = facts.failed_runs.get(project, 0), facts.regressions.get(project, 0)
        if rule.at_least is None or failed + regressed < rule.at_least:
            return None, ""
        return float(failed + regressed), (f"{project} has {failed} failed experiment(s) and "
                                           f"{regressed} regression(s) (regressed runs and regression reports)")
    late = facts.issues_past_sla.get(project, 0)
    if rule.at_least is None or late < rule.at_least:
        return None, ""
    return float(late), f"{project} has {late} open issue(s) past their deadline"
