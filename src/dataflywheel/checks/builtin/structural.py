"""Structural check: every record parses, is an object, and matches the plan's schema subset.

Metrics (rates over all non-empty input lines, decoded or not, unless noted):
`record_count`, `invalid_json_count`, `invalid_json_rate` (lines that did not decode),
`schema_violation_count`, `schema_violation_rate`, `reject_count`, `reject_rate` (both kinds),
and per schema field `field_null_rate.<name>` (missing or null) and `field_blank_rate.<name>`
(a string that is empty or whitespace only), both over decoded records.
Every schema violation is a reject with all of the record's problems in its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Self

from dataflywheel.checks.base import Check, CheckResult, Partial, RecordBatch, Reject
from dataflywheel.checks.metrics import MetricInfo, MetricKind, gated_rate
from dataflywheel.checks.builtin.schema_struct import StructConformance
from dataflywheel.checks.plan import CheckPlan, FieldSpec
from dataflywheel.checks.results import ExampleRow, rate, take_examples, to_examples
from dataflywheel.fieldtypes import FieldType

_PY_TYPES: dict[FieldType, tuple[type, ...]] = {
    FieldType.STRING: (str,),
    FieldType.INTEGER: (int,),
    FieldType.NUMBER: (int, float),
    FieldType.BOOLEAN: (bool,),
    FieldType.ARRAY: (list,),
    FieldType.OBJECT: (dict,),
}


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type."""
    names = {
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        list: "array",
        dict: "object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


class SchemaValidator:
    """Validates decoded records against a plan's schema; returns every problem of a record."""

    def __init__(self, plan: CheckPlan) -> None:
        self.fields = plan.schema_.fields
        self.names = frozenset(f.name for f in self.fields)
        self.reject_extra = plan.schema_.additional_fields == "reject"
        self._enums = {
            f.name: frozenset(_enum_key(v) for v in f.enum) for f in self.fields if f.enum
        }
        self._fast = StructConformance(plan)

    def problems(self, value: Any) -> list[str]:
        if self._fast.conforms(value):  # the common case, decided in C
            return []
        return self.explain(value)

    def nonconforming(self, values: list[Any]) -> list[int]:
        """Indexes of the values that may have problems (the Struct test over the whole list);
        `explain` says what they are."""
        return self._fast.nonconforming(values)

    def explain(self, value: Any) -> list[str]:
        """Every problem of one record, found by the Python rules ([] when it has none)."""
        if type(value) is not dict:
            return [f"record is a JSON {json_type(value)}, expected an object"]
        out: list[str] = []
        for spec in self.fields:
            if spec.name not in value:
                if spec.required:
                    out.append(f"missing required field {spec.name!r}")
                continue
            problem = self._field_problem(spec, value[spec.name])
            if problem:
                out.append(problem)
        if self.reject_extra:
            extra = sorted(k for k in value if k not in self.names)
            if extra:
                out.append("fields not in the schema: " + ", ".join(repr(k) for k in extra))
        return out

    def _field_problem(self, spec: FieldSpec, value: Any) -> str | None:
        if value is None:
            return None if spec.nullable else f"field {spec.name!r}: expected {spec.type}, got null"
        allowed = _PY_TYPES.get(spec.type)
        if allowed is not None and type(value) not in allowed:
            return f"field {spec.name!r}: expected {spec.type}, got {json_type(value)}"
        enum = self._enums.get(spec.name)
        if enum is not None and _enum_key(value) not in enum:
            return f"field {spec.name!r}: {_short(value)} is not one of the allowed values"
        if spec.items is not None and type(value) is list:
            item_types = _PY_TYPES.get(spec.items)
            for i, item in enumerate(value):
                if item_types is not None and type(item) not in item_types:
                    return f"field {spec.name!r}[{i}]: expected {spec.items}, got {json_type(item)}"
        return None


def _split(values: list[Any], odd: list[int]) -> tuple[list[Any], list[Any]]:
    """(the values whose index is not in `odd`, those whose index is), each in order;
    `odd` is ascending."""
    if not odd:
        return values, []
    rest: list[Any] = []
    start = 0
    for i in odd:
        rest.extend(values[start:i])
        start = i + 1
    rest.extend(values[start:])
    return rest, [values[i] for i in odd]


def _conforming_nulls_and_blanks(values: list[dict[str, Any]], spec: FieldSpec) -> tuple[int, int]:
    """Nulls (missing or null) and blank strings of one field over records that passed the
    Struct test: in a field typed as a string those hold only strings or null, so both counts
    are made in C; a field of any type is counted one value at a time."""
    column = list(map(dict.get, values, repeat(spec.name)))
    nulls = column.count(None)
    if spec.type == FieldType.STRING:
        return nulls, column.count("") + sum(map(str.isspace, filter(None, column)))
    if spec.type == FieldType.ANY:
        return nulls, _blank_count(column)
    return nulls, 0


def _nulls_and_blanks(values: list[Any], name: str) -> tuple[int, int]:
    """Nulls and blanks of one field over any records (a record that is not an object counts
    as null in every field); blanks are empty or whitespace-only strings, as `str.strip` sees them."""
    objects = [v for v in values if type(v) is dict]
    column = [v.get(name) for v in objects]
    return column.count(None) + len(values) - len(objects), _blank_count(column)


def _blank_count(column: list[Any]) -> int:
    return sum(1 for v in column if type(v) is str and (not v or v.isspace()))


def _count_into(counts: dict[str, int], groups: list[str | None]) -> None:
    for group, n in Counter(groups).items():
        if group is not None:
            counts[group] = counts.get(group, 0) + n


def _enum_key(value: Any) -> tuple[str, Any]:
    return (json_type(value), value) if not isinstance(value, (list, dict)) else ("x", repr(value))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass(slots=True)
class StructuralPartial(Partial):
    limit: int
    records: int = 0
    invalid: int = 0
    nulls: dict[str, int] = field(default_factory=dict)
    blanks: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    invalid_examples: list[ExampleRow] = field(default_factory=list)
    group_total: dict[str, int] = field(default_factory=dict)
    group_bad: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Self) -> Self:
        self.records += other.records
        self.invalid += other.invalid
        for mine, theirs in (
            (self.nulls, other.nulls),
            (self.blanks, other.blanks),
            (self.group_total, other.group_total),
            (self.group_bad, other.group_bad),
        ):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n
        self.rejects.extend(other.rejects)
        self.invalid_examples = take_examples(
            self.invalid_examples, other.invalid_examples, self.limit
        )
        return self


