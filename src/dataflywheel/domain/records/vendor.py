"""Vendor lifecycle evidence (Table 24-21, "DataOps Control Points for Outsourcing Annotation
Collaboration"): one record per piece of evidence, in the stage it belongs to.

The stages and their evidence, as the table recommends:
- onboarding: confidentiality and compliance confirmed, tool training, a test task with its result;
- task dispatch: the task id, the guide version and the examples cited;
- in-process monitoring: calibration results (gold items scored automatically), rework rate,
  disputed share, response delay, and the drift alerts they raise;
- delivery acceptance: the batches accepted through the delivery gate;
- problem feedback: questions, guide changes, retraining;
- offboarding: grants revoked, deliverables archived, data deletion confirmed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.domain.records.base import Record, utcnow


class VendorStage(StrEnum):
    ONBOARDING = "onboarding"
    DISPATCH = "dispatch"
    MONITORING = "monitoring"
    ACCEPTANCE = "acceptance"
    FEEDBACK = "feedback"
    OFFBOARDING = "offboarding"


class EvidenceKind(StrEnum):
    CONFIDENTIALITY = "confidentiality"
    COMPLIANCE = "compliance"
    TOOL_TRAINING = "tool_training"
    TEST_TASK = "test_task"
    TASK_DISPATCHED = "task_dispatched"
    CALIBRATION = "calibration"
    PROCESS_METRICS = "process_metrics"
    DRIFT_ALERT = "drift_alert"
    ACCEPTED_BATCH = "accepted_batch"
    RETRAINING = "retraining"
    GRANTS_REVOKED = "grants_revoked"
    DELIVERABLES_ARCHIVED = "deliverables_archived"
    DELETION_CONFIRMED = "deletion_confirmed"


STAGE_OF: dict[EvidenceKind, VendorStage] = {
    EvidenceKind.CONFIDENTIALITY: VendorStage.ONBOARDING,
    EvidenceKind.COMPLIANCE: VendorStage.ONBOARDING,
    EvidenceKind.TOOL_TRAINING: VendorStage.ONBOARDING,
    EvidenceKind.TEST_TASK: VendorStage.ONBOARDING,
    EvidenceKind.TASK_DISPATCHED: VendorStage.DISPATCH,
    EvidenceKind.CALIBRATION: VendorStage.MONITORING,
    EvidenceKind.PROCESS_METRICS: VendorStage.MONITORING,
    EvidenceKind.DRIFT_ALERT: VendorStage.MONITORING,
    EvidenceKind.ACCEPTED_BATCH: VendorStage.ACCEPTANCE,
    EvidenceKind.RETRAINING: VendorStage.FEEDBACK,
    EvidenceKind.GRANTS_REVOKED: VendorStage.OFFBOARDING,
    EvidenceKind.DELIVERABLES_ARCHIVED: VendorStage.OFFBOARDING,
    EvidenceKind.DELETION_CONFIRMED: VendorStage.OFFBOARDING,
}


class ControlPoint(BaseModel):
    """One row of Table 24-21, cell for cell."""

    model_config = ConfigDict(frozen=True)

    stage: str
    key_control_points: str
    recommended_evidence: str


TABLE_24_21: tuple[ControlPoint, ...] = (
    ControlPoint(stage="Onboarding",
                 key_control_points="Have confidentiality, compliance, and tool-training been "
                                    "completed?",
                 recommended_evidence="Training records, permission approvals, test-task results"),
    ControlPoint(stage="Task dispatch",
                 key_control_points="Are official annotation guides and versioned examples being "
                                    "used?",
                 recommended_evidence="Task IDs, guide versions, example-library citations"),
    ControlPoint(stage="In-process monitoring",
                 key_control_points="Is there quality drift or response delay?",
                 recommended_evidence="Calibration task results, rework rate, proportion of "
                                      "disputed samples"),
    ControlPoint(stage="Delivery acceptance",
                 key_control_points="Is the agreed quality standard met?",
                 recommended_evidence="Spot-check report, consistency report, issue list"),
    ControlPoint(stage="Problem feedback",
                 key_control_points="Is standard-comprehension deviation corrected promptly?",
                 recommended_evidence="Q&A records, guide changes, retraining records"),
    ControlPoint(stage="Offboarding and revocation",
                 key_control_points="Are permissions closed and deliverables archived?",
                 recommended_evidence="Permission-revocation records, data-deletion confirmation, "
                                      "delivery archive"),
)
"""Table 24-21 ("DataOps Control Points for Outsourcing Annotation Collaboration"), in order."""

TABLE_STAGE: dict[VendorStage, str] = dict(zip(VendorStage, (r.stage for r in TABLE_24_21),
                                               strict=True))
"""Each stage of the product → the row of Table 24-21 it keeps the evidence of (the same order)."""


class VendorEvidence(Record):
    """One piece of a vendor's lifecycle evidence: what, in which stage, who recorded it, and the
    figures and references it carries (a guide version, a task, a score)."""

    id: str = Field(pattern=r"^VE-[0-9]{4,}$")
    vendor_id: str
    stage: VendorStage
    kind: EvidenceKind
    passed: bool | None = None
    score: float | None = None
    guide_version: str | None = None
    task_id: str | None = Field(default=None, max_length=100)
    details: dict[str, Any] = Field(default_factory=dict)
    note: str = ""
    recorded_by: str
    recorded_at: datetime = Field(default_factory=utcnow)
