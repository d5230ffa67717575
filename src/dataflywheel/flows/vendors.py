"""A vendor's lifecycle (Table 24-21), each stage with its evidence as records.

Guarantees (each write is one transaction with its audit entries; a refusal writes nothing):
- onboarding evidence (confidentiality, compliance, tool training, a test task with its score) is
  recorded by an Annotation Engineer; a test task carries its quality score;
- work is dispatched only to an onboarded vendor (`domain/policies/vendor_lifecycle.py`), and only
  under a stored guide version in effect, citing its examples (all, or those named, which it must
  hold); a refused dispatch names what is missing;
- a calibration scores gold items automatically, overall and per annotator; a calibration or
  process figures past their limits raise a drift alert, recorded and sent to the Responsible and
  Accountable of `annotation_task_design`;
- acceptance is the delivery gate itself: the scorecard reads the vendor's batches;
- offboarding closes every vendor person's access through the existing offboarding flow (grants
  revoked, roles, logins, tokens), archives the deliverables (each batch file's sha256, checked
  present in the blob store), records the data-deletion confirmation, and deactivates the vendor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.policies.vendor_lifecycle import (
    Calibration,
    drift_reasons,
    missing_for_work,
    score_calibration,
)
from dataflywheel.domain.calendar import iso_week
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.vendor import STAGE_OF, EvidenceKind, VendorEvidence
from dataflywheel.domain.roles import Role
from dataflywheel.errors import BadInput, IntegrityError, PolicyViolation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows.contracts.lifecycle import _person, _require_role
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.measure import Figure
from dataflywheel.store.repositories.guides import GuideVersions, VendorEvidences
from dataflywheel.store.repositories.people import People, Vendors

RECORDABLE = (EvidenceKind.CONFIDENTIALITY, EvidenceKind.COMPLIANCE, EvidenceKind.TOOL_TRAINING,
              EvidenceKind.TEST_TASK, EvidenceKind.RETRAINING)
SCORECARD_METRICS = ("batch_pass_rate", "spot_check_pass_rate", "iaa", "rework_rate")


def _add(s: Session, ws: Workspace, vendor_id: str, kind: EvidenceKind, *, by: str,
         now: datetime, **fields: Any) -> VendorEvidence:
    repo = VendorEvidences(s)
    evidence = VendorEvidence(id=repo.next_id(), vendor_id=vendor_id, stage=STAGE_OF[kind],
                              kind=kind, recorded_by=by, recorded_at=now, **fields)
    return add_audited(repo, evidence, actor=ws.actor)


def _editor(s: Session, by: str, vendor_id: str, action: str) -> None:
    _person(s, by)
    Vendors(s).get(vendor_id)
    _require_role(s, by, Role.ANNOTATION_ENGINEER, None, action=action)


def record(ws: Workspace, vendor_id: str, kind: str, *, passed: bool = True,
           score: float | None = None, note: str = "", by: str | None = None,
           now: datetime | None = None) -> VendorEvidence:
    """Record onboarding evidence (or a retraining): what was confirmed, passed or scored."""
    now, by = now or utcnow(), by or ws.actor
    try:
        chosen = EvidenceKind(kind)
    except ValueError:
        chosen = None
    if chosen not in RECORDABLE:
        raise BadInput(f"unknown evidence kind {kind!r}", field="kind",
                       expected="one of " + ", ".join(k.value for k in RECORDABLE))
    assert chosen is not None
    if chosen is EvidenceKind.TEST_TASK and score is None:
        raise BadInput("a test task carries its quality result", field="score",
                       expected="the test task's score (e.g. its accuracy, 0.96)")
    with ws.db.unit_of_work() as s:
        _editor(s, by, vendor_id, f"record {chosen.value} of a vendor")
        return _add(s, ws, vendor_id, chosen, by=by, now=now, passed=passed, score=score, note=note)


def dispatch(ws: Workspace, vendor_id: str, *, task_id: str, guide_version: str,
             examples: Sequence[str] | None = None, by: str | None = None,
             now: datetime | None = None) -> VendorEvidence:
    """Dispatch a task to an onboarded vendor under a guide version in effect, citing examples."""
    now, by = now or utcnow(), by or ws.actor
    with ws.db.unit_of_work() as s:
        _editor(s, by, vendor_id, "dispatch work to a vendor")
        missing = missing_for_work(VendorEvidences(s).of_vendor(vendor_id))
        if missing:
            raise PolicyViolation(f"vendor {vendor_id} may not receive work: "
                                  + "; ".join(missing), kept="nothing was dispatched",
                                  hint=f"flywheel vendors record {vendor_id} KIND")
        version = GuideVersions(s).get(guide_version)
        if version.effective_from > now:
            raise PolicyViolation(f"guide version {version.id} takes effect "
                                  f"{version.effective_from.isoformat()}", kept="nothing was "
                                  "dispatched", expected="a guide version in effect")
        held = [e.id for e in version.examples]
        cited = list(examples) if examples else held
        unknown = [e for e in cited if e not in held]
        if unknown:
            raise BadInput(f"{version.id} has no example {unknown[0]!r}", field="examples",
                           expected="one of " + ", ".join(held))
        return _add(s, ws, vendor_id, EvidenceKind.TASK_DISPATCHED, by=by, now=now,
                    guide_version=version.id, task_id=task_id, details={"examples": cited})


class Monitored(BaseModel):
    evidence: VendorEvidence
    alert: VendorEvidence | None = None
    calibration: Calibration | None = None


def calibrate(ws: Workspace, vendor_id: str, *, gold: Mapping[str, str],
              answers: Sequence[tuple[str, str, str]], guide_version: str | None = None,
              task_id: str | None = None, by: str | None = None,
              now: datetime | None = None) -> Monitored:
    """Score the gold items of a batch's answers automatically; alert on drift."""
    now, by = now or utcnow(), by or ws.actor
    if not gold:
        raise BadInput("a calibration needs gold items", field="gold",
                       expected="item id → gold label, at least one")
    result = score_calibration(gold, answers)
    if result.answered == 0:
        raise BadInput("no answer is to a gold item", field="answers",
                       expected="answers naming the gold items' ids")
    with ws.db.unit_of_work() as s:
        _editor(s, by, vendor_id, "record a vendor calibration")
        if guide_version is not None:
            GuideVersions(s).get(guide_version)
        reasons = drift_reasons(accuracy=result.accuracy)
        evidence = _add(s, ws, vendor_id, EvidenceKind.CALIBRATION, by=by, now=now,
                        passed=not reasons, score=result.accuracy, guide_version=guide_version,
                        task_id=task_id, details=result.model_dump(mode="json"))
        alert = _alert(s, ws, vendor_id, reasons, evidence, by=by, now=now)
        return Monitored(evidence=evidence, alert=alert, calibration=result)


