"""Release of a dataset version: the freeze gate, freeze, archive, rollback, the quarterly baseline.

Guarantees:
- `freeze` refuses with every unmet gate condition named at once (issue 5, (a)-(f)); nothing is
  written on a refusal.
- Freezing is one transaction on the locked version row: of many concurrent freezes exactly one
  succeeds; the others get `Conflict` and write nothing.
- A frozen version gets the next number of its dataset, a timestamp, and a manifest stored as a
  blob *before* the transaction commits; the manifest holds no time and no actor, so the same
  content frozen under the same number always has the same digest, and that digest is the
  version's identity (`manifest_sha256`, unique).
- A version frozen while a quality exception covers it (or one of its batches) is labelled
  `experimental`, in its record and its manifest; formal experiments refuse it. So is one frozen
  past a condition its Table 24-29 scenario does not require but which it did not meet (an
  exploratory version with batches never reviewed): it stays out of formal pipelines.
- A frozen version is never deleted: rollback withdraws it (with the Accountable person's approval
  for "data version rollback" and a linked issue) and moves the dataset's current pointer back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.control_points import RELEASE_GATE_CONDITIONS
from dataflywheel.domain.policies.governance_intensity import required_control_points
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import ComplianceStatus, Dataset, DatasetVersion
from dataflywheel.domain.records.governance import ExceptionType, Sensitivity
from dataflywheel.domain.records.issue import IssueLink, IssueRelation
from dataflywheel.domain.records.raci import NO_RESPONSE
from dataflywheel.domain.states import BatchState, RequirementState, VersionState, move
from dataflywheel.errors import Conflict, PolicyViolation
from dataflywheel.flows._audit import add_audited, audit, update_audited
from dataflywheel.flows.notifications import notify
from dataflywheel.flows.governance.consultations import outcomes
from dataflywheel.flows.governance.exception_coverage import (
    active_exception_covering,
    covering_exception_kinds,
)
from dataflywheel.flows.governance.raci import who
from dataflywheel.flows.data.freeze_procedure import procedure_conditions
from dataflywheel.flows.data.version_manifest import build_manifest, put_json
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.data.versions import locked_version, refuse_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets, DatasetVersions
from dataflywheel.store.repositories.issues import IssueLinks, Issues
from dataflywheel.store.repositories.people import Requirements

RELEASE_ITEM = "training_set_version_release"
ROLLBACK_ITEM = "data_version_rollback"


@dataclass
class GateCondition:
    code: str
    title: str
    problems: list[str]
    note: str | None = None  # "not required for <scenario>" where Table 24-29 skips it
    skipped: list[str] = field(default_factory=list)  # the problems that did not count

    @property
    def met(self) -> bool:
        return not self.problems


def under_quality_exception(s: Session, version_id: str, at: datetime) -> bool:
    """Whether an active quality exception covers the version or one of its batches."""
    return ExceptionType.QUALITY in covering_exception_kinds(s, version_id, at)


def gate(s: Session, version: DatasetVersion, *, approver: str | None,
         at: datetime) -> list[GateCondition]:
    """Every freeze condition with what is unmet about it (all met: no problems anywhere)."""
    ds = Datasets(s).get(version.dataset_id)
    batches = DatasetVersions(s).batches_of(version.id)
    return _by_scenario(ds, [
        GateCondition("a", "every batch passed or is covered by an active approved exception",
                      _batch_problems(s, batches, at, reviewing=False)),
        GateCondition("b", "linked requirement IDs", _requirement_problems(s, batches)),
        GateCondition("c", "the quality report", _report_problems(s, version, batches)),
        GateCondition("d", "a complete datasheet",
                      [f"datasheet lacks {m}" for m in version.datasheet.missing()]),
        GateCondition("e", "compliance approved by Legal/Compliance for non-public data",
                      _compliance_problems(ds, version)),
        GateCondition("f", "approval by the Accountable person for training-set version release",
                      _approval_problems(s, ds, approver)),
        GateCondition("r", "human review: no batch awaiting its spot-check review",
                      _batch_problems(s, batches, at, reviewing=True) if batches else []),
    ])


def _by_scenario(ds: Dataset, conditions: list[GateCondition]) -> list[GateCondition]:
    """The conditions with those of control points the dataset's Table 24-29 scenario does not
    require cleared and labelled "not required for <scenario>"."""
    required = required_control_points(ds.scenario)
    out = []
    for c in conditions:
        point = RELEASE_GATE_CONDITIONS[c.code]
        if point is None or point in required:
            out.append(c)
        else:
            out.append(GateCondition(c.code, c.title, [], skipped=c.problems,
                                     note=f"not required for {ds.scenario.value}"))
    return out


def _batch_problems(s: Session, batches: list[Any], at: datetime, *,
                    reviewing: bool) -> list[str]:
    """Batches not passed and not excepted: those awaiting people's reviews (`reviewing`, the
    human-review condition) or the others (failed, unchecked: the quality condition)."""
    if not batches:
        return ["the version has no batches"]
    return [f"batch {b.id} is {b.state.value} and no active approved exception covers it"
            for b in batches if b.state is not BatchState.PASSED
            and (b.state is BatchState.AWAITING_REVIEW) == reviewing
            and active_exception_covering(s, "batch", b.id, at) is None]


def _requirement_problems(s: Session, batches: list[Any]) -> list[str]:
    ids = sorted({b.requirement_id for b in batches})
    if not ids:
        return ["no requirement is linked (the version has no batches)"]
    repo = Requirements(s)
    return [f"requirement {r} is withdrawn" for r in ids
            if repo.get(r).state is RequirementState.WITHDRAWN]


def _report_problems(s: Session, version: DatasetVersion, batches: list[Any]) -> list[str]:
    from dataflywheel.flows.data.version_summary import current_references, reference_versions

    summary = version.quality_summary
    if not summary.get("report_sha256"):
        return ["no quality report over the version's batches"]
    if summary.get("batches") != [b.id for b in batches]:
        return ["the quality report is stale: it covers other batches"]
    now = reference_versions(current_references(s, version.id))
    if summary.get("evaluation_versions") != now:
        return [("the quality report is stale: evaluation sets frozen since were not checked for "
                f"contamination; run flywheel versions refresh {version.id}")]
    missing = [b.id for b in batches if b.report_sha256 is None and b.state is BatchState.PASSED]
    return [f"batch {b} has no quality report" for b in missing] + _union_gate_problems(summary)


def _union_gate_problems(summary: dict[str, Any]) -> list[str]:
    """The gates the union report fails (its contract's `contamination_rate`), with why."""
    out = []
    for g in summary.get("failed_gates") or []:
        shown = "undefined" if g["observed"] is None else f"{g['observed']:.6g}"
        note = f": {g['note']}" if g.get("note") else ""
        out.append(f"the union report fails {g['metric']} {shown} "
                   f"(needs {g['op']} {g['value']:g}){note}")
    return out


def _compliance_problems(ds: Dataset, version: DatasetVersion) -> list[str]:
    if ds.sensitivity is Sensitivity.PUBLIC or version.compliance is ComplianceStatus.APPROVED:
        return []
    return [(f"{ds.sensitivity.value} data needs Legal/Compliance approval "
            f"(compliance is {version.compliance.value})")]


def _approval_problems(s: Session, ds: Dataset, approver: str | None) -> list[str]:
    try:
        accountable = who(s, RELEASE_ITEM, ds.project_id).accountable
    except PolicyViolation as exc:
        return [str(exc)]
    if approver != accountable:
        return [(f"needs the approval of {accountable} (A for training-set version release); "
                f"got {approver or 'no approver'}")]
    return []


def check_gate(ws: Workspace, version_ref: str, *, approver: str | None = None,
               at: datetime | None = None, baseline: bool = False) -> list[GateCondition]:
    """The gate as it stands, for `flywheel versions show` (reads only); with `baseline`, the
    freeze procedure's conditions (g) and (h) too."""
    with ws.db.session() as s:
        version, when = resolve_version(s, version_ref), at or utcnow()
        extra = procedure_conditions(s, version, when) if baseline else []
        return gate(s, version, approver=approver, at=when) + [GateCondition(*x) for x in extra]


def freeze(ws: Workspace, version_ref: str, *, by: str,
           consultations: Mapping[str, str] | None = None, baseline: bool = False,
           now: datetime | None = None, waive_procedure: str | None = None) -> DatasetVersion:
    """Freeze a candidate through the gate (see the module docstring); `by` is the approver.

    A baseline freeze also needs the freeze procedure's notice and final spot check
    (`flows/data/freeze_procedure.py`, conditions (g) and (h)), which the Accountable approver may
    waive with a reason (`waive_procedure`, audited).
    """
    real_clock, now = now is None, now or utcnow()
    try:
        with ws.db.unit_of_work() as s:
            version = locked_version(s, version_ref)
            if version.state is VersionState.FROZEN:
                raise Conflict(f"version {version.id} was frozen first by another approval "
                               f"(number {version.number})", kept="nothing was changed",
                               hint=f"flywheel versions show {version.id}")
            if version.state is not VersionState.CANDIDATE:
                raise _Refused(version)
            _require_gate(s, version, by, now, procedure=baseline, waiver=waive_procedure)
            if baseline and waive_procedure:
                audit(s, actor=ws.actor, action="version.freeze_waiver", kind="dataset_version",
                      record_id=version.id, before=None, after={"waived": ["g", "h"]},
                      reason=f"freeze procedure waived by {by}: {waive_procedure}")
            frozen = _freeze_in(ws, s, version, by=by, consultations=consultations or {},
                                baseline=baseline, now=now)
            batch_ids = [b.id for b in DatasetVersions(s).batches_of(version.id)]
    except _Refused as refused:
        raise refuse_audited(ws, refused.version, "freeze", by=by) from None
    from dataflywheel.integrations.openlineage import emit_freeze

    emit_freeze(ws.settings, version=frozen, batch_ids=batch_ids, started_at=now,
                at=utcnow() if real_clock else frozen.frozen_at)  # after the commit it reports
    return frozen


class _Refused(Exception):
    def __init__(self, version: DatasetVersion) -> None:
        self.version = version


def _require_gate(s: Session, version: DatasetVersion, by: str, now: datetime, *,
                  procedure: bool = False, waiver: str | None = None) -> None:
    unmet = [c for c in gate(s, version, approver=by, at=now) if not c.met]
    if procedure and not (waiver and waiver.strip()):
        unmet += [c for c in (GateCondition(*x) for x in procedure_conditions(s, version, now))
                  if not c.met]
    if unmet:
        raise PolicyViolation(
            f"version {version.id} cannot be frozen: " + "; ".join(
                f"({c.code}) {c.title}: {', '.join(c.problems)}" for c in unmet),
            expected="all of the gate conditions (a)-(f) and (r)" + (
                " and the freeze procedure (g)-(h)" if procedure else ""),
            got="unmet: " + ", ".join(f"({c.code})" for c in unmet),
            kept=f"{version.id} is still a candidate", hint=f"flywheel versions show {version.id}")


def _freeze_in(ws: Workspace, s: Session, version: DatasetVersion, *, by: str,
               consultations: Mapping[str, str], baseline: bool, now: datetime) -> DatasetVersion:
    ds = Datasets(s).get(version.dataset_id)
    raci = who(s, RELEASE_ITEM, ds.project_id)
    number = DatasetVersions(s).next_number(ds.id)
    experimental = (version.experimental or under_quality_exception(s, version.id, now)
                    or any(c.skipped for c in gate(s, version, approver=by, at=now)))
    staged = version.model_copy(update={"number": number, "baseline": baseline,
                                        "approved_by_id": by, "experimental": experimental})
    extra = _baseline_reports(ws, s, staged, now) if baseline else {}
    manifest = build_manifest(s, staged, ds, extra=extra)
    sha = put_json(ws.blobs, manifest)  # the blob exists before the commit that names it
    after = staged.model_copy(update={
        "state": move(f"version {version.id}", version.state, VersionState.FROZEN),
        "manifest_sha256": sha, "frozen_at": now})
    after = DatasetVersion.model_validate(after.model_dump())
    update_audited(DatasetVersions(s), version, after, actor=ws.actor, action="version.freeze",
                   reason=f"approved by {by}; manifest {sha}")
    asked = outcomes(s, actor=ws.actor, record_kind="dataset_version", record_id=version.id, at=now)
    for person in raci.consulted:  # a consult request's record wins over an answer typed here
        answer = asked.get(person) or consultations.get(person, NO_RESPONSE)
        audit(s, actor=ws.actor, action="version.consulted", kind="dataset_version",
              record_id=version.id, before=None, after={"person": person, "response": answer},
              reason=f"{person}: {answer}")
    for person in raci.informed:
        notify(s, actor=ws.actor, to=person, kind="version_frozen", record_kind="dataset_version",
               record_id=version.id, at=now, subject=f"{ds.name}@{number} is frozen",
               body=f"manifest {sha}; approved by {by}")
    _point(ws, s, ds, after.id, why=f"frozen {ds.name}@{number}")
    return after


def _baseline_reports(ws: Workspace, s: Session, version: DatasetVersion,
                      now: datetime) -> dict[str, Any]:
    from dataflywheel.flows.data.version_manifest import lineage_report

    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    lineage = lineage_report(s, version)
    known = [{"issue": i.id, "severity": i.severity.value, "title": i.title, "state": i.state.value}
             for i in _known_defects(s, version)]
    limitations = {"known_defects": known,
                   "datasheet_known_defects": version.datasheet.known_defects or [],
                   "inapplicable_scenarios": version.datasheet.inapplicable_scenarios or []}
    return {"baseline": {"quarter": quarter, "lineage_report_sha256": put_json(ws.blobs, lineage),
                         "known_limitations_sha256": put_json(ws.blobs, limitations)}}


def _known_defects(s: Session, version: DatasetVersion) -> list[Any]:
    found = {i.id: i for i in Issues(s).linked_to(version_id=version.id)}
    for batch in DatasetVersions(s).batches_of(version.id):
        found.update({i.id: i for i in Issues(s).linked_to(batch_id=batch.id)})
    return [found[k] for k in sorted(found)]


def known_defects(ws: Workspace, version_ref: str) -> list[Any]:
    """Issues linked to the version or to any of its batches, by issue id."""
    with ws.db.session() as s:
        return _known_defects(s, resolve_version(s, version_ref))


def _point(ws: Workspace, s: Session, ds: Dataset, version_id: str | None, *, why: str) -> None:
    if ds.current_version_id == version_id:
        return
    after = ds.model_copy(update={"current_version_id": version_id})
    update_audited(Datasets(s), ds, after, actor=ws.actor, action="dataset.current", reason=why)


def archive(ws: Workspace, version_ref: str, *, by: str,
            now: datetime | None = None) -> DatasetVersion:
    """Take a frozen (or withdrawn) version out of active use; only the release's A may."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        version = locked_version(s, version_ref)
        ds = Datasets(s).get(version.dataset_id)
        _require_accountable(s, RELEASE_ITEM, ds, by, version)
        after = version.model_copy(update={
            "state": move(f"version {version.id}", version.state, VersionState.ARCHIVED),
            "archived_at": now})
        update_audited(DatasetVersions(s), version, after, actor=ws.actor,
                       action="version.archive", reason=f"by {by}")
        if ds.current_version_id == version.id:
            _point(ws, s, ds, _previous(s, after), why=f"archived {version.label}")
        return after


def rollback(ws: Workspace, version_ref: str, *, by: str, issue_id: str, reason: str,
             now: datetime | None = None) -> DatasetVersion:
    """Withdraw a frozen version (never delete it) and move the current pointer back."""
    real_clock, now = now is None, now or utcnow()
    with ws.db.unit_of_work() as s:
        version = locked_version(s, version_ref)
        ds = Datasets(s).get(version.dataset_id)
        _require_accountable(s, ROLLBACK_ITEM, ds, by, version)
        Issues(s).get(issue_id)
        after = version.model_copy(update={
            "state": move(f"version {version.id}", version.state, VersionState.WITHDRAWN),
            "withdrawn_at": now, "withdrawn_reason": reason, "withdrawn_issue_id": issue_id})
        update_audited(DatasetVersions(s), version, after, actor=ws.actor,
                       action="version.rollback", reason=f"{reason} (approved by {by}, {issue_id})")
        link = IssueLink.to(issue_id, IssueRelation.AFFECTS, version_id=version.id)
        if IssueLinks(s).find(link.id) is None:
            add_audited(IssueLinks(s), link, actor=ws.actor)
        if ds.current_version_id == version.id:
            _point(ws, s, ds, _previous(s, after), why=f"rolled back {version.label}")
        current = Datasets(s).get(version.dataset_id).current_version_id
        current_label = DatasetVersions(s).get(current).label if current else None
    from dataflywheel.integrations.openlineage import emit_rollback

    emit_rollback(ws.settings, withdrawn=after.label, current=current_label, started_at=now,
                  at=utcnow() if real_clock else now)  # after the commit it reports
    return after


def _require_accountable(s: Session, item: str, ds: Dataset, by: str,
                         version: DatasetVersion) -> None:
    accountable = who(s, item, ds.project_id).accountable
    if by != accountable:
        raise PolicyViolation(f"{item.replace('_', ' ')} of {version.label} needs the approval "
                              f"of its Accountable person", expected=accountable, got=by,
                              kept=f"{version.label} is unchanged")


def _previous(s: Session, version: DatasetVersion) -> str | None:
    """The newest frozen version of the dataset numbered below `version` (None if none)."""
    earlier = [v for v in DatasetVersions(s).frozen(version.dataset_id)
               if v.id != version.id and v.number is not None and version.number is not None
               and v.number < version.number]
    return max(earlier, key=lambda v: v.number or 0).id if earlier else None


__all__ = ["GateCondition", "archive", "check_gate", "freeze", "gate",
           "known_defects", "rollback"]
