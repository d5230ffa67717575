"""Shared helpers for the contract flow tests and the ODCS integration tests (tests/flows/contracts,
tests/integrations): the example contracts and a way to edit their YAML."""

from __future__ import annotations

from typing import Any

import yaml
from contract_fixtures import CONTRACT_IDS as EXAMPLE_IDS
from contract_fixtures import contract_path as example_path

from dataflywheel.domain.records.contract import Contract
from dataflywheel.integrations.odcs import load_odcs

__all__ = ["EXAMPLE_IDS", "custom", "dump", "example", "example_doc", "example_path", "v3_2_enum_doc"]


def example(contract_id: str) -> Contract:
    return load_odcs(example_path(contract_id))[0]


def example_doc(contract_id: str) -> dict[str, Any]:
    data = yaml.safe_load(example_path(contract_id).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def custom(items: list[dict[str, Any]], name: str) -> Any:
    return next(p["value"] for p in items if p["property"] == name)


def v3_2_enum_doc() -> dict[str, Any]:
    """The sft-instructions example as ODCS v3.2.0, its `annotator_id` given the v3.2-only enum
    (values v1-a and v2-b)."""
    doc = example_doc("sft-instructions") | {"apiVersion": "v3.2.0"}
    prop = doc["schema"][0]["properties"][2]
    assert prop["name"] == "annotator_id"
    prop["enum"] = [{"value": "v1-a", "label": "vendor one"}, {"value": "v2-b"}]
    return doc