def monitor(ws: Workspace, vendor_id: str, *, rework_rate: float | None = None,
            disputed_share: float | None = None, response_delay_hours: float | None = None,
            guide_version: str | None = None, by: str | None = None,
            now: datetime | None = None) -> Monitored:
    """Record the in-process figures of a period (rework, disputes, response delay); alert on
    drift."""
    now, by = now or utcnow(), by or ws.actor
    figures = {"rework_rate": rework_rate, "disputed_share": disputed_share,
               "response_delay_hours": response_delay_hours}
    given = {k: v for k, v in figures.items() if v is not None}
    if not given:
        raise BadInput("no figure given", field="figures",
                       expected="--rework-rate, --disputed-share or --response-delay-hours")
    for name, value in given.items():
        if value < 0 or (name != "response_delay_hours" and value > 1):
            raise BadInput(f"{name} out of range", field=name, got=value,
                           expected="0..1" if name != "response_delay_hours" else "0 or more")
    with ws.db.unit_of_work() as s:
        _editor(s, by, vendor_id, "record a vendor's process figures")
        reasons = drift_reasons(**given)
        evidence = _add(s, ws, vendor_id, EvidenceKind.PROCESS_METRICS, by=by, now=now,
                        passed=not reasons, guide_version=guide_version, details=given)
        return Monitored(evidence=evidence,
                         alert=_alert(s, ws, vendor_id, reasons, evidence, by=by, now=now))


def _alert(s: Session, ws: Workspace, vendor_id: str, reasons: list[str],
           source: VendorEvidence, *, by: str, now: datetime) -> VendorEvidence | None:
    from dataflywheel.flows.governance.raci import who

    if not reasons:
        return None
    alert = _add(s, ws, vendor_id, EvidenceKind.DRIFT_ALERT, by=by, now=now, passed=False,
                 guide_version=source.guide_version, task_id=source.task_id,
                 details={"reasons": reasons, "evidence": source.id},
                 note="; ".join(reasons))
    answer = who(s, "annotation_task_design", None)
    for person in sorted({answer.accountable, *answer.responsible}):
        notify(s, actor=ws.actor, to=person, kind="vendor_drift",
               subject=f"drift at {vendor_id}: {'; '.join(reasons)}", record_kind="vendor_evidence",
               record_id=alert.id, body=f"from {source.id}", at=now)
    return alert


class OffboardedVendor(BaseModel):
    vendor_id: str
    people: list[str]
    grants_revoked: list[str]
    archived: list[str]
    evidence: list[VendorEvidence]


