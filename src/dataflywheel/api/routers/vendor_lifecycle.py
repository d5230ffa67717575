"""A vendor's lifecycle over HTTP (Table 24-21): onboarding evidence, dispatch, calibration,
process figures, offboarding, scorecard — one call each into `flows/vendors.py`, the flow
`flywheel vendors …` calls, answering what its `--json` prints.

Vendors are team-wide: recording their evidence, dispatching to them and offboarding them is a
team-wide Annotation Engineer's (the flow asks again); any person reads a scorecard.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Holds, Rule
from dataflywheel.api.request_text import Id, Prose, Word
from dataflywheel.domain.records.vendor import VendorEvidence
from dataflywheel.domain.roles import Role
from dataflywheel.flows import vendors as flow
from dataflywheel.flows.vendors import Monitored, OffboardedVendor, VendorScorecard

router = APIRouter(prefix="/api/v1", tags=["vendors"])

V = "/api/v1/vendors/{vendor}"
OPS = Holds(roles=frozenset({Role.ANNOTATION_ENGINEER}))
POLICY: dict[tuple[str, str], Rule] = {
    ("POST", V + "/evidence"): OPS,
    ("POST", V + "/dispatch"): OPS,
    ("POST", V + "/calibrations"): OPS,
    ("POST", V + "/monitoring"): OPS,
    ("POST", V + "/offboard"): OPS,
    ("GET", V + "/scorecard"): AnyPerson(),
}


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "test_task", "passed": True, "score": 0.96, "note": "50-item test task"}]})

    kind: Word = Field(description="confidentiality, compliance, tool_training, test_task or "
                                   "retraining")
    passed: bool = True
    score: float | None = Field(default=None, ge=0, le=1)
    note: Prose = ""


class DispatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "task_id": "T-0001", "guide_version": "sft-guide@1.2.0", "examples": ["EX-2"]}]})

    task_id: Id
    guide_version: Id
    examples: list[Id] = Field(default_factory=list, max_length=1000)


class CalibrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "gold": {"g1": "helpful"}, "answers": [["g1", "a1", "helpful"]],
        "guide_version": "sft-guide@1.2.0"}]})

    gold: dict[Id, Id] = Field(description="gold item id → its label", max_length=100_000)
    answers: list[tuple[Id, Id, Id]] = Field(description="[item id, annotator id, label]",
                                             max_length=1_000_000)
    guide_version: Id | None = None
    task_id: Id | None = None


class MonitoringIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "rework_rate": 0.04, "disputed_share": 0.02, "response_delay_hours": 6}]})

    rework_rate: float | None = None
    disputed_share: float | None = None
    response_delay_hours: float | None = None
    guide_version: Id | None = None


class OffboardIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "contract ended", "deletion_confirmation": "certificate DC-77: all data deleted"}]})

    reason: Prose = Field(min_length=1)
    deletion_confirmation: Prose = Field(min_length=1)


@router.post("/vendors/{vendor}/evidence", response_model=VendorEvidence, status_code=201)
def record(vendor: str, body: EvidenceIn, ws: ActingWorkspace) -> VendorEvidence:
    """Record onboarding evidence (or a retraining)."""
    return flow.record(ws, vendor, body.kind, passed=body.passed, score=body.score,
                       note=body.note)


@router.post("/vendors/{vendor}/dispatch", response_model=VendorEvidence, status_code=201)
def dispatch(vendor: str, body: DispatchIn, ws: ActingWorkspace) -> VendorEvidence:
    """Dispatch a task under a guide version in effect (an onboarded vendor only)."""
    return flow.dispatch(ws, vendor, task_id=body.task_id, guide_version=body.guide_version,
                         examples=body.examples or None)


@router.post("/vendors/{vendor}/calibrations", response_model=Monitored, status_code=201)
def calibrate(vendor: str, body: CalibrationIn, ws: ActingWorkspace) -> Monitored:
    """Score gold items automatically; a drift alert when accuracy is below the floor."""
    return flow.calibrate(ws, vendor, gold=body.gold, answers=body.answers,
                          guide_version=body.guide_version, task_id=body.task_id)


@router.post("/vendors/{vendor}/monitoring", response_model=Monitored, status_code=201)
def monitor(vendor: str, body: MonitoringIn, ws: ActingWorkspace) -> Monitored:
    """Record rework rate, disputed share and response delay; a drift alert past the limits."""
    return flow.monitor(ws, vendor, rework_rate=body.rework_rate,
                        disputed_share=body.disputed_share,
                        response_delay_hours=body.response_delay_hours,
                        guide_version=body.guide_version)


@router.post("/vendors/{vendor}/offboard", response_model=OffboardedVendor)
def offboard(vendor: str, body: OffboardIn, ws: ActingWorkspace) -> OffboardedVendor:
    """Revoke the vendor people's access, archive deliverables, record the deletion."""
    return flow.offboard_vendor(ws, vendor, reason=body.reason,
                                deletion_confirmation=body.deletion_confirmation)


@router.get("/vendors/{vendor}/scorecard", response_model=VendorScorecard)
def scorecard(vendor: str, ws: ActingWorkspace) -> VendorScorecard:
    """The vendor over time, per guide version and per annotator."""
    return flow.scorecard(ws, vendor)
