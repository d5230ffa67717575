"""The batch conformance test (one C call per batch, resumed after each failure) against the
per-record test, on random records of every shape, failures dense and sparse."""

from __future__ import annotations

import random
from typing import Any

import pytest
from checkhelp import plan

from dataflywheel.checks.builtin.schema_struct import StructConformance

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer", "required": False, "nullable": True},
        {"name": "tags", "type": "array", "items": "string", "required": False},
        {"name": "kind", "type": "string", "enum": ["a", "b"], "required": False},
    ],
    "additional_fields": "reject",
}


def _record(rng: random.Random, bad_share: float) -> Any:
    if rng.random() >= bad_share:
        return {"id": "x", "n": rng.choice([None, 1]), "kind": rng.choice(["a", "b"])}
    return rng.choice(
        [
            {"n": 1},  # missing id
            {"id": 3},
            {"id": "x", "tags": ["s", 1]},
            {"id": "x", "kind": "c"},
            {"id": "x", "extra": 1},
            ["not", "an", "object"],
            "text",
            None,
        ]
    )


@pytest.mark.parametrize("bad_share", [0.0, 0.01, 0.3, 1.0])
def test_nonconforming_is_the_per_record_test(bad_share: float) -> None:
    fast = StructConformance(plan(schema=SCHEMA))
    rng = random.Random(int(bad_share * 100))
    records = [_record(rng, bad_share) for _ in range(5000)]
    expected = [i for i, r in enumerate(records) if not fast.conforms(r)]
    assert fast.nonconforming(records) == expected
    assert fast.nonconforming([]) == []


def test_without_a_struct_every_record_goes_to_the_python_rules() -> None:
    floats = {"fields": [{"name": "x", "type": "number", "enum": [1.5, 2.5]}]}
    fast = StructConformance(plan(schema=floats))
    assert fast.struct is None
    assert fast.nonconforming([{"x": 1.5}, {"x": 3}]) == [0, 1]


def test_an_optional_field_may_come_before_a_required_one() -> None:
    """ODCS `required: false` fields sit anywhere in a contract (sft-instructions' `confidence`)."""
    schema = {"fields": [{"name": "note", "type": "string", "required": False, "nullable": True},
                         {"name": "id", "type": "string"}]}
    fast = StructConformance(plan(schema=schema))
    assert fast.struct is not None
    records = [{"id": "a"}, {"id": "b", "note": None}, {"note": "x"}, {"id": None}]
    assert fast.nonconforming(records) == [2, 3]