def offboard_vendor(ws: Workspace, vendor_id: str, *, reason: str, deletion_confirmation: str,
                    by: str | None = None, now: datetime | None = None) -> OffboardedVendor:
    """Close the vendor people's access, archive the deliverables, record the deletion."""
    from dataflywheel.flows.governance.offboarding import offboard
    from dataflywheel.store.repositories.data import Batches

    now, by = now or utcnow(), by or ws.actor
    if not reason.strip() or not deletion_confirmation.strip():
        raise BadInput("offboarding a vendor needs a reason and the data-deletion confirmation",
                       field="deletion_confirmation", expected="what the vendor confirmed deleted",
                       kept=f"{vendor_id} is unchanged")
    with ws.db.session() as s:
        _editor(s, by, vendor_id, "offboard a vendor")
        people = [p.id for p in People(s).list() if p.vendor_id == vendor_id and p.active]
        batches = [b for b in Batches(s).list() if b.delivered_by_vendor_id == vendor_id
                   or b.delivered_by_person_id in people]
        files = {b.id: [f.sha256 for f in Batches(s).files(b.id)] for b in batches}
    absent = [sha for shas in files.values() for sha in shas if not ws.blobs.exists(sha)]
    if absent:
        raise IntegrityError(f"{len(absent)} deliverable file(s) of {vendor_id} are missing from "
                             "the blob store", expected="every delivered file kept",
                             got=absent[0], hint="flywheel verify")
    revoked = [g for p in people for g in offboard(ws, p, reason=reason, now=now).grants_revoked]
    with ws.db.unit_of_work() as s:
        made = [
            _add(s, ws, vendor_id, EvidenceKind.GRANTS_REVOKED, by=by, now=now, passed=True,
                 details={"people": people, "grants": revoked}, note=reason),
            _add(s, ws, vendor_id, EvidenceKind.DELIVERABLES_ARCHIVED, by=by, now=now,
                 passed=True, details={"batches": files}),
            _add(s, ws, vendor_id, EvidenceKind.DELETION_CONFIRMED, by=by, now=now, passed=True,
                 note=deletion_confirmation)]
        vendor = Vendors(s).get(vendor_id)
        update_audited(Vendors(s), vendor, vendor.model_copy(update={"active": False}), actor=ws.actor,
                       action="vendor.offboard", reason=reason)
    return OffboardedVendor(vendor_id=vendor_id, people=people, grants_revoked=revoked,
                            archived=sorted(files), evidence=made)


class WeekFigures(BaseModel):
    """One ISO week of a vendor's batches (by when they were received) and its figures; None
    where the week holds nothing to measure (e.g. no review)."""

    week: str
    batches: int
    figures: dict[str, float | None]


class VendorScorecard(BaseModel):
    """A vendor over time: may it receive work, its evidence by stage, its batch figures (the
    metrics package's, broken down per guide version and per annotator), its calibrations and
    process figures in order, and its drift alerts."""

    vendor_id: str
    active: bool
    may_receive_work: bool
    missing: list[str]
    evidence: list[VendorEvidence]
    by_guide_version: list[Figure]
    by_annotator: list[Figure]
    by_week: list[WeekFigures]
    calibrations: list[dict[str, Any]]
    drift_alerts: list[str]


def scorecard(ws: Workspace, vendor_id: str, *, since: datetime | None = None,
              until: datetime | None = None) -> VendorScorecard:
    from dataflywheel.flows.metrics import checked_batches
    from dataflywheel.metrics.compute import one

    until = until or utcnow() + timedelta(seconds=1)
    since = since or until - timedelta(weeks=52)
    with ws.db.session() as s:
        vendor = Vendors(s).get(vendor_id)
        evidence = VendorEvidences(s).of_vendor(vendor_id)
        history = checked_batches(s, since, until)
    history = replace(history, batches=[b for b in history.batches
                                        if b.delivered_by_vendor_id == vendor_id])
    missing = missing_for_work(evidence)
    return VendorScorecard(
        vendor_id=vendor_id, active=vendor.active, may_receive_work=not missing, missing=missing,
        evidence=evidence,
        by_guide_version=[one(history, m, by="guide_version") for m in SCORECARD_METRICS],
        by_annotator=[one(history, m, by="annotator") for m in SCORECARD_METRICS],
        by_week=[WeekFigures(week=week, batches=len(batches), figures={
                     m: one(replace(history, batches=batches), m).value
                     for m in SCORECARD_METRICS})
                 for week, batches in _weeks(history.batches).items()],
        calibrations=[{"id": e.id, "at": e.recorded_at.isoformat(), "guide_version": e.guide_version,
                       "accuracy": e.score, "by_annotator": e.details.get("by_annotator", {})}
                      for e in evidence if e.kind is EvidenceKind.CALIBRATION],
        drift_alerts=[f"{e.id} {e.recorded_at:%Y-%m-%d}: {e.note}" for e in evidence
                      if e.kind is EvidenceKind.DRIFT_ALERT])


def readiness(ws: Workspace) -> dict[str, list[str]]:
    """Every vendor → what keeps it from receiving work (empty: it may), from its evidence in one
    read (the vendors page's status column; `scorecard` says the same for one vendor)."""
    with ws.db.session() as s:
        evidence: dict[str, list[VendorEvidence]] = {v.id: [] for v in Vendors(s).list()}
        for e in VendorEvidences(s).list():
            evidence.setdefault(e.vendor_id, []).append(e)
    return {vendor: missing_for_work(found) for vendor, found in evidence.items()}


def _weeks(batches: Sequence[Batch]) -> dict[str, list[Batch]]:
    """The batches by the ISO week they were received, oldest week first: the scorecard's
    series over time."""
    out: dict[str, list[Batch]] = {}
    for b in sorted(batches, key=lambda b: (b.received_at, b.id)):
        out.setdefault(iso_week(b.received_at), []).append(b)
    return out
