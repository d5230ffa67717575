"""Bottleneck rules as data (P10 §12, Listing P10-4): hand-made facts give the figures and reasons
worked out here; bad rule documents are refused naming the field; no user text is evaluated."""

from __future__ import annotations

import pytest

from dataflywheel.domain.policies.bottlenecks import (
    BottleneckFacts,
    Ratio,
    combined,
    evaluate,
    parse_rules,
)
from dataflywheel.domain.records.project import Layer
from dataflywheel.errors import BadInput

RULES = parse_rules({"rules": [
    {"name": "foundation_corpus_scale", "kind": "retention_below", "below": 0.5,
     "layer": "processing", "severity": "medium", "because": "limiting base corpus growth"},
    {"name": "prm_validation_gap", "kind": "review_pass_below", "below": 0.8, "severity": "medium"},
    {"name": "platform_regression_handling", "kind": "failed_runs_at_least", "at_least": 1,
     "severity": "low", "because": "release gates should stay strict"},
    {"name": "overdue", "kind": "issues_past_sla_at_least", "at_least": 2, "severity": "high"},
]}, source="rules.yaml")

FACTS = BottleneckFacts(
    layers={"P1": (Layer.DATA_SOURCE, Layer.PROCESSING), "P6": (Layer.MODELING,),
            "P8": (Layer.GOVERNANCE,), "P9": (Layer.DATA_SOURCE,)},
    retention={"P1": Ratio(1737, 10000), "P9": Ratio(1, 10)},  # P9 is not a processing project
    review_pass={"P6": Ratio(6759, 10000), "P1": Ratio(9, 10)},
    failed_runs={"P8": 1}, regressions={"P8": 1},
    issues_past_sla={"P6": 2, "P9": 1},
)


def test_the_chapters_three_bottlenecks_and_an_overdue_one_most_severe_first() -> None:
    found = evaluate(RULES, FACTS)
    assert [(b.name, b.severity.value, b.project, b.figure) for b in found] == [
        ("overdue", "high", "P6", 2.0),
        ("foundation_corpus_scale", "medium", "P1", 0.1737),
        ("prm_validation_gap", "medium", "P6", 0.6759),
        ("platform_regression_handling", "low", "P8", 2.0),
    ]
    reasons = {b.name: b.reason for b in found}
    assert reasons["foundation_corpus_scale"] == (
        "P1 retention is 17.37% (1737 rows kept of 10000), below 50.00%; "
        "limiting base corpus growth")
    assert reasons["prm_validation_gap"] == (
        "P6 review pass rate is 67.59% (6759 reviews passed of 10000), below 80.00%")
    assert reasons["platform_regression_handling"] == (
        "P8 has 1 failed experiment(s) and 1 regression(s) (regressed runs and regression "
        "reports); "
        "release gates should stay strict")
    assert reasons["overdue"] == "P6 has 2 open issue(s) past their deadline"


def test_a_rate_with_nothing_measured_never_trips() -> None:
    facts = BottleneckFacts(layers={"P1": (Layer.PROCESSING,)}, retention={"P1": Ratio(0, 0)})
    assert evaluate(RULES, facts) == []


def test_a_project_rule_narrows_to_that_project() -> None:
    only = parse_rules({"rules": [{"name": "p9_retention", "kind": "retention_below",
                                   "below": 0.5, "project": "P9", "severity": "low"}]},
                       source="mine.yaml")
    assert [(b.project, b.figure) for b in evaluate(only, FACTS)] == [("P9", 0.1)]


@pytest.mark.parametrize(("rule", "message"), [
    ({"name": "x", "kind": "retention_below", "at_least": 1, "severity": "low"},
     "rules.yaml: invalid bottleneck rules; field 'rules.0'; expected Value error, a "
     "retention_below rule takes `below` (and not `at_least`)"),
    ({"name": "x", "kind": "eval('1')", "below": 0.5, "severity": "low"},
     "rules.yaml: invalid bottleneck rules; field 'rules.0.kind'; expected Input should be "
     "'retention_below', 'review_pass_below', 'failed_runs_at_least' or "
     "'issues_past_sla_at_least'"),
    ({"name": "x", "kind": "retention_below", "below": 1.5, "severity": "low"},
     "rules.yaml: invalid bottleneck rules; field 'rules.0.below'; expected Input should be "
     "less than or equal to 1"),
])
def test_bad_rules_are_refused_naming_the_field(rule: dict[str, object], message: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_rules({"rules": [rule]}, source="rules.yaml")
    assert str(info.value) == message


def test_a_users_rule_may_not_reuse_a_shipped_name() -> None:
    mine = parse_rules({"rules": [{"name": "overdue", "kind": "issues_past_sla_at_least",
                                   "at_least": 5, "severity": "low"}]}, source="mine.yaml")
    with pytest.raises(BadInput) as info:
        combined(RULES, mine, source="mine.yaml")
    assert str(info.value) == ("mine.yaml: bottleneck rule names already used by the shipped "
                               "rules; field 'rules.name'; expected new names; got 'overdue'")
    with pytest.raises(BadInput, match="bottleneck rules must be a mapping"):
        parse_rules(["rules"], source="mine.yaml")
