"""A msgspec Struct compiled from the plan's schema: a C-speed "this record is valid" test.

Guarantee: `conforms(value)` (and `nonconforming(values)`, the same test over a whole batch) is True only for records the Python validator in `structural` also
accepts (same types: no bool for integer, ints allowed for number; nulls only where nullable;
required fields; enums; array item types; extra fields when rejected). When it is False, the
Python validator says exactly what is wrong. Schemas the Struct cannot express exactly (enums of
floats or booleans) get no Struct and always take the Python path.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import msgspec

from dataflywheel.checks.plan import CheckPlan, FieldSpec
from dataflywheel.fieldtypes import FieldType

_TYPES: dict[FieldType, Any] = {
    FieldType.STRING: str,
    FieldType.INTEGER: int,
    FieldType.NUMBER: float,
    FieldType.BOOLEAN: bool,
    FieldType.ARRAY: list[Any],
    FieldType.OBJECT: dict[str, Any],
    FieldType.ANY: Any,
}


_NOT_NULL = str | int | float | bool | list[Any] | dict[str, Any]
_ENUM_TYPES = {FieldType.STRING: (str,), FieldType.INTEGER: (int,), FieldType.ANY: (str, int)}


def _field_type(spec: FieldSpec) -> Any | None:
    kind: Any = _TYPES[spec.type]
    if spec.enum is not None:
        allowed = _ENUM_TYPES.get(spec.type)
        if allowed is None or not all(type(v) in allowed for v in spec.enum):
            return None  # Literal cannot say it exactly; the Python path decides
        kind = Literal[tuple(spec.enum)]
    elif spec.type == FieldType.ARRAY and spec.items is not None:
        item: Any = _TYPES[spec.items]
        kind = list.__class_getitem__(item)
    elif spec.type == FieldType.ANY:
        return Any if spec.nullable else _NOT_NULL
    return kind | None if spec.nullable else kind


def compile_struct(plan: CheckPlan) -> type[msgspec.Struct] | None:
    """The Struct for the plan's schema, or None when it cannot be exact."""
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    rename: dict[str, str] = {}
    for i, spec in enumerate(plan.schema_.fields):
        kind = _field_type(spec)
        if kind is None:
            return None
        attr = f"f{i}"
        rename[attr] = spec.name
        fields.append(
            (attr, kind) if spec.required else (attr, kind | msgspec.UnsetType, msgspec.UNSET)
        )
    return msgspec.defstruct(
        "PlanRecord",
        fields,
        rename=rename,
        forbid_unknown_fields=plan.schema_.additional_fields == "reject",
        kw_only=True,  # an optional field may come before a required one
    )


_AT_INDEX = re.compile(r"at `\$\[(\d+)\]")


class StructConformance:
    """`conforms(value)` and `nonconforming(values)`: the fast tests; construct once per plan."""

    def __init__(self, plan: CheckPlan) -> None:
        self.struct = compile_struct(plan)
        self._many: Any = None if self.struct is None else list.__class_getitem__(self.struct)

    def nonconforming(self, values: list[Any]) -> list[int]:
        """Indexes of the values that do not conform, in order: one C call over the whole list,
        resumed after each failure (msgspec names the failing index, `$[k]`), so the cost is one
        conversion per value however many fail. Every index when the plan has no Struct."""
        if self._many is None:
            return list(range(len(values)))
        bad: list[int] = []
        start = 0
        while start < len(values):
            try:
                msgspec.convert(values[start:] if start else values, self._many)
                return bad
            except msgspec.ValidationError as exc:
                found = _AT_INDEX.search(str(exc))
                if found is None:  # not expected from msgspec; decide the rest one by one
                    bad.extend(i for i in range(start, len(values)) if not self.conforms(values[i]))
                    return bad
                bad.append(start + int(found.group(1)))
                start = bad[-1] + 1
        return bad

    def conforms(self, value: Any) -> bool:
        if self.struct is None or type(value) is not dict:
            return False
        try:
            msgspec.convert(value, self.struct)
        except msgspec.ValidationError:
            return False
        return True
