"""`dataflywheel.fieldtypes`: one FieldType for plans and contracts; `any` is the plan's only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dataflywheel.checks.plan import FieldSpec
from dataflywheel.domain.records.contract import ContractField
from dataflywheel.fieldtypes import DECLARED, FieldType


def test_a_contract_declares_every_type_but_any() -> None:
    assert [t.value for t in DECLARED] == ["string", "integer", "number", "boolean", "array", "object"]
    for t in DECLARED:
        assert ContractField(name="f", type=t).type is t


def test_a_contract_field_of_type_any_is_refused() -> None:
    with pytest.raises(ValidationError, match="'any' is only a check plan's default"):
        ContractField(name="f", type="any")
    with pytest.raises(ValidationError, match="'any' is only a check plan's default"):
        ContractField(name="f", type="array", items="any")


def test_a_plan_field_is_any_unless_typed() -> None:
    assert FieldSpec(name="f").type is FieldType.ANY
    assert FieldSpec(name="f", type="array", items="integer").items is FieldType.INTEGER
