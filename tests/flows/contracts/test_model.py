"""The four-layer model refuses inconsistent contracts, each with a message naming the problem."""

from __future__ import annotations

import re
from typing import Any

import pytest
from contract_helpers import example
from pydantic import ValidationError
from test_changes import _field, _fields, edited

from dataflywheel.checks.registry import gate_problem, metric_info
from dataflywheel.domain.records.contract import (
    LAYER_OWNERS,
    Contract,
    Layer,
    Threshold,
    metric_field,
    split_version_id,
)
from dataflywheel.domain.roles import Role


def _refused(edit: Any) -> str:
    with pytest.raises(ValidationError) as info:
        edited(example("sft-instructions"), edit)
    return info.value.errors()[0]["msg"].removeprefix("Value error, ")


def test_layer_owners() -> None:
    assert LAYER_OWNERS == {Layer.STRUCTURAL: Role.DATA_ENGINEER, Layer.SEMANTIC: Role.ANNOTATION_ENGINEER,
                            Layer.OPERATIONAL: Role.DATA_OWNER, Layer.CHANGE: Role.DATA_OWNER}


def test_per_field_metrics() -> None:
    assert metric_field("field_null_rate.confidence") == "confidence"
    assert metric_field("duplicate_rate") is None
    assert metric_info("field_blank_rate.x") is not None and metric_info("field_blank_rate") is None
    assert metric_info("toxicity_rate") is None


def test_inconsistent_contracts() -> None:
    assert _refused(lambda d: d["operational"]["thresholds"].append(
        {"metric": "field_null_rate.grade", "op": "<", "value": 0.1})) == (
        "threshold field_null_rate.grade names 'grade', which is not a field")
    assert _refused(lambda d: _fields(d).append(dict(_field(d, "output")))) == (
        "field names must be unique, repeated: output")
    assert _refused(lambda d: _field(d, "output").update(items="string")) == (
        "field 'output': 'items' is only for array fields")
    assert _refused(lambda d: d["operational"]["thresholds"].append(
        {"metric": "duplicate_rate", "op": "<=", "value": 0.5})) == (
        "two thresholds bound duplicate_rate from the same side")
    assert _refused(lambda d: d["semantic"]["fields"].update({"grade": {"meaning": "x"}})) == (
        "semantic.fields names 'grade', which is not a field")


def test_threshold_ranges() -> None:
    """The check registry, not the domain model, knows the metrics and their ranges: the ODCS
    reader and the plan compiler ask it (`gate_problem`)."""
    assert gate_problem("record_count", -1) == "record_count threshold -1 is out of range 0 or more"
    assert re.fullmatch(r"unknown metric 'toxicity_rate'; expected one of record_count, .*"
                        r"field_null_rate\.FIELD, field_blank_rate\.FIELD",
                        gate_problem("toxicity_rate", 0.1) or "")
    assert gate_problem("agreement_cohen_kappa", -0.2) is None
    assert Threshold(metric="agreement_cohen_kappa", op=">", value=-0.2).value == -0.2


def test_version_ids() -> None:
    assert split_version_id("sft-instructions@1.2.0") == ("sft-instructions", "1.2.0")
    for bad in ("sft", "sft@", "@1.0.0", "sft@1.0"):
        with pytest.raises(ValueError):
            split_version_id(bad)
    assert isinstance(example("eval-set"), Contract)
