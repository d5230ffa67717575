"""The check step of a delivery: compile the pinned contract version, run it over the stored
bytes, store the report; and, for a failed batch, the Table 24-19 issue with its examples.

Guarantees: the plan is the one the batch's pinned contract version compiles to, with every frozen
evaluation-set version as the contamination reference; the report is stored as a blob before the
batch is marked, and its JSON names files by their delivered names only (same bytes, same report).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.builtin.contamination import ReferenceFile
from dataflywheel.checks.registry import headline_metrics
from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.policies.risk import tier_for_failed_batch
from dataflywheel.domain.records.data import Batch, BatchFile, DatasetPurpose
from dataflywheel.domain.records.issue import DiscoverySource, Issue
from dataflywheel.errors import FlywheelError
from dataflywheel.flows.data._staging import relative_report, staged
from dataflywheel.flows.data.delivery_files import naming_stored
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions
from dataflywheel.store.repositories.people import Requirements

MAX_EXAMPLES_IN_ISSUE = 10


@dataclass(frozen=True)
class EvalReference:
    """One file of a frozen evaluation-set version, with the text fields of the contract its
    batch was delivered under: an evaluation set is read at its own fields (`question`,
    `reference_answer`), never at the training batch's (`content`), which it does not have."""

    name: str  # VERSION-BATCH-POSITION-NAME: unique, and names the version it belongs to
    sha256: str
    text_fields: tuple[str, ...]


def evaluation_references(s: Session) -> list[EvalReference]:
    """Every file of every frozen evaluation-set version, in id order, with its text fields."""
    refs: list[EvalReference] = []
    versions = DatasetVersions(s)
    fields: dict[str, tuple[str, ...]] = {}
    for ds in Datasets(s).list(purpose=DatasetPurpose.EVALUATION.value):
        for version in versions.frozen(ds.id):
            for batch in versions.batches_of(version.id):
                if batch.contract_version_id not in fields:
                    fields[batch.contract_version_id] = _text_fields(s, batch.contract_version_id)
                refs.extend(
                    EvalReference(f"{version.id}-{batch.id}-{f.position}-{f.name}", f.sha256,
                                  fields[batch.contract_version_id])
                    for f in Batches(s).files(batch.id))
    return refs


def _text_fields(s: Session, contract_version_id: str) -> tuple[str, ...]:
    from dataflywheel.flows.contracts.contract_plan import text_fields_of
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    version = ContractVersions(s).get(contract_version_id)
    return tuple(text_fields_of(parse_odcs(version.document, source=version.id)))


@contextmanager
def staged_references(ws: Workspace, references: list[EvalReference]
                      ) -> Iterator[tuple[Path | None, list[ReferenceFile]]]:
    """(folder, files): the references staged under their names, each to be read at its own
    text fields (no folder when there are none)."""
    if not references:
        yield None, []
        return
    with staged(ws.blobs, [(r.name, r.sha256) for r in references]) as (root, paths):
        yield root, [ReferenceFile(path=p, text_fields=list(r.text_fields))
                     for p, r in zip(paths, references, strict=True)]


def guide_failure(ws: Workspace, batch: Batch) -> str | None:
    """The guide-version gate of the batch's pinned contract (`flows/contracts/guides.py`)."""
    from dataflywheel.flows.contracts.guides import guide_gate
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    with ws.db.session() as s:
        version = ContractVersions(s).get(batch.contract_version_id)
    contract = parse_odcs(version.document, source=version.id)
    return guide_gate(version.id, contract.semantic.guide_required, batch.guide_version)


def run_contract_checks(ws: Workspace, batch: Batch, files: list[BatchFile], *,
                        engine: str = "local") -> tuple[QualityReport, str]:
    """Check the stored files of `batch` under its pinned contract; store the report."""
    from dataflywheel.flows.contracts.contract_plan import compile_plan
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories.contracts import ContractVersions

    with ws.db.session() as s:
        version = ContractVersions(s).get(batch.contract_version_id)
        references = evaluation_references(s)
    contract = parse_odcs(version.document, source=version.id)
    with ExitStack() as stack:
        root, paths = stack.enter_context(staged(ws.blobs, [(f.name, f.sha256) for f in files]))
        ref_root, ref_files = stack.enter_context(staged_references(ws, references))
        try:
            plan = compile_plan(contract, contamination_reference=ref_files or None)
            report = run_checks(paths, plan, engine=engine)
        except FlywheelError as exc:  # the staged folder is gone once this returns
            stored = {p: f"{f.name} (stored object {f.sha256})" for p, f in zip(paths, files)}
            raise naming_stored(exc, stored, [root, ref_root]) from None
        text = relative_report(report, root, ref_root)
    from io import BytesIO

    ref = ws.blobs.put_stream(BytesIO(text.encode("utf-8")))
    return QualityReport.model_validate_json(text), ref.sha256


