"""Contracts written as ODCS v3.1.0 documents (`to_odcs`, `dump_odcs`); `parse_odcs` of what
this writes gives the same contract back (see `odcs.py` for the mapping and the reading).
"""

from __future__ import annotations

from typing import Any

import yaml

from dataflywheel.checks.metrics import MetricKind
from dataflywheel.checks.registry import metric_info
from dataflywheel.domain.records.contract import (
    Contract,
    ContractField,
    Threshold,
    metric_field,
)
from dataflywheel.integrations.odcs_schema import (
    API_VERSION,
    ENGINE,
    FIELD_LIBRARY_METRICS,
    LIBRARY_METRICS,
    OPS,
)


def to_odcs(contract: Contract, *, status: str = "proposed") -> dict[str, Any]:
    """The ODCS v3.1.0 document of a contract (a plain dict, ready for YAML)."""
    doc: dict[str, Any] = {
        "apiVersion": API_VERSION, "kind": "DataContract", "id": contract.id,
        "name": contract.name, "version": contract.version, "status": status,
    }
    if contract.purpose:
        doc["description"] = {"purpose": contract.purpose}
    s = contract.structural
    obj: dict[str, Any] = {"name": contract.id.replace("-", "_"), "logicalType": "object",
                           "properties": [_write_property(contract, f) for f in s.fields]}
    quality = [_write_threshold(t) for t in contract.operational.thresholds
               if metric_field(t.metric) is None]
    if quality:
        obj["quality"] = quality
    obj["customProperties"] = [{"property": "additionalFields", "value": s.additional_fields},
                               {"property": "textFields", "value": list(s.text_fields)}]
    doc["schema"] = [obj]
    sla = contract.operational.sla
    if sla is not None:
        when = " ".join(p for p in (sla.weekday, sla.time, sla.timezone) if p)
        doc["slaProperties"] = [{"property": "frequency", "value": sla.cadence},
                                {"property": "timeOfAvailability", "value": when}]
    doc["customProperties"] = [
        {"property": "flywheelSemantic",
         "value": _camel(contract.semantic.model_dump(mode="json", exclude={"fields"} | (
             set() if contract.semantic.guide_required else {"guide_required"})))},
        {"property": "flywheelOperational", "value": _camel(contract.operational.model_dump(
            mode="json", exclude={"thresholds", "sla"}
            | (set() if contract.operational.pii_patterns else {"pii_patterns"})))},
        {"property": "flywheelChange", "value": _camel(contract.change.model_dump(mode="json"))},
    ]
    return doc


def dump_odcs(contract: Contract, *, status: str = "proposed") -> str:
    """The ODCS YAML text of a contract; `parse_odcs(dump_odcs(c)) == c`."""
    text: str = yaml.safe_dump(to_odcs(contract, status=status), sort_keys=False, allow_unicode=True)
    return text


def _write_property(contract: Contract, f: ContractField) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": f.name, "logicalType": f.type.value, "required": f.required}
    if contract.structural.id_field == f.name:
        prop["primaryKey"] = True
    if f.items is not None:
        prop["items"] = {"logicalType": f.items.value}
    sem = contract.semantic.fields.get(f.name)
    if sem is not None and sem.meaning:
        prop["description"] = sem.meaning
    if sem is not None and sem.examples:
        prop["examples"] = list(sem.examples)
    quality = [_write_threshold(t) for t in contract.operational.thresholds
               if metric_field(t.metric) == f.name]
    if f.enum is not None:
        quality.insert(0, {"type": "library", "metric": "invalidValues",
                           "arguments": {"validValues": list(f.enum)}, "mustBe": 0})
    if quality:
        prop["quality"] = quality
    custom: list[dict[str, Any]] = []
    if sem is not None and sem.boundary:
        custom.append({"property": "boundary", "value": sem.boundary})
    if sem is not None and sem.borderline_examples:
        custom.append({"property": "borderlineExamples", "value": list(sem.borderline_examples)})
    if custom:
        prop["customProperties"] = custom
    return prop


def _write_threshold(t: Threshold) -> dict[str, Any]:
    op = next(k for k, v in OPS.items() if v == t.op)
    info = metric_info(t.metric)
    assert info is not None
    rate = info.kind is MetricKind.RATE
    value = round(t.value * 100, 10) if rate else t.value
    prefix = t.metric.partition(".")[0] if metric_field(t.metric) else t.metric
    library = {v: k for k, v in (LIBRARY_METRICS | FIELD_LIBRARY_METRICS).items()}.get(prefix)
    shown = f"{value:g} %" if rate else f"{value:g}"
    rule: dict[str, Any] = {"name": t.metric, "description": f"{t.metric} {t.op} {shown}"}
    if library:
        rule.update({"type": "library", "metric": library, op: value})
    else:
        rule.update({"type": "custom", "engine": ENGINE,
                     "implementation": {"metric": t.metric, op: value}})
    if rate:
        rule["unit"] = "percent"
    elif info.kind is MetricKind.COUNT:
        rule["unit"] = "rows"
    return rule


def _camel(data: Any) -> Any:
    """snake_case keys → camelCase (ODCS style) for the flywheel custom properties."""
    from pydantic.alias_generators import to_camel

    if isinstance(data, dict):
        return {to_camel(k): _camel(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_camel(v) for v in data]
    return data