class StructuralCheck(Check):
    """Parses, required fields, types, enums, extra fields; per-field null and blank rates."""

    name = "structural"
    on_by_default = True
    described = (
        MetricInfo("record_count", MetricKind.COUNT, higher_is_better=True),
        gated_rate("invalid_json_rate"),
        gated_rate("reject_rate"),
        gated_rate("schema_violation_rate"),
        MetricInfo("field_null_rate", MetricKind.RATE, higher_is_better=False, per_field=True),
        MetricInfo("field_blank_rate", MetricKind.RATE, higher_is_better=False, per_field=True),
    )
    metrics = (
        "record_count",
        "invalid_json_count",
        "invalid_json_rate",
        "schema_violation_count",
        "schema_violation_rate",
        "reject_count",
        "reject_rate",
    )

    def __init__(self, plan: CheckPlan) -> None:
        super().__init__(plan)
        self.validator = SchemaValidator(plan)

    @classmethod
    def metric_names(cls, plan: CheckPlan) -> tuple[str, ...]:
        per_field = [
            f"{kind}.{f.name}"
            for f in plan.schema_.fields
            for kind in ("field_null_rate", "field_blank_rate")
        ]
        return cls.metrics + tuple(per_field)

    def partial(self, batch: RecordBatch) -> StructuralPartial:
        part = StructuralPartial(
            limit=self.plan.max_examples, records=len(batch), invalid=len(batch.rejects)
        )
        part.invalid_examples = [
            (r.file, r.line, str(r.line), r.reason) for r in batch.rejects[: part.limit]
        ]
        values = batch.values
        bad_groups: list[str | None] = []
        odd = self.validator.nonconforming(values)  # few; the rest conform (decided in C)
        for i in odd:
            problems = self.validator.explain(values[i])
            if problems:
                reason = "; ".join(problems)
                part.rejects.append(
                    Reject(batch.file, batch.lines[i], reason, batch.ids[i], self.name)
                )
                bad_groups.append(batch.groups[i])
        _count_into(part.group_total, batch.groups)
        _count_into(part.group_bad, bad_groups)
        conforming, others = _split(values, odd)
        for spec in self.validator.fields:
            nulls, blanks = _conforming_nulls_and_blanks(conforming, spec)
            more_nulls, more_blanks = _nulls_and_blanks(others, spec.name)
            if nulls + more_nulls:
                part.nulls[spec.name] = part.nulls.get(spec.name, 0) + nulls + more_nulls
            if blanks + more_blanks:
                part.blanks[spec.name] = part.blanks.get(spec.name, 0) + blanks + more_blanks
        return part

    def finish(self, partial: Partial) -> CheckResult:
        assert isinstance(partial, StructuralPartial)
        total = partial.records + partial.invalid
        bad = len(partial.rejects)
        metrics = {
            "record_count": float(total),
            "invalid_json_count": float(partial.invalid),
            "invalid_json_rate": rate(partial.invalid, total),
            "schema_violation_count": float(bad),
            "schema_violation_rate": rate(bad, total),
            "reject_count": float(bad + partial.invalid),
            "reject_rate": rate(bad + partial.invalid, total),
        }
        for spec in self.validator.fields:
            metrics[f"field_null_rate.{spec.name}"] = rate(
                partial.nulls.get(spec.name, 0), partial.records
            )
            metrics[f"field_blank_rate.{spec.name}"] = rate(
                partial.blanks.get(spec.name, 0), partial.records
            )
        schema_examples = [
            (r.file, r.line, r.record_id or str(r.line), r.reason)
            for r in partial.rejects[: self.plan.max_examples]
        ]
        examples = {
            "invalid_json_rate": to_examples(partial.invalid_examples),
            "schema_violation_rate": to_examples(schema_examples),
        }
        breakdown = {
            g: {"schema_violation_rate": rate(partial.group_bad.get(g, 0), n)}
            for g, n in sorted(partial.group_total.items())
        }
        return CheckResult(
            check=self.name,
            metrics=metrics,
            examples={k: v for k, v in examples.items() if v},
            breakdown=breakdown,
            rejects=list(partial.rejects),
        )


CHECKS: list[type[Check]] = [StructuralCheck]
