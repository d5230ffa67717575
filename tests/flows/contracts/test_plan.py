"""Compiling a contract version into the quality engine's check plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from contract_helpers import EXAMPLE_IDS, dump, example, v3_2_enum_doc
from test_changes import _gate, edited

from dataflywheel.checks.plan import CheckPlan, parse_plan
from dataflywheel.fieldtypes import FieldType
from dataflywheel.errors import BadInput
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import parse_odcs


@pytest.mark.parametrize("contract_id", EXAMPLE_IDS)
def test_every_example_compiles_and_the_plan_survives_yaml(contract_id: str) -> None:
    plan = compile_plan(example(contract_id))
    assert isinstance(plan, CheckPlan)
    assert plan.contract == f"{contract_id}@1.0.0" and plan.name == plan.contract
    assert parse_plan(plan.to_yaml(), source="plan.yaml") == plan


def test_structure_and_thresholds_are_carried_over() -> None:
    plan = compile_plan(example("sft-instructions"))
    fields = {f.name: f for f in plan.schema_.fields}
    assert list(fields) == ["instruction", "output", "annotator_id", "confidence", "revision_count"]
    assert fields["revision_count"].type is FieldType.INTEGER and fields["revision_count"].required
    assert plan.schema_.additional_fields == "reject"
    assert plan.text_fields == ["instruction", "output"]
    gates = {(t.metric, t.op, t.value) for t in plan.thresholds}
    assert gates == {("duplicate_rate", "<", 0.01), ("blank_rate", "<", 0.005),
                     ("charset_anomaly_rate", "<", 0.001), ("spot_check_pass_rate", ">", 0.95),
                     ("pii_rate", "<", 0.001), ("field_null_rate.confidence", "<", 0.05),
                     ("invalid_json_rate", "<=", 0.0), ("reject_rate", "<=", 0.0)}
    assert all(t.source == "contract sft-instructions@1.0.0 operational.thresholds"
               for t in plan.thresholds[:-2])
    assert plan.checks.spot_check is not None and plan.checks.spot_check.sample_size == 50
    assert plan.checks.pii is not None
    assert plan.checks.near_duplicates is None and plan.checks.agreement is None


def test_enum_id_and_near_duplicates() -> None:
    plan = compile_plan(example("cleaned-raw-pool"))
    assert plan.id_field == "id"
    source = next(f for f in plan.schema_.fields if f.name == "source")
    assert source.enum == ["web", "books", "forum", "textbook", "internal"]
    assert plan.checks.near_duplicates is not None


def test_agreement_settings_reach_the_plan() -> None:
    plan = compile_plan(example("preference-pairs"))
    assert plan.checks.agreement is not None
    assert (plan.checks.agreement.item_field, plan.checks.agreement.annotator_field,
            plan.checks.agreement.label_field, plan.checks.agreement.level) == (
        "pair_id", "annotator_id", "margin", "ordinal")


def test_agreement_threshold_without_settings_is_refused() -> None:
    contract = edited(example("sft-instructions"), lambda d: d["operational"]["thresholds"].append(
        {"metric": "agreement_fleiss_kappa", "op": ">", "value": 0.85}))
    with pytest.raises(BadInput) as info:
        compile_plan(contract)
    assert str(info.value) == (
        "contract sft-instructions@1.1.0 gates on agreement_fleiss_kappa but does not say where the "
        "agreement check finds items, annotators and labels; field "
        "'customProperties.flywheelOperational.agreement'; expected itemField, annotatorField, labelField"
    )


def test_contamination_needs_the_evaluation_sets() -> None:
    contract = edited(example("sft-instructions"), lambda d: d["operational"]["thresholds"].append(
        {"metric": "contamination_rate", "op": "<", "value": 0.001}))
    with pytest.raises(BadInput) as info:
        compile_plan(contract)
    assert str(info.value) == (
        "contract sft-instructions@1.1.0 gates on contamination_rate but no evaluation set was given "
        "to compare with; expected at least one reference file (the frozen evaluation sets). Next: "
        "flywheel contracts plan sft-instructions@1.1.0 --reference EVAL.jsonl"
    )
    plan = compile_plan(contract, contamination_reference=["eval/eval-set.jsonl"])
    assert plan.checks.contamination is not None
    assert plan.checks.contamination.reference == ["eval/eval-set.jsonl"]


def test_default_text_fields_are_the_free_text_strings() -> None:
    contract = edited(example("cleaned-raw-pool"), lambda d: d["structural"].update(text_fields=[]))
    assert compile_plan(contract).text_fields == ["content", "clean_timestamp"]


def test_loosened_threshold_changes_the_gate() -> None:
    contract = edited(example("sft-instructions"), lambda d: _gate(d, "duplicate_rate").update(value=0.02))
    gate = next(t for t in compile_plan(contract).thresholds if t.metric == "duplicate_rate")
    assert gate.value == 0.02


def test_the_engine_produces_every_metric_the_examples_gate_on(tmp_path: Path) -> None:
    """Names must match the quality engine's: a compiled plan runs, and every gate is measured."""
    from dataflywheel.checks.engines import run_checks

    rows = [{"instruction": f"请解释第{i}题", "output": f"答案是{i}，因为……", "annotator_id": "v1-a",
             "confidence": None if i % 10 == 0 else 0.9, "revision_count": 0} for i in range(60)]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    report = run_checks([batch], compile_plan(example("sft-instructions")), engine="local")
    gates = {g.metric: g for g in report.gates}
    assert set(gates) == {t.metric for t in example("sft-instructions").operational.thresholds} | {
        "invalid_json_rate", "reject_rate"}
    assert gates["field_null_rate.confidence"].observed == pytest.approx(0.1)
    assert not gates["field_null_rate.confidence"].passed and gates["duplicate_rate"].passed


