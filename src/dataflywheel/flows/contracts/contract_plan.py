"""Compile a contract version into the quality engine's `CheckPlan`.

Guarantees: the plan checks every field of the structural layer (type, required, nullable, enum,
extra fields), gates on every threshold of the operational layer, and turns on each optional
check a threshold needs: the check registry says which check produces a metric
(`checks.registry.check_of`), `CONFIGURE` how the contract sets up the checks that need more than
their defaults (PII patterns, evaluation sets, agreement fields, spot-check sample), so a plugin
check is turned on by a contract gating its metric. Every threshold names a metric a registered
check produces, within its range (`gate_problem`). A threshold whose check cannot be configured
from what is given is an error, never a silently missing gate.
Lines that do not parse and records that are rejected are gated by default (`DEFAULT_GATES`:
`invalid_json_rate <= 0`, `reject_rate <= 0`): a batch of unparseable lines never passes a plan
on the strength of its few parseable ones. A contract loosens either gate only explicitly, with an
upper bound of its own on that metric (`reject_rate < 0.01`). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from dataflywheel.checks.registry import registered_checks
from dataflywheel.checks.builtin.contamination import ReferenceFile
from dataflywheel.checks.plan import (
    CheckPlan,
    FieldSpec,
    SchemaSpec,
)
from dataflywheel.checks.plan import (
    Threshold as PlanThreshold,
)
from dataflywheel.checks.registry import check_of, gate_names, gate_problem
from dataflywheel.domain.records.contract import Contract, ContractField
from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import FieldType

DEFAULT_GATES = ("invalid_json_rate", "reject_rate")

# How a contract configures a check that one of its thresholds turns on, by check name: the
# check's settings (plain data its settings model validates), or a BadInput when the contract
# does not say enough. A check not named here runs with its settings model's defaults.
Configure = Callable[["_Compiling"], dict[str, Any]]


@dataclass(frozen=True)
class _Compiling:
    """What a check's settings may be compiled from: the contract, its gated metrics, and the
    files the caller gives (evaluation sets, reviews)."""

    contract: Contract
    metrics: set[str]
    contamination_reference: Sequence[str | ReferenceFile] | None
    spot_check_reviews: str | None


def compile_plan(
    contract: Contract,
    *,
    contamination_reference: Sequence[str | ReferenceFile] | None = None,
    spot_check_reviews: str | None = None,
) -> CheckPlan:
    """The check plan of one contract version.

    Args:
        contamination_reference: the frozen evaluation sets to compare with, each a path (read
            at this contract's text fields) or a `ReferenceFile` with its own set's text fields;
            required when the contract gates on `contamination_rate`.
        spot_check_reviews: the reviewers' verdicts file, when the spot check has been done.
    """
    for t in contract.operational.thresholds:
        problem = gate_problem(t.metric, t.value)
        if problem is not None:
            raise BadInput(f"contract {contract.version_id} does not compile to a check plan",
                           field="operational.thresholds", expected=problem)
    metrics = {t.metric for t in contract.operational.thresholds}
    given = _Compiling(contract, metrics, contamination_reference, spot_check_reviews)
    s = contract.structural
    try:
        return CheckPlan(
            name=contract.version_id,
            id_field=s.id_field,
            text_fields=text_fields_of(contract),
            schema_=SchemaSpec(fields=[_field_spec(f) for f in s.fields],
                               additional_fields=s.additional_fields),
            checks=_checks(given),
            thresholds=_thresholds(contract),
            contract=contract.version_id,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"contract {contract.version_id} does not compile to a check plan",
                       field=".".join(map(str, first["loc"])) or None,
                       expected=first["msg"].removeprefix("Value error, ")) from None


def _checks(given: _Compiling) -> dict[str, Any]:
    """Each check a threshold needs that does not run by default, in the registry's order:
    configured from the contract (`CONFIGURE`, else its settings' defaults), or switched on."""
    needed = {check_of(m) for m in given.metrics}
    return {name: True if cls.settings is None else CONFIGURE.get(name, _defaults)(given)
            for name, cls in registered_checks().items()
            if cls in needed and not cls.on_by_default}


def _defaults(given: _Compiling) -> dict[str, Any]:
    return {}


def text_fields_of(contract: Contract) -> list[str]:
    """The text the checks read: the contract's list, or every free-text field (string, no
    enum, not the id). An evaluation set is read at its own contract's, never the batch's."""
    s = contract.structural
    return list(s.text_fields) or [
        f.name for f in s.fields
        if f.type is FieldType.STRING and f.enum is None and f.name != s.id_field]


def _thresholds(contract: Contract) -> list[PlanThreshold]:
    """The contract's thresholds, then each default gate it does not bound from above itself."""
    source = f"contract {contract.version_id} operational.thresholds"
    own = [PlanThreshold(metric=t.metric, op=t.op, value=t.value, source=source)
           for t in contract.operational.thresholds]
    bounded = {t.metric for t in contract.operational.thresholds if t.is_upper_bound}
    return own + [
        PlanThreshold(metric=m, op="<=", value=0.0,
                      source=f"default of every contract plan (contract {contract.version_id} "
                             f"sets no upper bound on {m})")
        for m in DEFAULT_GATES if m not in bounded]


def _field_spec(f: ContractField) -> FieldSpec:
    return FieldSpec(
        name=f.name,
        type=f.type,
        required=f.required,
        nullable=f.nullable,
        enum=f.enum,
        items=f.items,
    )


def _pii(given: _Compiling) -> dict[str, Any]:
    """The PII check under a `pii_rate` gate, with the contract's own patterns added."""
    return {"id_patterns": {p.name: p.pattern for p in given.contract.operational.pii_patterns}}


def _contamination(given: _Compiling) -> dict[str, Any]:
    contract, reference = given.contract, given.contamination_reference
    if not reference:
        raise BadInput(
            f"contract {contract.version_id} gates on contamination_rate but no evaluation set "
            "was given to compare with",
            expected="at least one reference file (the frozen evaluation sets)",
            hint=f"flywheel contracts plan {contract.version_id} --reference EVAL.jsonl",
        )
    return {"reference": list(reference)}


def _agreement(given: _Compiling) -> dict[str, Any]:
    contract = given.contract
    settings = contract.operational.agreement
    if settings is None:
        wanted = [m for m in gate_names("agreement") if m in given.metrics]
        raise BadInput(
            f"contract {contract.version_id} gates on {wanted[0]} but does not say where the "
            "agreement check finds items, annotators and labels",
            field="customProperties.flywheelOperational.agreement",
            expected="itemField, annotatorField, labelField",
        )
    return {"item_field": settings.item_field, "annotator_field": settings.annotator_field,
            "label_field": settings.label_field, "level": settings.level, "scale": settings.scale}


def _spot_check(given: _Compiling) -> dict[str, Any]:
    return {"sample_size": given.contract.operational.spot_check_sample_size,
            "reviews": given.spot_check_reviews}


CONFIGURE: dict[str, Configure] = {
    "pii": _pii, "contamination": _contamination, "agreement": _agreement,
    "spot_check": _spot_check,
}