def summary_of(report: QualityReport) -> dict[str, Any]:
    """The headline of a report kept on the batch: rates, gates failed, counts. The metrics kept
    are those the checks mark `headline` (`checks.registry.headline_metrics`)."""
    return {
        "passed": report.passed, "records": report.records, "rejected": report.rejected,
        "metrics": {k: report.metrics[k] for k in headline_metrics() if k in report.metrics},
        "failed_gates": [{"metric": g.metric, "op": g.op, "value": g.value,
                          "observed": g.observed, "note": g.note} for g in report.failed_gates],
    }


def nonconforming(report: QualityReport) -> int:
    """Records that do not conform: the rejected ones, or the largest failing rate's share.

    A failed gate on a rate (`duplicate_rate` 0.3) counts that share of the records as
    non-conforming even when the check rejects nothing; the larger of the two is kept.
    """
    share = max((g.observed for g in report.failed_gates
                 if g.metric.endswith("_rate") and g.observed is not None
                 and 0.0 <= g.observed <= 1.0), default=0.0)
    return min(report.records, max(report.rejects_total, round(share * report.records)))


def open_failure_issue(ws: Workspace, s: Session, batch: Batch, report: QualityReport | None, *,
                       now: datetime) -> Issue:
    """Open the issue of a failed batch in the caller's transaction, tiered by Table 24-19."""
    from dataflywheel.flows.issues.lifecycle import calendar_of, open_issue_in

    ds = Datasets(s).get(batch.dataset_id)
    req = Requirements(s).get(batch.requirement_id)
    share = batch.nonconforming_count / batch.row_count if batch.row_count else 1.0
    failed = {g.metric for g in report.failed_gates} if report else set()
    severity = tier_for_failed_batch(share, ds.purpose, contamination="contamination_rate" in failed,
                                     pii="pii_rate" in failed)
    title = f"Delivery {batch.id} to {ds.name} failed its quality gates"
    return open_issue_in(
        s, actor=ws.actor, calendar=calendar_of(ws), title=title, severity=severity,
        source=DiscoverySource.QUALITY_CHECK, project_id=ds.project_id,
        owner_id=req.responsible_id, links=[("batch", batch.id), ("requirement", req.id)],
        description=_issue_text(batch, report, share), now=now)


def _issue_text(batch: Batch, report: QualityReport | None, share: float) -> str:
    lines = [f"Batch {batch.id} (contract {batch.contract_version_id}, requirement "
             f"{batch.requirement_id}): {_finding(batch, report, share)}",
             f"Reason: {batch.failure_reason}"]
    if batch.report_sha256:
        lines.append(f"Quality report: blob {batch.report_sha256}")
    lines += [f"Gate {g.metric} could not be evaluated: {g.note}"
              for g in (report.failed_gates if report else []) if g.observed is None and g.note]
    if report is not None:
        lines.append("Failing examples:")
        shown = 0
        for gate in report.failed_gates:
            for ex in gate.examples:
                if shown >= MAX_EXAMPLES_IN_ISSUE:
                    break
                lines.append(f"- {gate.metric}: {Path(ex.file).name}:{ex.line} record "
                             f"{ex.record_id} {ex.detail}".rstrip())
                shown += 1
        if shown == 0:
            lines.append("- (the failing gates give no record-level examples)")
    return "\n".join(lines)


def _finding(batch: Batch, report: QualityReport | None, share: float) -> str:
    """What was found, in the units that were judged: records, or lines when none decoded."""
    if report is None:
        return "the checks could not run, so no record was judged."
    if batch.row_count == 0:
        lines = sum(f.lines for f in report.files)
        return f"none of its {lines} line(s) decoded to a record ({report.rejected} rejected)."
    return (f"{batch.nonconforming_count} of {batch.row_count} records non-conforming "
            f"({share:.1%}).")
