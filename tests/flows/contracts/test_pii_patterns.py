"""A contract adds its own PII patterns (`flywheelOperational.piiPatterns`): they reach the plan,
are counted by the engine, gate through `pii_rate`, and bad ones are refused on reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from contract_helpers import custom, dump, example, example_doc

from dataflywheel.checks.engines import run_checks
from dataflywheel.domain.policies.contract_changes import diff_contracts
from dataflywheel.errors import BadInput
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import dump_odcs, parse_odcs

ID_CARD = {"name": "cn_id_card", "pattern": r"(?<!\d)\d{17}[\dXx](?!\d)"}


def _doc(patterns: list[dict[str, Any]], *, version: str = "1.0.0") -> dict[str, Any]:
    doc = example_doc("sft-instructions") | {"version": version}
    custom(doc["customProperties"], "flywheelOperational")["piiPatterns"] = patterns
    return doc


def _refused(doc: dict[str, Any]) -> str:
    with pytest.raises(BadInput) as info:
        parse_odcs(dump(doc), source="bad.odcs.yaml")
    return str(info.value)


def test_patterns_reach_the_plan_and_gate(tmp_path: Path) -> None:
    contract = parse_odcs(dump(_doc([ID_CARD])), source="ok")
    plan = compile_plan(contract)
    assert plan.checks.pii is not None
    assert plan.checks.pii.id_patterns == {"cn_id_card": ID_CARD["pattern"]}
    data = tmp_path / "d.jsonl"
    data.write_text(
        '{"instruction": "身份证号 11010519491231002X 的主人是谁？", "output": "不能回答。",'
        ' "annotator_id": "v1-a", "confidence": 0.9, "revision_count": 0}\n'
        '{"instruction": "What is 2+2?", "output": "4, because two and two make four.",'
        ' "annotator_id": "v1-a", "confidence": 0.9, "revision_count": 0}\n', encoding="utf-8")
    report = run_checks([data], plan, engine="single")
    assert report.metrics["pii_cn_id_card_count"] == 1.0
    assert report.metrics["pii_rate"] == 0.5
    gate = next(g for g in report.gates if g.metric == "pii_rate")
    assert not gate.passed
    assert "11010519491231002X" not in report.to_json()


def test_patterns_round_trip() -> None:
    contract = parse_odcs(dump(_doc([ID_CARD])), source="ok")
    assert parse_odcs(dump_odcs(contract), source="again") == contract


def test_patterns_without_a_pii_rate_gate_are_refused() -> None:
    doc = _doc([ID_CARD])
    doc["schema"][0]["quality"] = [r for r in doc["schema"][0]["quality"]
                                   if r.get("implementation", {}).get("metric") != "pii_rate"]
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid contract; field 'customProperties.flywheelOperational'; expected "
        "pii_patterns are only checked under a pii_rate threshold: add one")


def test_a_bad_regex_is_refused() -> None:
    message = _refused(_doc([{"name": "broken", "pattern": "(\\d{3"}]))
    assert message.startswith("bad.odcs.yaml: invalid contract; field "
                              "'customProperties.flywheelOperational.pii_patterns[0].pattern'; "
                              "expected not a regular expression: missing ), unterminated "
                              "subpattern at position 0")


def test_a_name_that_is_a_built_in_kind_or_repeated_is_refused() -> None:
    assert "'phone' is a built-in PII kind" in _refused(_doc([ID_CARD | {"name": "phone"}]))
    assert "repeated PII pattern names: cn_id_card" in _refused(_doc([ID_CARD, dict(ID_CARD)]))


def test_a_new_pattern_is_a_breaking_change() -> None:
    old = example("sft-instructions")
    new = parse_odcs(dump(_doc([ID_CARD], version="2.0.0")), source="new")
    diff = diff_contracts(old, new)
    assert [(c.kind, c.breaking) for c in diff.changes] == [("pii_patterns changed", True)]
    assert [(c.kind, c.breaking) for c in diff_contracts(new, old).changes] == [
        ("pii_patterns changed", False)]
