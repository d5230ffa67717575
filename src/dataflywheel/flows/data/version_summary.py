"""The working quality summary of a candidate: the checks re-run over the union of its batches.

Guarantees: the summary is computed from the stored bytes of every file of every batch in the
candidate (never from the per-batch reports alone), so a record repeated in two batches counts as
a duplicate; contamination is measured against every frozen evaluation-set version (files of the
candidate's own dataset excluded), each read at its own contract's text fields, and gated when the
candidate's contract gates `contamination_rate`; `contamination_checked` is true only when texts
were compared (a reference without text leaves it false, with `contamination_problem` saying why);
the union report is stored as a blob and the summary names it and the exact batch set it covers,
so the freeze gate can tell a stale summary from a current one.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.builtin.contamination import ContaminationSpec
from dataflywheel.checks.builtin.near_duplicates import NearDuplicateSpec
from dataflywheel.checks.plan import CheckPlan, ChecksSpec
from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.records.data import Batch, DatasetVersion
from dataflywheel.domain.states import VersionState
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.data._staging import relative_report, staged
from dataflywheel.flows.data.delivery_check import (
    EvalReference,
    evaluation_references,
    staged_references,
)
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, DatasetVersions

UNION_METRICS = ("duplicate_count", "duplicate_rate", "duplicate_group_count",
                 "near_duplicate_rate", "contamination_rate", "record_count")


def refresh_summary(ws: Workspace, version_id: str, *, engine: str = "single") -> DatasetVersion:
    """Recompute and record the candidate's summary; a no-op on anything but a candidate."""
    with ws.db.session() as s:
        DatasetVersions(s).get(version_id)
        batch_ids = [b.id for b in DatasetVersions(s).batches_of(version_id)]
    summary = summarize(ws, batch_ids, version_id=version_id, engine=engine)
    with ws.db.unit_of_work() as s:
        current = DatasetVersions(s).get(version_id)
        now_ids = [b.id for b in DatasetVersions(s).batches_of(version_id)]
        if current.state is not VersionState.CANDIDATE or now_ids != summary["batches"]:
            return current  # frozen meanwhile, or another change recomputes it
        after = current.model_copy(update={"quality_summary": summary})
        return update_audited(DatasetVersions(s), current, after, actor=ws.actor,
                              action="version.summary")


def summarize(ws: Workspace, batch_ids: list[str], *, version_id: str | None = None,
              engine: str = "single") -> dict[str, Any]:
    """The working summary of the batches `batch_ids` (in batch-id order, as a version lists
    them), computed outside any transaction, so `versions create` can commit a candidate together
    with its summary. `version_id` names the candidate whose own frozen files are no reference."""
    with ws.db.session() as s:
        batches = [Batches(s).get(b) for b in sorted(batch_ids)]
        files = [(f"{b.id}-{f.position}-{f.name}", f.sha256)
                 for b in batches for f in Batches(s).files(b.id)]
        plan = union_plan(s, batches)
        references = current_references(s, version_id or "")
    summary = _compute(ws, batches, files, plan, references, engine)
    summary["evaluation_versions"] = reference_versions(references)
    return summary


def reference_versions(references: list[EvalReference]) -> list[str]:
    """The frozen evaluation-set versions a summary was checked against, by id."""
    return sorted({r.name.split("-B-")[0] for r in references})


def current_references(s: Session, version_id: str) -> list[EvalReference]:
    """The contamination reference of `version_id` now: every frozen evaluation-set file but its own
    (all of them for "", a version not created yet)."""
    if not version_id:
        return evaluation_references(s)
    return [r for r in evaluation_references(s) if not r.name.startswith(f"{version_id}-")]


def union_plan(s: Session, batches: list[Batch]) -> CheckPlan | None:
    """Duplicate and near-duplicate checks on the text fields of the first batch's contract,
    and its `contamination_rate` gate when it has one.

    The plan (and so the report) is named after the batch set, not the version: the same batches
    give the same report whether summarised before or after the candidate exists."""
    from dataflywheel.flows.contracts.contract_plan import compile_plan
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    if not batches:
        return None
    cv = ContractVersions(s).get(batches[0].contract_version_id)
    contract = parse_odcs(cv.document, source=cv.id)
    base = compile_plan(contract, contamination_reference=["-"])
    return CheckPlan(
        name="union of " + ", ".join(b.id for b in batches), id_field=base.id_field,
        text_fields=base.text_fields,
        checks=ChecksSpec(structural=False, exact_duplicates=True, blank=False, charset=False,
                          length=False, near_duplicates=NearDuplicateSpec()),
        thresholds=[t for t in base.thresholds if t.metric == "contamination_rate"],
        contract=cv.id)


def _compute(ws: Workspace, batches: list[Batch], files: list[tuple[str, str]],
             plan: CheckPlan | None, references: list[EvalReference],
             engine: str) -> dict[str, Any]:
    ids = [b.id for b in batches]
    if plan is None or not files:
        return {"batches": ids, "records": 0, "report_sha256": None}
    with ExitStack() as stack:
        root, paths = stack.enter_context(staged(ws.blobs, files))
        ref_root, ref_files = stack.enter_context(staged_references(ws, references))
        if ref_files:
            plan = plan.model_copy(update={"checks": plan.checks.model_copy(update={
                "contamination": ContaminationSpec(reference=list(ref_files))})})
        else:  # nothing to compare with: the gate is the freeze gate's to judge, not this one
            plan = plan.model_copy(update={"thresholds": []})
        report = run_checks(paths, plan, engine=engine)
        text = relative_report(report, root, ref_root)
    from io import BytesIO

    sha = ws.blobs.put_stream(BytesIO(text.encode("utf-8"))).sha256
    return _summary(ids, batches, QualityReport.model_validate_json(text), sha)


def _summary(ids: list[str], batches: list[Batch], report: QualityReport,
             sha: str) -> dict[str, Any]:
    within = sum(int(b.quality_summary.get("metrics", {}).get("duplicate_count", 0))
                 for b in batches)
    union_dups = int(report.metrics.get("duplicate_count", 0))
    out: dict[str, Any] = {
        "batches": ids, "records": report.records, "report_sha256": sha,
        "metrics": {k: report.metrics[k] for k in UNION_METRICS if k in report.metrics},
        "cross_batch_duplicate_count": max(0, union_dups - within),
        "contamination_checked": "contamination_rate" in report.metrics,
        "batch_reports": {b.id: b.report_sha256 for b in batches},
        "failed_gates": [{"metric": g.metric, "op": g.op, "value": g.value,
                          "observed": g.observed, "note": g.note} for g in report.failed_gates],
    }
    unusable = report.checks.get("contamination")
    if unusable is not None and unusable.undefined:
        out["contamination_problem"] = unusable.undefined["contamination_rate"]
    return out