def test_every_metric_a_contract_may_gate_on_is_documented_by_the_engine() -> None:
    """The registry's gated metrics against the engine's documented metric names (docs/checks.md),
    and each one among the names its check says it produces."""
    from dataflywheel.checks.registry import field_metrics, gate_metrics

    text = (Path(__file__).resolve().parents[3] / "docs" / "checks.md").read_text(encoding="utf-8")
    missing = [m for m in [*gate_metrics(), *field_metrics()] if f"`{m}" not in text]
    assert not missing, f"not in docs/checks.md: {missing}"


def test_a_v3_2_0_enum_is_compiled_into_the_plan() -> None:
    contract = parse_odcs(dump(v3_2_enum_doc()), source="v32.odcs.yaml")
    spec = next(f for f in compile_plan(contract).schema_.fields if f.name == "annotator_id")
    assert spec.enum == ["v1-a", "v2-b"]


def test_every_described_metric_is_one_its_check_produces() -> None:
    """A check's `described` metrics are among its `metric_names` (per-field ones by prefix),
    under a plan that turns it on: the catalogue cannot name a metric nothing produces."""
    from dataflywheel.checks.base import available_checks

    plan = parse_plan("text_fields: [t]\nschema: {fields: [{name: t}]}\nchecks:\n"
                      "  near_duplicates: {}\n  pii: {}\n  agreement: {}\n  spot_check: {}\n")
    for cls in available_checks().values():
        produced = cls.metric_names(plan)
        prefixes = {m.partition(".")[0] for m in produced}
        for m in cls.described:
            assert (m.name in prefixes) if m.per_field else (m.name in produced), (cls.name, m)


def test_unknown_metric_does_not_compile() -> None:
    """A contract built in code (not read from ODCS) is checked against the registry when it
    compiles, with the reader's message."""
    from dataflywheel.domain.records.contract import Threshold

    contract = example("sft-instructions")
    bad = contract.operational.model_copy(update={"thresholds": [
        *contract.operational.thresholds, Threshold(metric="toxicity_rate", op="<", value=0.1)]})
    with pytest.raises(BadInput) as info:
        compile_plan(contract.model_copy(update={"operational": bad}))
    assert info.value.what == f"contract {contract.version_id} does not compile to a check plan"
    assert info.value.expected is not None
    assert info.value.expected.startswith("unknown metric 'toxicity_rate'; expected one of ")
