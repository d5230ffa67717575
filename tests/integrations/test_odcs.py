"""ODCS v3.1.0 read/write: round trips, the mapping of thresholds, and every refusal's message."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from contract_helpers import EXAMPLE_IDS, custom, dump, example, example_doc, example_path

from dataflywheel.domain.records.contract import Role
from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import FieldType
from dataflywheel.integrations.odcs import dump_odcs, load_odcs, parse_odcs, to_odcs, validate_odcs


@pytest.mark.parametrize("contract_id", EXAMPLE_IDS)
def test_examples_load_and_round_trip(contract_id: str) -> None:
    contract, text = load_odcs(example_path(contract_id))
    assert contract.id == contract_id and contract.version == "1.0.0"
    again = parse_odcs(dump_odcs(contract, status="active"), source="again")
    assert again == contract
    assert dump_odcs(contract, status="active") == text  # the shipped files are our own output


@pytest.mark.parametrize("contract_id", EXAMPLE_IDS)
def test_written_documents_pass_the_odcs_json_schema_and_model(contract_id: str) -> None:
    doc = to_odcs(example(contract_id))
    assert doc["apiVersion"] == "v3.1.0" and doc["kind"] == "DataContract"
    validate_odcs(doc, source="written")  # raises on any problem


def test_thresholds_map_to_library_metrics_in_percent_and_custom_rules() -> None:
    doc = example_doc("sft-instructions")
    rules = {r["name"]: r for r in doc["schema"][0]["quality"]}
    assert rules["duplicate_rate"] == {
        "name": "duplicate_rate", "description": "duplicate_rate < 1 %", "type": "library",
        "metric": "duplicateValues", "mustBeLessThan": 1.0, "unit": "percent",
    }
    assert rules["blank_rate"]["type"] == "custom"  # a record-level rate: no ODCS library metric
    confidence = next(p for p in doc["schema"][0]["properties"] if p["name"] == "confidence")
    assert confidence["quality"] == [{
        "name": "field_null_rate.confidence", "description": "field_null_rate.confidence < 5 %",
        "type": "library", "metric": "nullValues", "mustBeLessThan": 5.0, "unit": "percent"}]
    assert rules["spot_check_pass_rate"]["type"] == "custom"
    assert rules["spot_check_pass_rate"]["engine"] == "dataflywheel"
    assert rules["spot_check_pass_rate"]["implementation"] == {
        "metric": "spot_check_pass_rate", "mustBeGreaterThan": 95.0}
    contract = example("sft-instructions")
    gates = {t.metric: (t.op, t.value) for t in contract.operational.thresholds}
    assert gates["duplicate_rate"] == ("<", 0.01)
    assert gates["spot_check_pass_rate"] == (">", 0.95)
    assert gates["field_null_rate.confidence"] == ("<", 0.05)


def test_agreement_coefficient_has_no_unit_and_layers_live_in_custom_properties() -> None:
    doc = example_doc("preference-pairs")
    rule = next(r for r in doc["schema"][0]["quality"] if r["name"] == "agreement_krippendorff_alpha")
    assert "unit" not in rule and rule["implementation"]["mustBeGreaterThan"] == 0.85
    ops = custom(doc["customProperties"], "flywheelOperational")
    assert ops["agreement"] == {"itemField": "pair_id", "annotatorField": "annotator_id",
                                "labelField": "margin", "level": "ordinal",
                                "scale": ["slight", "clear", "strong"]}
    contract = example("preference-pairs")
    assert contract.operational.producer_role is Role.ANNOTATION_ENGINEER
    assert contract.structural.field("margin") is not None
    assert contract.structural.field("margin").enum == ["slight", "clear", "strong"]  # type: ignore[union-attr]


def test_row_count_is_odcs_rowcount_in_rows() -> None:
    rule = next(r for r in example_doc("eval-set")["schema"][0]["quality"] if r["name"] == "record_count")
    assert (rule["metric"], rule["unit"], rule["mustBeGreaterOrEqualTo"]) == ("rowCount", "rows", 200)


def test_field_level_rules_we_cannot_check_and_unknown_fields() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["properties"][0]["quality"] = [{"metric": "duplicateValues", "mustBe": 0}]
    assert _refused(doc) == (
        "bad.odcs.yaml: a field-level quality rule we cannot check; field "
        "'schema[0].properties[0].quality[0]'; expected an enum (invalidValues, "
        "arguments.validValues, mustBe: 0), nullValues or missingValues in percent; got "
        "'duplicateValues'")


def test_eval_set_is_frozen_and_contamination_protected() -> None:
    contract = example("eval-set")
    assert contract.operational.frozen and contract.operational.contamination_protected
    grade = contract.structural.field("grade")
    assert grade is not None and grade.type is FieldType.INTEGER and grade.enum == [7, 8, 9, 10, 11, 12]


def test_sla_is_written_as_odcs_sla_properties() -> None:
    doc = example_doc("cleaned-raw-pool")
    assert doc["slaProperties"] == [
        {"property": "frequency", "value": "weekly"},
        {"property": "timeOfAvailability", "value": "friday 18:00 Asia/Shanghai"},
    ]
    sla = example("cleaned-raw-pool").operational.sla
    assert sla is not None and (sla.weekday, sla.time, sla.timezone) == ("friday", "18:00", "Asia/Shanghai")


# ---------------------------------------------------------------- bad input


def _refused(doc: dict[str, Any] | str, source: str = "bad.odcs.yaml") -> str:
    text = doc if isinstance(doc, str) else dump(doc)
    with pytest.raises(BadInput) as info:
        parse_odcs(text, source=source)
    return str(info.value)


def test_invalid_yaml_names_file_and_line() -> None:
    assert _refused("apiVersion: v3.1.0\nkind: [DataContract\n") == (
        "bad.odcs.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"
    )


def test_yaml_alias_bomb_is_refused_before_expansion() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n' \
           'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
    assert _refused(bomb) == (
        "bad.odcs.yaml:2: YAML aliases are not allowed; expected plain values (no '*alias' "
        "references); got '*a'"
    )


def test_not_a_mapping() -> None:
    assert _refused("- just\n- a list\n") == (
        "bad.odcs.yaml: an ODCS contract must be a mapping; got 'list'"
    )


def test_wrong_api_version_is_refused() -> None:
    doc = example_doc("sft-instructions") | {"apiVersion": "v2.2.2"}
    assert _refused(doc) == (
        "bad.odcs.yaml: an ODCS version we have no schema for; field 'apiVersion'; expected one of "
        "v3.0.2, v3.1.0, v3.2.0; got 'v2.2.2'"
    )


def test_unknown_top_level_field_is_refused() -> None:
    doc = example_doc("sft-instructions") | {"owner": "someone"}
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid ODCS v3.1.0 document; field '(top)'; expected Additional properties are "
        "not allowed ('owner' was unexpected)"
    )


def test_unknown_nested_field_names_its_path() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["properties"][1]["maxLength"] = 10
    message = _refused(doc)
    assert message.startswith("bad.odcs.yaml: invalid ODCS v3.1.0 document; field 'schema[0].properties[1]'")
    assert "'maxLength' was unexpected" in message


def test_unknown_key_inside_flywheel_layer_is_refused() -> None:
    doc = example_doc("sft-instructions")
    custom(doc["customProperties"], "flywheelOperational")["deadline"] = "friday"
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid contract; field 'customProperties.flywheelOperational.deadline'; "
        "expected Extra inputs are not permitted; got 'friday'"
    )


def test_threshold_out_of_range_140_percent() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["quality"][0]["mustBeLessThan"] = 140
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid contract; field 'schema[0].quality[0]'; expected duplicate_rate "
        "threshold 140 % is out of range 0 % to 100 %"
    )


def test_agreement_out_of_range() -> None:
    doc = example_doc("preference-pairs")
    rule = next(r for r in doc["schema"][0]["quality"] if r["name"] == "agreement_krippendorff_alpha")
    rule["implementation"]["mustBeGreaterThan"] = 1.5
    assert "agreement_krippendorff_alpha threshold 1.5 is out of range -1 to 1" in _refused(doc)


def test_rate_threshold_must_be_in_percent() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["quality"][0]["unit"] = "rows"
    assert _refused(doc) == (
        "bad.odcs.yaml: wrong unit for a rate threshold; field 'schema[0].quality[0].unit'; "
        "expected 'percent'; got 'rows'"
    )


def test_field_type_we_cannot_check() -> None:
    doc = example_doc("cleaned-raw-pool")
    doc["schema"][0]["properties"][3]["logicalType"] = "timestamp"
    assert _refused(doc) == (
        "bad.odcs.yaml: a field type we cannot check; field 'schema[0].properties[3].logicalType'; "
        "expected one of string, integer, number, boolean, array, object; got 'timestamp'"
    )


def test_the_plans_any_is_no_contract_type() -> None:
    doc = example_doc("cleaned-raw-pool")
    doc["schema"][0]["properties"][3]["logicalType"] = "any"
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid ODCS v3.1.0 document; field 'schema[0].properties[3].logicalType'; "
        "expected 'any' is not one of ['string', 'date', 'timestamp', 'time', 'number', 'integer', "
        "'object', 'array', 'boolean']"
    )


def test_quality_rule_we_cannot_check() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["quality"].append({"type": "sql", "query": "SELECT 1", "mustBe": 1})
    assert _refused(doc) == (
        "bad.odcs.yaml: a quality rule we cannot check; field 'schema[0].quality[5]'; expected "
        "library duplicateValues/invalidValues/rowCount, or type: custom with engine: "
        "dataflywheel; got 'sql'"
    )


def test_unknown_custom_metric() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["quality"][2]["implementation"]["metric"] = "toxicity_rate"
    message = _refused(doc)
    assert message.startswith(
        "bad.odcs.yaml: unknown dataflywheel metric; field "
        "'schema[0].quality[2].implementation.metric'; expected one of record_count, "
    )
    assert message.endswith("got 'toxicity_rate'")


def test_unknown_role() -> None:
    doc = example_doc("sft-instructions")
    custom(doc["customProperties"], "flywheelOperational")["producerRole"] = "intern"
    message = _refused(doc)
    assert message.startswith(
        "bad.odcs.yaml: invalid contract; field 'customProperties.flywheelOperational.producer_role'; "
        "expected unknown role 'intern', one of data_owner, data_engineer, annotation_engineer, "
    )


def test_text_field_that_is_not_a_field() -> None:
    doc = example_doc("sft-instructions")
    custom(doc["schema"][0]["customProperties"], "textFields").append("answer")
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid contract; field 'schema[0]'; expected 'answer' is not a field of "
        "this contract"
    )


def test_bad_version_string() -> None:
    doc = example_doc("sft-instructions") | {"version": "1.2"}
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid contract; field '(contract).version'; expected a SemVer version "
        "MAJOR.MINOR.PATCH such as 1.2.0, not '1.2'"
    )


def test_two_schema_objects() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"].append(copy.deepcopy(doc["schema"][0]) | {"name": "other"})
    assert _refused(doc) == (
        "bad.odcs.yaml: a contract describes one record type; field 'schema'; expected exactly one "
        "schema object; got '2 objects'"
    )


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="contract file not found"):
        load_odcs(tmp_path / "nope.odcs.yaml")
    bad = tmp_path / "latin.odcs.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(BadInput, match=r"latin\.odcs\.yaml: contract file is not UTF-8"):
        load_odcs(bad)


def test_foreign_parts_of_odcs_are_accepted() -> None:
    doc = example_doc("sft-instructions")
    doc["servers"] = [{"server": "local", "type": "local", "path": "./data", "format": "json"}]
    doc["schema"][0]["quality"].append({"type": "text", "description": "Answers are kind."})
    contract = parse_odcs(dump(doc), source="x")
    assert contract == example("sft-instructions")
    assert yaml.safe_load(dump(doc))["servers"][0]["server"] == "local"
