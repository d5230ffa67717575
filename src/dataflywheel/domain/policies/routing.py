"""Feedback routing rules: ordered, pure matching, with an explanation of every decision.

A rule set is a list of rules tried in order; the first rule whose every condition holds decides.
A rule either routes (`route: {project, stage}`) or forwards to another rule's route (`forward:
NAME`), so "rollbacks go wherever regressions go" is written once. Guarantees: a rule set whose
forwards loop, or forward to a rule that does not exist, is refused when it is loaded; matching
never raises and never drops an event — `decide` says which rule matched and why, or that none did
(the caller sends that event to the triage queue).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dataflywheel.domain.records.feedback import (
    FeedbackEvent,
    FeedbackSource,
    FeedbackType,
    ImpactScope,
)
from dataflywheel.errors import BadInput

EVENT_PROJECT = "$event"  # a route to the project the event itself names
RULE_NAME = r"^[a-z0-9][a-z0-9_\-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleConditions(_Strict):
    """All given conditions must hold; inside a list, any one value is enough.

    `text` is a list of word groups: every group needs one of its words in the event's text
    (payload, recommended action), case-insensitively, at the start of a word ("refus" matches
    "refused"; "law" does not match "flaw").
    """

    source: list[FeedbackSource] = Field(default_factory=list)
    failure_type: list[FeedbackType] = Field(default_factory=list)
    impact_scope: list[ImpactScope] = Field(default_factory=list)
    project: list[str] = Field(default_factory=list)
    project_known: bool | None = None
    text: list[list[str]] = Field(default_factory=list)
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("text", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [[v] if isinstance(v, str) else v for v in value]
        return value

    @field_validator("attributes", mode="before")
    @classmethod
    def _attr_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in value.items()}
        return value


class RuleRoute(_Strict):
    project: str = Field(min_length=1)
    stage: str | None = None


class RoutingRule(_Strict):
    name: str = Field(pattern=RULE_NAME)
    description: str = ""
    when: RuleConditions = Field(default_factory=RuleConditions)
    route: RuleRoute | None = None
    forward: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRule:
        if (self.route is None) == (self.forward is None):
            raise ValueError("a rule needs exactly one of `route` or `forward`")
        return self


@dataclass(frozen=True)
class EventFacts:
    """What routing looks at in an event (built from a `FeedbackEvent` by `facts_of`)."""

    source: str
    failure_type: str
    impact_scope: str
    project_id: str | None
    text: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


def event_text(event: FeedbackEvent, *, with_action: bool = True) -> str:
    """The text routing looks at: payload parts and the recommended action (themes: payload only)."""
    parts: list[str] = []
    payload = event.payload
    action = event.recommended_action if with_action else None
    for value in (payload.sample, payload.model_output, payload.expected_behaviour, action):
        if value is None:
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                                     default=str))
    return "\n".join(parts)


def facts_of(event: FeedbackEvent) -> EventFacts:
    return EventFacts(source=event.source.value, failure_type=event.failure_type.value,
                      impact_scope=event.impact_scope.value,
                      project_id=event.project_id or event.reported_project_id,
                      text=event_text(event), attributes=event.payload.attributes)


@dataclass(frozen=True)
class ConditionResult:
    condition: str
    held: bool
    detail: str


@dataclass(frozen=True)
class RuleTrial:
    rule: str
    matched: bool
    conditions: tuple[ConditionResult, ...]


@dataclass(frozen=True)
class RoutingDecision:
    """The rule that matched (None: triage), the target, the forward chain, every rule tried."""

    rule: str | None
    project: str | None
    stage: str | None
    chain: tuple[str, ...]
    trials: tuple[RuleTrial, ...]
    reason: str


class RuleSet:
    """An ordered, validated rule set (names unique, forwards resolve and never loop)."""

    def __init__(self, rules: Sequence[RoutingRule], *, source: str = "<rules>") -> None:
        self.rules = list(rules)
        self.source = source
        self.by_name: dict[str, RoutingRule] = {}
        for rule in self.rules:
            if rule.name in self.by_name:
                raise BadInput(f"routing rule {rule.name!r} is defined twice", path=source,
                               field="name", expected="unique rule names")
            self.by_name[rule.name] = rule
        for rule in self.rules:
            self.resolve(rule.name)

    def resolve(self, name: str) -> tuple[RuleRoute, tuple[str, ...]]:
        """Follow forwards from rule `name` to a route; refuses a loop or a missing rule."""
        chain: list[str] = []
        current = name
        while True:
            if current in chain:
                loop = " → ".join([*chain[chain.index(current):], current])
                raise BadInput(f"routing rules loop: {loop}", path=self.source, field="forward",
                               expected="forwards that end at a rule with `route`")
            chain.append(current)
            rule = self.by_name.get(current)
            if rule is None:
                raise BadInput(f"routing rule {chain[-2]!r} forwards to unknown rule {current!r}",
                               path=self.source, field="forward",
                               expected="one of " + ", ".join(sorted(self.by_name)))
            if rule.route is not None:
                return rule.route, tuple(chain)
            assert rule.forward is not None
            current = rule.forward


def parse_rules(document: Any, *, source: str = "<rules>") -> RuleSet:
    """Build a `RuleSet` from a parsed YAML document `{rules: [...]}`; errors name the rule."""
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise BadInput("a routing rule file needs a top-level `rules:` list", path=source,
                       expected="rules: [ {name, when, route | forward}, ... ]",
                       got=type(document).__name__)
    rules: list[RoutingRule] = []
    for index, raw in enumerate(document["rules"], start=1):
        try:
            rules.append(RoutingRule.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            name = raw.get("name") if isinstance(raw, dict) else None
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise BadInput(f"routing rule #{index} ({name or 'unnamed'}) is invalid", path=source,
                           field=where or None, expected=first.get("msg")) from None
    return RuleSet(rules, source=source)


def check_conditions(when: RuleConditions, facts: EventFacts) -> tuple[ConditionResult, ...]:
    """Evaluate each given condition of `when` against `facts`, in a fixed order."""
    results: list[ConditionResult] = []

    def one_of(name: str, wanted: Sequence[str], got: str | None) -> None:
        if wanted:
            results.append(ConditionResult(name, got in wanted, f"{name} {got!r} in {list(wanted)}"))

    one_of("source", [v.value for v in when.source], facts.source)
    one_of("failure_type", [v.value for v in when.failure_type], facts.failure_type)
    one_of("impact_scope", [v.value for v in when.impact_scope], facts.impact_scope)
    one_of("project", when.project, facts.project_id)
    if when.project_known is not None:
        known = facts.project_id is not None
        results.append(ConditionResult("project_known", known == when.project_known,
                                       f"event names a project: {known}"))
    text = facts.text.lower()
    for group in when.text:
        hits = [w for w in group if _starts_a_word(w.lower(), text)]
        results.append(ConditionResult("text", bool(hits), f"text has one of {group}: "
                                       + (f"found {hits[0]!r}" if hits else "none found")))
    for key, values in when.attributes.items():
        got = facts.attributes.get(key)
        one_of(f"attributes.{key}", values, None if got is None else str(got))
    return tuple(results)


def _starts_a_word(needle: str, text: str) -> bool:
    """`needle` occurs in `text` at the start of a word ("law" matches "lawyer", not "flaw")."""
    return re.search(r"(?<!\w)" + re.escape(needle), text) is not None


def decide(rules: RuleSet, facts: EventFacts) -> RoutingDecision:
    """The first rule whose conditions all hold decides; no match → a triage decision."""
    trials: list[RuleTrial] = []
    for rule in rules.rules:
        conditions = check_conditions(rule.when, facts)
        matched = all(c.held for c in conditions)
        trials.append(RuleTrial(rule.name, matched, conditions))
        if not matched:
            continue
        route, chain = rules.resolve(rule.name)
        project = facts.project_id if route.project == EVENT_PROJECT else route.project
        if project is None:
            return RoutingDecision(rule.name, None, None, chain, tuple(trials),
                                   f"rule {rule.name!r} keeps the event's project, but it names none")
        via = f" via {' → '.join(chain)}" if len(chain) > 1 else ""
        return RoutingDecision(rule.name, project, route.stage, chain, tuple(trials),
                               f"rule {rule.name!r} matched{via}")
    return RoutingDecision(None, None, None, (), tuple(trials),
                           f"no routing rule matched ({len(rules.rules)} tried)")
