"""ODCS `required` decides nulls: `required: true` means "no nulls" (as datacontract-cli and Great
Expectations read it), `required: false` allows them. The `nullable` custom property may only
agree with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from contract_helpers import dump, example, example_doc

from dataflywheel.checks.engines import run_checks
from dataflywheel.errors import BadInput
from dataflywheel.flows.contracts.contract_plan import compile_plan
from dataflywheel.integrations.odcs import dump_odcs, parse_odcs

SMALL = """\
apiVersion: v3.1.0
kind: DataContract
id: notes
version: 1.0.0
status: active
schema:
- name: notes
  logicalType: object
  properties:
  - {name: id, logicalType: string, required: true, primaryKey: true}
  - {name: text, logicalType: string, required: true}
  - {name: note, logicalType: string, required: false}
customProperties:
- property: flywheelOperational
  value: {deliverable: notes, producerRole: data_engineer, consumerRole: annotation_engineer}
"""


def test_required_true_rejects_nulls_and_required_false_accepts_them(tmp_path: Path) -> None:
    contract = parse_odcs(SMALL, source="notes.odcs.yaml")
    fields = {f.name: (f.required, f.nullable) for f in contract.structural.fields}
    assert fields == {"id": (True, False), "text": (True, False), "note": (False, True)}
    data = tmp_path / "notes.jsonl"
    data.write_text('{"id": "1", "text": null, "note": "x"}\n'
                    '{"id": "2", "text": "ok", "note": null}\n'
                    '{"id": "3", "text": "ok"}\n', encoding="utf-8")
    report = run_checks([data], compile_plan(contract), engine="single")
    assert [r.line for r in report.rejects] == [1]
    assert "text" in report.rejects[0].reason


def _with_nullable(required: bool, nullable: bool) -> dict[str, Any]:
    doc = yaml.safe_load(SMALL)
    prop = doc["schema"][0]["properties"][1]
    prop["required"] = required
    prop["customProperties"] = [{"property": "nullable", "value": nullable}]
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize(("required", "nullable"), [(True, True), (False, False)])
def test_a_nullable_custom_property_that_contradicts_required_is_refused(
    required: bool, nullable: bool
) -> None:
    with pytest.raises(BadInput) as info:
        parse_odcs(dump(_with_nullable(required, nullable)), source="bad.odcs.yaml")
    assert str(info.value) == (
        "bad.odcs.yaml: ODCS `required` decides whether nulls are allowed; field "
        "'schema[0].properties[1].customProperties.nullable'; expected "
        f"{not required} or no nullable (required: {str(required).lower()} means "
        f"{'no nulls' if required else 'nulls are allowed'}); got {nullable}")


@pytest.mark.parametrize("required", [True, False])
def test_a_nullable_custom_property_that_agrees_is_accepted(required: bool) -> None:
    contract = parse_odcs(dump(_with_nullable(required, not required)), source="ok")
    field = contract.structural.field("text")
    assert field is not None and (field.required, field.nullable) == (required, not required)


def test_written_contracts_say_it_with_required_alone() -> None:
    """The demo's `confidence` may be null (it gates on its null rate), so it is not required."""
    doc = example_doc("sft-instructions")
    confidence = next(p for p in doc["schema"][0]["properties"] if p["name"] == "confidence")
    assert confidence["required"] is False
    assert all(c["property"] != "nullable" for p in doc["schema"][0]["properties"]
               for c in p.get("customProperties", []))
    contract = example("sft-instructions")
    assert parse_odcs(dump_odcs(contract), source="again") == contract


def test_a_primary_key_that_may_be_null_is_refused() -> None:
    """A primary key is not null (datacontract-cli checks it so): an optional one is refused
    rather than letting null ids through."""
    doc = yaml.safe_load(SMALL)
    doc["schema"][0]["properties"][0]["required"] = False
    with pytest.raises(BadInput) as info:
        parse_odcs(dump(doc), source="bad.odcs.yaml")
    assert str(info.value) == (
        "bad.odcs.yaml: a primary key may not be null; field 'schema[0].properties[0].required'; "
        "expected true (a primary key is required: present and not null); got False")
