"""Each contract is validated against the ODCS JSON schema of its own `apiVersion`, and every
property that constrains the data is either enforced by the check plan or refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from contract_helpers import dump, example, example_doc, v3_2_enum_doc

from dataflywheel.errors import BadInput
from dataflywheel.integrations.odcs import SUPPORTED_API_VERSIONS, parse_odcs, validate_odcs


def _refused(doc: dict[str, Any]) -> str:
    with pytest.raises(BadInput) as info:
        parse_odcs(dump(doc), source="bad.odcs.yaml")
    return str(info.value)


def test_a_v3_1_0_contract_with_the_v3_2_only_enum_is_refused() -> None:
    """v3.1.0 has no property-level `enum`; the v3.2.0 schema would let it through and the plan
    would silently not check it."""
    doc = example_doc("sft-instructions")
    doc["schema"][0]["properties"][2]["enum"] = [{"value": "a"}, {"value": "b"}]
    message = _refused(doc)
    assert message.startswith(
        "bad.odcs.yaml: invalid ODCS v3.1.0 document; field 'schema[0].properties[2]'")
    assert "'enum' was unexpected" in message


def test_a_v3_1_0_contract_without_status_is_refused() -> None:
    """`status` is required in v3.1.0 (v3.2.0 made it optional)."""
    doc = example_doc("sft-instructions")
    del doc["status"]
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid ODCS v3.1.0 document; field '(top)'; expected 'status' is a "
        "required property")


def test_a_v3_2_0_enum_is_read_into_the_contract() -> None:
    contract = parse_odcs(dump(v3_2_enum_doc()), source="v32.odcs.yaml")
    field = contract.structural.field("annotator_id")
    assert field is not None and field.enum == ["v1-a", "v2-b"]


def test_a_v3_2_0_enum_beside_a_validvalues_rule_is_two_enums() -> None:
    doc = example_doc("preference-pairs") | {"apiVersion": "v3.2.0"}
    i, prop = next((i, p) for i, p in enumerate(doc["schema"][0]["properties"])
                   if p["name"] == "margin")
    prop["enum"] = [{"value": "slight"}]
    assert _refused(doc) == (
        f"bad.odcs.yaml: two enums for one field; field 'schema[0].properties[{i}].enum'; "
        "expected at most one of enum and an invalidValues rule with validValues")


def test_unsupported_api_version_names_the_supported_ones() -> None:
    doc = example_doc("sft-instructions") | {"apiVersion": "v3.0.0"}
    assert _refused(doc) == (
        "bad.odcs.yaml: an ODCS version we have no schema for; field 'apiVersion'; expected one "
        "of v3.0.2, v3.1.0, v3.2.0; got 'v3.0.0'")


def test_a_v3_0_2_contract_is_read_under_the_v3_0_2_schema() -> None:
    """v3.0.2 library rules are `rule: NAME` (v3.1.0 renamed it `metric`): a v3.1-style library
    rule is refused by the v3.0.2 schema; the custom rules read the same."""
    doc = example_doc("sft-instructions") | {"apiVersion": "v3.0.2"}
    assert _refused(doc) == (
        "bad.odcs.yaml: invalid ODCS v3.0.2 document; field 'schema[0].quality[0]'; expected "
        "'rule' is a required property")
    obj = doc["schema"][0]
    obj["quality"] = [r for r in obj["quality"] if r["type"] == "custom"]
    for prop in obj["properties"]:
        prop.pop("quality", None)
    contract = parse_odcs(dump(doc), source="v302")
    expected = {t.metric for t in example("sft-instructions").operational.thresholds}
    assert {t.metric for t in contract.operational.thresholds} == expected - {
        "duplicate_rate", "field_null_rate.confidence"}


# ---------------------------------------------------------------- against the official schemas

ODCS = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "odcs"


def _official(version: str) -> Any:
    path = ODCS / "schema" / f"odcs-json-schema-{version}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _examples() -> list[Path]:
    return sorted((ODCS / "examples").rglob("*.odcs.yaml"))


@pytest.mark.parametrize("path", _examples() or [pytest.param(None, marks=pytest.mark.skip(
    reason="the official ODCS examples (shared/realdata/odcs) are absent"))],
    ids=lambda p: p.parent.name + "/" + p.name if p else "absent")
def test_official_examples_get_the_official_verdict_of_their_own_version(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    version = str(data.get("apiVersion"))
    if version not in SUPPORTED_API_VERSIONS:
        with pytest.raises(BadInput, match="an ODCS version we have no schema for"):
            validate_odcs(data, source=str(path))
        return
    official_ok = next(iter(_official(version).iter_errors(data)), None) is None if version in (
        "v3.0.2", "v3.1.0") else None
    try:
        validate_odcs(data, source=str(path))
        ours_ok = True
    except BadInput:
        ours_ok = False
    assert official_ok is None or ours_ok == official_ok


# ---------------------------------------------------------- constraints the plan cannot enforce


@pytest.mark.parametrize(("key", "value", "why"), [
    ("unique", True, "uniqueness of one field is not checked"),
    ("logicalTypeOptions", {"maxLength": 2000}, "length, pattern, range and format options"),
    ("relationships", [{"to": "other.id"}], "references to other tables are not checked"),
])
def test_a_property_the_plan_cannot_enforce_is_refused(key: str, value: Any, why: str) -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["properties"][1][key] = value
    message = _refused(doc)
    assert message.startswith(
        "bad.odcs.yaml: a property the check plan cannot enforce; field "
        f"'schema[0].properties[1].{key}'; expected no {key} ({why}")
    assert "state it as a dataflywheel quality rule or in the description" in message


def test_schema_level_relationships_are_refused() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["relationships"] = [{"from": "sft.instruction", "to": "raw.content"}]
    assert "a property the check plan cannot enforce; field 'schema[0].relationships'" in (
        _refused(doc))


def test_constraints_that_are_switched_off_are_accepted() -> None:
    doc = example_doc("sft-instructions")
    doc["schema"][0]["properties"][1] |= {"unique": False, "logicalTypeOptions": {}}
    assert parse_odcs(dump(doc), source="off") == example("sft-instructions")


@pytest.mark.parametrize("path", _examples() or [pytest.param(None, marks=pytest.mark.skip(
    reason="the official ODCS examples (shared/realdata/odcs) are absent"))],
    ids=lambda p: p.parent.name + "/" + p.name if p else "absent")
def test_official_examples_import_or_are_refused_with_a_clear_error(path: Path) -> None:
    """None of them is one record type with our operational layer, so each is refused: by a
    `BadInput` that names the file and the field, never by a traceback."""
    try:
        parse_odcs(path.read_text(encoding="utf-8"), source=str(path))
    except BadInput as exc:
        assert str(exc).startswith(f"{path}: ") and exc.field is not None


def test_a_v3_0_2_library_rule_is_refused_naming_its_rule() -> None:
    """v3.0.2 says `rule: duplicateCount`; we check v3.1.0 `metric:` rules only, and say so."""
    doc = example_doc("sft-instructions") | {"apiVersion": "v3.0.2"}
    obj = doc["schema"][0]
    obj["quality"] = [{"type": "library", "rule": "duplicateCount", "mustBeLessThan": 1}]
    for prop in obj["properties"]:
        prop.pop("quality", None)
    assert _refused(doc) == (
        "bad.odcs.yaml: a quality rule we cannot check; field 'schema[0].quality[0]'; expected "
        "library duplicateValues/invalidValues/rowCount, or type: custom with engine: "
        "dataflywheel; got 'duplicateCount'")
