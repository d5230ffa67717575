"""Compile a contract version into the quality engine's `CheckPlan`.

Guarantees: the plan checks every field of the structural layer (type, required, nullable, enum,
extra fields), gates on every threshold of the operational layer, and turns on each optional
check a threshold needs (near duplicates, PII, contamination, agreement, spot check). A threshold
whose check cannot be configured from what is given is an error, never a silently missing gate.
Lines that do not parse and records that are rejected are gated by default (`DEFAULT_GATES`:
`invalid_json_rate <= 0`, `reject_rate <= 0`): a batch of unparseable lines never passes a plan
on the strength of its few parseable ones. A contract loosens either gate only explicitly, with an
upper bound of its own on that metric (`reject_rate < 0.01`). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from dataflywheel.checks.plan import (
    AgreementSpec,
    CheckPlan,
    ChecksSpec,
    ContaminationSpec,
    FieldSpec,
    NearDuplicateSpec,
    PiiSpec,
    ReferenceFile,
    SchemaSpec,
    SpotCheckSpec,
)
from dataflywheel.checks.plan import (
    FieldType as PlanFieldType,
)
from dataflywheel.checks.plan import (
    Threshold as PlanThreshold,
)
from dataflywheel.domain.records.contract import Contract, ContractField, FieldType
from dataflywheel.errors import BadInput

AGREEMENT_METRICS = ("agreement_krippendorff_alpha", "agreement_fleiss_kappa", "agreement_cohen_kappa")
DEFAULT_GATES = ("invalid_json_rate", "reject_rate")


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
    metrics = {t.metric for t in contract.operational.thresholds}
    s = contract.structural
    text_fields = text_fields_of(contract)
    checks = ChecksSpec(
        near_duplicates=NearDuplicateSpec() if "near_duplicate_rate" in metrics else None,
        pii=_pii(contract, metrics),
        contamination=_contamination(contract, metrics, contamination_reference),
        agreement=_agreement(contract, metrics),
        spot_check=(
            SpotCheckSpec(sample_size=contract.operational.spot_check_sample_size,
                          reviews=spot_check_reviews)
            if "spot_check_pass_rate" in metrics else None
        ),
    )
    try:
        return CheckPlan(
            name=contract.version_id,
            id_field=s.id_field,
            text_fields=text_fields,
            schema_=SchemaSpec(fields=[_field_spec(f) for f in s.fields],
                               additional_fields=s.additional_fields),
            checks=checks,
            thresholds=_thresholds(contract),
            contract=contract.version_id,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"contract {contract.version_id} does not compile to a check plan",
                       field=".".join(map(str, first["loc"])) or None,
                       expected=first["msg"].removeprefix("Value error, ")) from None


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
        type=PlanFieldType(f.type.value),
        required=f.required,
        nullable=f.nullable,
        enum=f.enum,
        items=None if f.items is None else PlanFieldType(f.items.value),
    )


def _pii(contract: Contract, metrics: set[str]) -> PiiSpec | None:
    """The PII check under a `pii_rate` gate, with the contract's own patterns added."""
    if "pii_rate" not in metrics:
        return None
    return PiiSpec(id_patterns={p.name: p.pattern for p in contract.operational.pii_patterns})


def _contamination(
    contract: Contract, metrics: set[str], reference: Sequence[str | ReferenceFile] | None
) -> ContaminationSpec | None:
    if "contamination_rate" not in metrics:
        return None
    if not reference:
        raise BadInput(
            f"contract {contract.version_id} gates on contamination_rate but no evaluation set "
            "was given to compare with",
            expected="at least one reference file (the frozen evaluation sets)",
            hint=f"flywheel contracts plan {contract.version_id} --reference EVAL.jsonl",
        )
    return ContaminationSpec(reference=list(reference))


def _agreement(contract: Contract, metrics: set[str]) -> AgreementSpec | None:
    wanted = [m for m in AGREEMENT_METRICS if m in metrics]
    if not wanted:
        return None
    settings = contract.operational.agreement
    if settings is None:
        raise BadInput(
            f"contract {contract.version_id} gates on {wanted[0]} but does not say where the "
            "agreement check finds items, annotators and labels",
            field="customProperties.flywheelOperational.agreement",
            expected="itemField, annotatorField, labelField",
        )
    return AgreementSpec(item_field=settings.item_field, annotator_field=settings.annotator_field,
                         label_field=settings.label_field, level=settings.level,
                         scale=settings.scale)
