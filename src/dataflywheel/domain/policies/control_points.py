"""The control points and governance boundaries of P10 §9, each naming the code that enforces it.

A control point is a valve where the flywheel stops flowing on its own (§9.1); a governance boundary
is a place where incidents happen if nothing checks what crosses it (§9.2: before data enters the
system, at a cross-stage handoff, at rollback, in the audit log). Neither is a drawing here: each
names, as `module:attribute`, the gate or check that implements it, and `flywheel system controls`
resolves every name (a renamed gate makes it fail). The release gate's conditions carry the
control point they belong to (`RELEASE_GATE_CONDITIONS`), so Table 24-29 decides which of them a
dataset must meet (`flows/data/version_release.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dataflywheel.domain.policies.governance_intensity import ControlPoint
from dataflywheel.domain.records.project import Layer


@dataclass(frozen=True)
class Enforcement:
    """One check and the code that runs it (`module:attribute`)."""

    check: str
    implemented_by: str


@dataclass(frozen=True)
class ControlPointSpec:
    point: ControlPoint
    question: str
    gate: str
    enforced_by: tuple[Enforcement, ...]


@dataclass(frozen=True)
class Boundary:
    name: str
    crossing: str
    from_layer: Layer
    to_layer: Layer
    checks: tuple[Enforcement, ...]


CONTROL_POINTS: tuple[ControlPointSpec, ...] = (
    ControlPointSpec(
        ControlPoint.QUALITY_THRESHOLDS, "whether quality thresholds passed",
        "the contract gate (every batch passed; the version's union quality report)", (
            Enforcement("contract thresholds on every delivered batch",
                        "dataflywheel.flows.data.delivery_check:run_contract_checks"),
            Enforcement("release gate (a) every batch passed, (c) the quality report",
                        "dataflywheel.flows.data.version_release:gate"))),
    ControlPointSpec(
        ControlPoint.SENSITIVE_DATA, "whether sensitive information is involved",
        "the sensitivity grade, PII checks and access grants", (
            Enforcement("PII scan of delivered text", "dataflywheel.checks.builtin.pii:PiiCheck"),
            Enforcement("sensitivity grade of a dataset",
                        "dataflywheel.flows.governance.sensitivity:dataset_grade"),
            Enforcement("reads of governed data need an active grant",
                        "dataflywheel.flows.governance.access_reads:decide"),
            Enforcement("release gate (e) Legal/Compliance approval for non-public data",
                        "dataflywheel.flows.data.version_release:gate"))),
    ControlPointSpec(
        ControlPoint.HUMAN_REVIEW, "whether human review is required",
        "the spot-check review of every batch", (
            Enforcement("spot-check and agreement gates wait for people's reviews",
                        "dataflywheel.flows.data.review_gates:judge"),
            Enforcement("release gate (r) no batch awaiting review",
                        "dataflywheel.flows.data.version_release:gate"))),
    ControlPointSpec(
        ControlPoint.RELEASE, "whether data may enter downstream training or release",
        "the version release gate (the Accountable person's approval)", (
            Enforcement("release gate (f) approval by the Accountable person",
                        "dataflywheel.flows.data.version_release:freeze"),
            Enforcement("formal experiments refuse unreleased or experimental versions",
                        "dataflywheel.flows.experiments.runs:version_problem"))),
)

BOUNDARIES: tuple[Boundary, ...] = (
    Boundary("intake", "before data enters the system", Layer.DATA_SOURCE, Layer.PROCESSING, (
        Enforcement("delivered bytes stored under their sha256 before any check",
                    "dataflywheel.flows.data.delivery:deliver"),
        Enforcement("the contract's checks (schema, PII, duplicates) on every batch",
                    "dataflywheel.flows.data.delivery_check:run_contract_checks"))),
    Boundary("handoff", "cross-stage handoff of a dataset version to training",
             Layer.PROCESSING, Layer.MODELING, (
        Enforcement("the release gate on every freeze",
                    "dataflywheel.flows.data.version_release:freeze"),
        Enforcement("formal experiments use only frozen, non-experimental versions",
                    "dataflywheel.flows.experiments.runs:version_problem"))),
    Boundary("rollback", "withdrawing a released version", Layer.APPLICATION, Layer.GOVERNANCE, (
        Enforcement("rollback needs the Accountable person and a linked issue",
                    "dataflywheel.flows.data.version_release:rollback"),)),
    Boundary("audit", "every state change and governed read into the log",
             Layer.GOVERNANCE, Layer.GOVERNANCE, (
        Enforcement("the hash-chained audit log verifies", "dataflywheel.store.audit:verify_chain"),
        Enforcement("reads of governed data are recorded",
                    "dataflywheel.flows.governance.access_reads:record"))),
)

RELEASE_GATE_CONDITIONS: dict[str, ControlPoint | None] = {
    "a": ControlPoint.QUALITY_THRESHOLDS,
    "r": ControlPoint.HUMAN_REVIEW,
    "b": None,
    "c": ControlPoint.QUALITY_THRESHOLDS,
    "d": None,
    "e": ControlPoint.SENSITIVE_DATA,
    "f": ControlPoint.RELEASE,
}
"""Which control point each release-gate condition implements; None: basic records (linked
requirements, the datasheet) that every scenario keeps."""
