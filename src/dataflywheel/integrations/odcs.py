"""Contracts as Open Data Contract Standard YAML (`*.odcs.yaml`): read v3.0.2, v3.1.0 and v3.2.0,
write v3.1.0.

Mapping (docs/contracts.md has the full table):
- structure → `schema[0].properties` (logicalType, required, primaryKey, items; an enum is a
  property-level `invalidValues` rule with `validValues` and `mustBe: 0`, or in v3.2.0 the
  property's `enum`; `required: true` means present and not null, `false` allows absence and
  nulls, as the standard says; the text fields are custom properties);
- semantics → each property's `description`, `examples` and custom properties `boundary`,
  `borderlineExamples`; the guide version under `customProperties: flywheelSemantic`;
- thresholds → `schema[0].quality`: ODCS library metrics where they fit (`duplicateValues`,
  `missingValues`, `invalidValues`, with `unit: percent`), the LLM checks as `type: custom` rules
  with `engine: dataflywheel`; the SLA → `slaProperties`; the rest of the operational and change
  layers under `customProperties: flywheelOperational / flywheelChange`.

Reading refuses, naming the file, the path in the document and what was expected: YAML that does
not parse or uses aliases, an `apiVersion` we ship no schema for, anything the official JSON schema
of the document's own `apiVersion` refuses — unknown fields included — (`odcs_schema.py`), a
property that constrains the data in a way the check plan cannot enforce, a field type or quality
rule we cannot check, and values out of range. Parts of ODCS that do not affect checking (servers,
team, support…) are accepted and kept in the stored document; they are not part of the domain
model. Writing lives in `odcs_write.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dataflywheel.checks.metrics import MetricKind
from dataflywheel.checks.registry import gate_metrics, gate_problem, metric_info
from dataflywheel.domain.records.contract import (
    ChangeLayer,
    Contract,
    ContractField,
    DeliverySla,
    FieldSemantics,
    OperationalLayer,
    SemanticLayer,
    StructuralLayer,
    Threshold,
)
from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import DECLARED, FieldType
from dataflywheel.integrations.odcs_schema import (
    API_VERSION,
    ENGINE,
    FIELD_LIBRARY_METRICS,
    LIBRARY_METRICS,
    OPS,
    OWN_PROPERTIES,
    SUFFIX,
    SUPPORTED_API_VERSIONS,
    UNENFORCED_OBJECT_KEYS,
    UNENFORCED_PROPERTY_KEYS,
    refuse_unenforced,
    validate_odcs,
)
from dataflywheel.integrations.odcs_schema import where as _where
from dataflywheel.integrations.odcs_write import dump_odcs, to_odcs

__all__ = ["API_VERSION", "SUFFIX", "SUPPORTED_API_VERSIONS", "dump_odcs", "load_odcs",
           "parse_odcs", "to_odcs", "validate_odcs"]

OTHER_OPS = ("mustBe", "mustNotBe", "mustBeBetween", "mustNotBeBetween")


# ---------------------------------------------------------------- reading


def load_odcs(path: str | Path) -> tuple[Contract, str]:
    """Read and validate a contract file; returns the contract and the exact text read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("contract file not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise BadInput("contract file is not UTF-8", path=str(path), got=str(exc)) from None
    except OSError as exc:
        raise BadInput(f"cannot read contract file: {exc.strerror}", path=str(path)) from None
    return parse_odcs(text, source=str(path)), text


def parse_odcs(text: str, *, source: str = "<contract>") -> Contract:
    """Parse, validate against the ODCS schema of the document's own `apiVersion`, and map to a
    `Contract`; every failure is a `BadInput`."""
    from dataflywheel.yamlsafe import safe_load

    data = safe_load(text, source=source)
    validate_odcs(data, source=source)
    return _to_contract(data, source)


def _build(model: type[BaseModel], data: Any, *, source: str, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = _where(first["loc"]) if first["loc"] else ""
        field = where + ("." + loc if loc and loc != "(top)" else "")
        msg = first["msg"].removeprefix("Value error, ")
        raise BadInput("invalid contract", path=source, field=field, expected=msg,
                       got=first.get("input") if first["type"] != "value_error" else None) from None


def _custom(props: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {p["property"]: p["value"] for p in props or []}


def _to_contract(data: dict[str, Any], source: str) -> Contract:
    objects = data.get("schema") or []
    if len(objects) != 1:
        raise BadInput("a contract describes one record type", path=source, field="schema",
                       expected="exactly one schema object", got=f"{len(objects)} objects")
    obj = objects[0]
    refuse_unenforced(obj, UNENFORCED_OBJECT_KEYS, "schema[0]", source)
    custom = _custom(data.get("customProperties"))
    unknown = [k for k in custom if k.startswith("flywheel") and k not in OWN_PROPERTIES]
    if unknown:
        raise BadInput("unknown flywheel custom property", path=source, field="customProperties",
                       expected="one of " + ", ".join(OWN_PROPERTIES), got=unknown[0])
    gates: list[Threshold] = []
    fields, semantics, id_field = _read_properties(obj.get("properties") or [], source, gates)
    obj_custom = _custom(obj.get("customProperties"))
    structural = _build(StructuralLayer, {
        "fields": fields, "id_field": id_field,
        "text_fields": obj_custom.get("textFields", []),
        "additional_fields": obj_custom.get("additionalFields", "reject"),
    }, source=source, where="schema[0]")
    sem = {**_own(custom, "flywheelSemantic", source), "fields": semantics}
    semantic = _build(SemanticLayer, sem, source=source, where="customProperties.flywheelSemantic")
    ops = dict(_own(custom, "flywheelOperational", source))
    ops["thresholds"] = _read_quality(obj.get("quality") or [], source) + gates
    if data.get("slaProperties"):
        ops["sla"] = _read_sla(data["slaProperties"], source)
    operational = _build(OperationalLayer, ops, source=source,
                         where="customProperties.flywheelOperational")
    change = _build(ChangeLayer, _own(custom, "flywheelChange", source), source=source,
                    where="customProperties.flywheelChange")
    purpose = (data.get("description") or {}).get("purpose")
    return _build(Contract, {  # type: ignore[no-any-return]
        "id": data["id"], "version": data["version"], "name": data.get("name") or data["id"],
        "purpose": purpose, "structural": structural, "semantic": semantic,
        "operational": operational, "change": change,
    }, source=source, where="(contract)")


def _own(custom: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    value = custom.get(key, {})
    if not isinstance(value, dict):
        raise BadInput("invalid contract", path=source, field=f"customProperties.{key}",
                       expected="a mapping", got=type(value).__name__)
    return _snake(value)  # type: ignore[no-any-return]


def _snake(data: Any) -> Any:
    from pydantic.alias_generators import to_snake

    if isinstance(data, dict):
        return {to_snake(k): _snake(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_snake(v) for v in data]
    return data


def _read_properties(
    props: list[dict[str, Any]], source: str, gates: list[Threshold]
) -> tuple[list[ContractField], dict[str, FieldSemantics], str | None]:
    """Fields, their semantics and the id field; per-field thresholds are appended to `gates`."""
    fields: list[ContractField] = []
    semantics: dict[str, FieldSemantics] = {}
    ids: list[str] = []
    for i, prop in enumerate(props):
        where = f"schema[0].properties[{i}]"
        name = prop["name"]
        if prop.get("properties"):
            raise BadInput("nested properties cannot be checked", path=source,
                           field=f"{where}.properties", expected="top-level fields only")
        refuse_unenforced(prop, UNENFORCED_PROPERTY_KEYS, where, source)
        extra = _custom(prop.get("customProperties"))
        enum = _read_enum(prop, where, source, gates)
        fields.append(_build(ContractField, {
            "name": name, "type": _field_type(prop, where, source),
            "required": _required(prop, extra, where, source),
            "enum": enum,
            "items": _items_type(prop, where, source),
        }, source=source, where=where))
        if prop.get("primaryKey"):
            _primary_key_not_null(prop, where, source)
            ids.append(name)
        sem = {"meaning": prop.get("description", ""), "examples": prop.get("examples", []),
               "boundary": extra.get("boundary"),
               "borderline_examples": extra.get("borderlineExamples", [])}
        if any(sem.values()):
            semantics[name] = _build(FieldSemantics, sem, source=source, where=where)
    if len(ids) > 1:
        raise BadInput("more than one primaryKey", path=source, field="schema[0].properties",
                       expected="at most one id field", got=ids)
    return fields, semantics, (ids[0] if ids else None)


def _required(prop: dict[str, Any], extra: dict[str, Any], where: str, source: str) -> bool:
    """ODCS `required` decides nulls (true: none; false: allowed); an older `nullable` custom
    property is accepted only where it agrees, never to let nulls through a required field."""
    required = bool(prop.get("required", False))
    nullable = extra.get("nullable")
    if nullable is not None and nullable is not (not required):
        meaning = "no nulls" if required else "nulls are allowed"
        raise BadInput("ODCS `required` decides whether nulls are allowed", path=source,
                       field=f"{where}.customProperties.nullable",
                       expected=f"{not required} or no nullable (required: "
                       f"{str(required).lower()} means {meaning})", got=nullable)
    return required


def _primary_key_not_null(prop: dict[str, Any], where: str, source: str) -> None:
    """A primary key is present and not null (ODCS; datacontract-cli checks it so)."""
    if not prop.get("required", False):
        raise BadInput("a primary key may not be null", path=source, field=f"{where}.required",
                       expected="true (a primary key is required: present and not null)",
                       got=bool(prop.get("required", False)))


def _field_type(prop: dict[str, Any], where: str, source: str) -> FieldType:
    value = prop.get("logicalType")
    if str(value) not in DECLARED:  # `any` is a plan's "not checked", never a contract's type
        raise BadInput("a field type we cannot check", path=source, field=f"{where}.logicalType",
                       expected="one of " + ", ".join(t.value for t in DECLARED),
                       got=value)
    return FieldType(str(value))


def _items_type(prop: dict[str, Any], where: str, source: str) -> FieldType | None:
    items = prop.get("items")
    if items is None:
        return None
    if set(items) - {"logicalType", "name", "description"}:
        raise BadInput("array items beyond a plain type cannot be checked", path=source,
                       field=f"{where}.items", expected="items: {logicalType: TYPE}")
    return _field_type(items, f"{where}.items", source)


def _read_enum(prop: dict[str, Any], where: str, source: str,
               gates: list[Threshold]) -> list[Any] | None:
    """The field's enum: a v3.2 `enum` list, or an `invalidValues` rule with `validValues`."""
    rule_enum = _read_field_quality(prop["name"], prop.get("quality") or [], where, source, gates)
    listed = prop.get("enum")
    if listed is None:
        return rule_enum
    if rule_enum is not None:
        raise BadInput("two enums for one field", path=source, field=f"{where}.enum",
                       expected="at most one of enum and an invalidValues rule with validValues")
    return [item["value"] for item in listed]


def _read_field_quality(name: str, rules: list[dict[str, Any]], where: str, source: str,
                        gates: list[Threshold]) -> list[Any] | None:
    """The field's enum (an `invalidValues` rule with `validValues`, `mustBe: 0`); its
    `nullValues` / `missingValues` percent rules become per-field thresholds."""
    enum: list[Any] | None = None
    for j, rule in enumerate(rules):
        here = f"{where}.quality[{j}]"
        valid = (rule.get("arguments") or {}).get("validValues")
        if rule.get("metric") == "invalidValues" and isinstance(valid, list) and rule.get("mustBe") == 0:
            if enum is not None:
                raise BadInput("two enums for one field", path=source, field=here,
                               expected="at most one invalidValues rule")
            enum = valid
        elif rule.get("type", "library") == "library" and rule.get("metric") in FIELD_LIBRARY_METRICS:
            metric = f"{FIELD_LIBRARY_METRICS[rule['metric']]}.{name}"
            gates.append(_threshold(metric, rule, rule.get("unit"), here, source))
        elif rule.get("type") != "text":
            raise BadInput("a field-level quality rule we cannot check", path=source, field=here,
                           expected="an enum (invalidValues, arguments.validValues, mustBe: 0), "
                           "nullValues or missingValues in percent",
                           got=rule.get("metric") or rule.get("rule") or rule.get("type"))
    return enum


def _read_quality(rules: list[dict[str, Any]], source: str) -> list[Threshold]:
    out: list[Threshold] = []
    for j, rule in enumerate(rules):
        where = f"schema[0].quality[{j}]"
        kind = rule.get("type", "library")
        if kind == "text":
            continue  # prose for people; nothing to check
        if kind == "library" and rule.get("metric") in LIBRARY_METRICS:
            metric, spec = LIBRARY_METRICS[rule["metric"]], rule
        elif kind == "custom" and rule.get("engine") == ENGINE and isinstance(
            rule.get("implementation"), dict
        ):
            spec = rule["implementation"]
            metric = spec.get("metric")
            known = gate_metrics()
            if metric not in known:
                raise BadInput("unknown dataflywheel metric", path=source,
                               field=f"{where}.implementation.metric",
                               expected="one of " + ", ".join(known), got=metric)
        else:
            raise BadInput("a quality rule we cannot check", path=source, field=where,
                           expected="library duplicateValues/invalidValues/rowCount, or "
                           f"type: custom with engine: {ENGINE}",
                           got=rule.get("metric") or rule.get("rule") or kind)
        out.append(_threshold(metric, spec, rule.get("unit"), where, source))
    return out


def _threshold(metric: str, spec: dict[str, Any], unit: Any, where: str, source: str) -> Threshold:
    ops = [k for k in OPS if k in spec]
    if len(ops) != 1 or any(k in spec for k in OTHER_OPS):
        raise BadInput("a threshold needs exactly one bound", path=source, field=where,
                       expected="one of " + ", ".join(OPS), got=sorted(set(spec) & {*OPS, *OTHER_OPS}))
    value = spec[ops[0]]
    info = metric_info(metric)
    assert info is not None
    units = {MetricKind.RATE: ("percent",), MetricKind.COEFFICIENT: (None,),
             MetricKind.COUNT: ("rows", None)}[info.kind]
    if unit not in units:
        raise BadInput(f"wrong unit for a {info.kind.value} threshold", path=source,
                       field=f"{where}.unit", got=unit, expected=" or ".join(
                           "no unit" if u is None else repr(u) for u in units))
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise BadInput("a threshold must be a number", path=source, field=f"{where}.{ops[0]}",
                       got=value)
    rate = info.kind is MetricKind.RATE
    scaled = value / 100 if rate else value
    data = {"metric": metric, "op": OPS[ops[0]], "value": scaled}
    problem = gate_problem(metric, scaled)
    if problem is not None:
        raise BadInput("invalid contract", path=source, field=where, expected=problem)
    return _build(Threshold, data, source=source, where=where)  # type: ignore[no-any-return]


def _read_sla(props: list[dict[str, Any]], source: str) -> DeliverySla:
    sla: dict[str, Any] = {}
    for j, prop in enumerate(props):
        where = f"slaProperties[{j}]"
        if prop["property"] == "frequency":
            sla["cadence"] = prop.get("value")
        elif prop["property"] == "timeOfAvailability":
            parts = str(prop.get("value", "")).split()
            if parts and not parts[0][:1].isdigit():
                sla["weekday"] = parts.pop(0).lower()
            if not parts or len(parts) > 2:
                raise BadInput("invalid delivery time", path=source, field=f"{where}.value",
                               expected="'[WEEKDAY] HH:MM [TIMEZONE]', e.g. 'friday 18:00 UTC'",
                               got=prop.get("value"))
            sla["time"] = parts[0]
            if len(parts) == 2:
                sla["timezone"] = parts[1]
        else:
            raise BadInput("an SLA property we do not track", path=source, field=f"{where}.property",
                           expected="frequency or timeOfAvailability", got=prop["property"])
    return _build(DeliverySla, sla, source=source, where="slaProperties")  # type: ignore[no-any-return]
