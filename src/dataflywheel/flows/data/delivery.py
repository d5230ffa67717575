"""Deliveries: store every file byte for byte, check it against its contract, pass or fail it.

Guarantees, in order:
1. All input is checked before anything is written: every file exists, is a regular file and
   holds at least one record (an empty batch is bad input), no
   path has a `..` part, every name is at most 255 bytes and unique in the delivery, the dataset,
   contract version (one still accepted, `check_delivery_allowed`), requirement (committed or in
   progress), deliverer (a person, or a vendor that may receive work: onboarded, not offboarded —
   Table 24-21) and a named version of a registered annotation guide exist. A refusal stores
   nothing.
2. Every file is stored in the blob store (atomic, content-addressed) before any record is written.
3. One transaction records the batch (state `checking`) with its files and pinned contract version.
4. The contract's check plan runs over the *stored* bytes; the report (stable JSON) is stored.
5. One transaction marks the batch `passed`, `failed` (a gate, or a contract that requires the
   annotation-guide version and a delivery naming none: `guide_gate`), or `awaiting_review` when the only unmet
   gates are ones that wait for people's reviews (`flows/data/review_gates.py`: no issue then; the
   reviews decide, `flows/data/reviews.py`); a failed batch opens an issue tiered by Table 24-19
   (`tier_for_failed_batch`) in the same transaction, linking the batch, its requirement and,
   in its text, the failing examples (file, line, record id).
A crash between the steps leaves stored blobs and at most a batch in `checking`; delivering the
same files again resumes that batch instead of making a second one. Step 3 is retried a few times
when a concurrent delivery took the same new batch id (PostgreSQL), then refused with `Conflict`.
OpenLineage run events (`deliver` after step 3, `check` after step 5) are emitted after the
commits they describe (integrations/openlineage.py; file transport by default).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.policies.risk import tier_for_failed_batch
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import MAX_FILE_NAME_BYTES, Batch, BatchFile, FileFormat
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.states import BatchState, RequirementState, move
from dataflywheel.errors import BadInput, Conflict, FlywheelError, NotFound, PolicyViolation
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows.data.delivery_files import refuse_empty
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, BatchFiles, Datasets
from dataflywheel.store.repositories.people import People, Requirements, Vendors
from dataflywheel.store.tables.data import BatchFileRow, BatchRow

NOTHING = "nothing was stored"
RECORD_ATTEMPTS = 5
OPEN_REQUIREMENT = (RequirementState.COMMITTED, RequirementState.IN_PROGRESS)
SUFFIXES: dict[str, FileFormat] = {
    ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL, ".json": FileFormat.JSON,
    ".parquet": FileFormat.PARQUET, ".pq": FileFormat.PARQUET,
}


class DeliveryAnswer(BaseModel):
    """What a delivery answers to its caller: `flywheel deliver --json` and the API's body alike
    (the quality report itself is `flywheel batches report`)."""

    batch: Batch
    files: list[BatchFile]
    issue: Issue | None

    @property
    def accepted(self) -> bool:
        """Passed, or waiting only for people's reviews: the CLI exits 0; otherwise 1."""
        return self.batch.state in (BatchState.PASSED, BatchState.AWAITING_REVIEW)


@dataclass
class Delivery:
    """What `deliver` did: the batch as recorded, its files, the report and any issue opened."""

    batch: Batch
    files: list[BatchFile]
    report: QualityReport | None
    issue: Issue | None

    def answer(self) -> DeliveryAnswer:
        return DeliveryAnswer(batch=self.batch, files=self.files, issue=self.issue)


@dataclass(frozen=True)
class _Input:
    path: Path
    name: str
    format: FileFormat


def deliver(
    ws: Workspace, files: Sequence[str | Path], *, dataset: str, contract_version_id: str,
    requirement_id: str, delivered_by: str, annotator_ids: Sequence[str] | None = None,
    guide_version: str | None = None, engine: str = "local", now: datetime | None = None,
    source: str = "",
) -> Delivery:
    """Store, record, check and pass/fail one delivery (see the module docstring); `source` says
    where the files came from when it is not the deliverer's own disk (a DVC repository)."""
    real_clock, now = now is None, now or utcnow()
    inputs = check_inputs(files)
    with ws.db.session() as s:
        template = _template(s, inputs, dataset=dataset, contract_version_id=contract_version_id,
                             requirement_id=requirement_id, delivered_by=delivered_by,
                             annotator_ids=annotator_ids, guide_version=guide_version, now=now)
    template = template.model_copy(update={"source": source}) if source else template
    refs = [ws.blobs.put_file(i.path) for i in inputs]
    stored = [(i, r.sha256, r.size) for i, r in zip(inputs, refs)]
    batch, batch_files = _record_retrying(ws, template, stored)
    from dataflywheel.integrations.openlineage import emit_check, emit_delivery

    # each run's events carry when it began and ended: the clock's, or the caller's `now`
    stored_at = utcnow() if real_clock else now
    emit_delivery(ws.settings, batch=batch, files=batch_files, started_at=now, at=stored_at)
    result = _check_and_mark(ws, batch, batch_files, engine=engine, now=now)
    emit_check(ws.settings, batch=result.batch, report_sha256=result.batch.report_sha256,
               metrics={"passed": result.batch.state is BatchState.PASSED},
               started_at=stored_at, at=utcnow() if real_clock else result.batch.checked_at)
    return result


def check_inputs(files: Sequence[str | Path]) -> list[_Input]:
    """Refuse files `deliver` would refuse before storing anything (path, name, existence,
    format, distinct names, an empty file), with the same errors: `deliver`'s first step, and
    what the CLI checks before it sends files to the team server."""
    inputs = [_input(f) for f in files]
    _unique_names(inputs)
    for i in inputs:
        refuse_empty(i.path, i.format)  # an empty batch is bad input: nothing is stored
    return inputs


def _input(path: str | Path) -> _Input:
    text = str(path)
    if ".." in Path(text).parts:
        raise BadInput("a delivered path may not contain '..'", path=text,
                       expected="a path without parent-directory parts", kept=NOTHING)
    p = Path(text)
    name = p.name
    if len(name.encode("utf-8")) > MAX_FILE_NAME_BYTES:
        raise BadInput(f"file name is {len(name.encode('utf-8'))} bytes long", path=text,
                       expected=f"at most {MAX_FILE_NAME_BYTES} bytes", kept=NOTHING)
    if not p.exists():
        raise NotFound("file not found", path=text, kept=NOTHING, hint="check the path and retry")
    if not p.is_file():
        raise BadInput("not a regular file", path=text, expected="a file, not a directory",
                       kept=NOTHING)
    return _Input(path=p, name=name, format=_format(name, text))


def _format(name: str, text: str) -> FileFormat:
    lower = name.lower()
    for compressed in (".gz", ".zst"):
        lower = lower.removesuffix(compressed)
    for suffix, fmt in SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt
    raise BadInput("unknown file format", path=text, kept=NOTHING,
                   expected="a name ending in " + ", ".join(SUFFIXES) + " (optionally .gz/.zst)")


def _unique_names(inputs: list[_Input]) -> None:
    if not inputs:
        raise BadInput("a delivery needs at least one file", field="files", kept=NOTHING)
    seen: set[str] = set()
    for i in inputs:
        if i.name in seen:
            raise BadInput(f"two delivered files are both named {i.name!r}", path=str(i.path),
                           expected="distinct file names in one delivery", kept=NOTHING)
        seen.add(i.name)


def refuse_unready_vendor(s: Session, vendor_id: str) -> None:
    """A vendor delivers work only once it may receive work (Table 24-21): onboarded —
    confidentiality, compliance, tool training and a passed test task — and not offboarded
    (`domain/policies/vendor_lifecycle.missing_for_work`, the rule a dispatch follows)."""
    from dataflywheel.domain.policies.vendor_lifecycle import missing_for_work
    from dataflywheel.store.repositories.guides import VendorEvidences

    missing = missing_for_work(VendorEvidences(s).of_vendor(vendor_id))
    if missing:
        raise PolicyViolation(f"vendor {vendor_id} may not deliver work: {'; '.join(missing)}",
                              expected="an onboarded vendor (Table 24-21)", kept=NOTHING,
                              hint=f"flywheel vendors scorecard {vendor_id}")


def _template(s: Session, inputs: list[_Input], *, dataset: str, contract_version_id: str,
              requirement_id: str, delivered_by: str, annotator_ids: Sequence[str] | None,
              guide_version: str | None, now: datetime) -> Batch:
    """Validate every reference and return the batch to record (its id is set later)."""
    from dataflywheel.flows.contracts.guides import check_named_version
    from dataflywheel.flows.contracts.lifecycle import check_delivery_allowed

    ds = Datasets(s).by_name(dataset)
    version = check_delivery_allowed(s, contract_version_id, now)
    check_named_version(s, guide_version)
    req = Requirements(s).get(requirement_id)
    if req.state not in OPEN_REQUIREMENT:  # the requirement's state, not who asks: a conflict
        raise Conflict(
            f"requirement {req.id} is {req.state.value}: it takes no deliveries",
            expected="a committed or in-progress requirement", kept=NOTHING,
            hint=f"flywheel requirements show {req.id}")
    person = People(s).find(delivered_by)
    if person is None and Vendors(s).find(delivered_by) is None:
        raise NotFound(f"deliverer {delivered_by!r} is neither a person nor a vendor",
                       field="from", kept=NOTHING, hint="flywheel people list")
    if person is None:
        refuse_unready_vendor(s, delivered_by)
    try:
        return Batch(
            id="B-0000", dataset_id=ds.id, contract_version_id=version.id,
            requirement_id=req.id,
            delivered_by_person_id=delivered_by if person is not None else None,
            delivered_by_vendor_id=None if person is not None else delivered_by,
            annotator_ids=list(annotator_ids or []), guide_version=guide_version,
            state=BatchState.RECEIVED, received_at=now)
    except ValueError as exc:
        from dataflywheel.errors import from_validation

        raise from_validation(exc, what="invalid delivery") from None


def _record_retrying(ws: Workspace, template: Batch, stored: list[tuple[_Input, str, int]],
                     attempts: int = RECORD_ATTEMPTS) -> tuple[Batch, list[BatchFile]]:
    """`_record`, again after a collision with a concurrent delivery (nothing of it was written)."""
    for attempt in range(1, attempts + 1):
        try:
            return _record(ws, template, stored)
        except Conflict:
            if attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _record(ws: Workspace, template: Batch,
            stored: list[tuple[_Input, str, int]]) -> tuple[Batch, list[BatchFile]]:
    """Record the batch in `checking` with its files, or resume an identical unfinished one."""
    from dataflywheel.flows.data.versions import first_writer, new_id_lock

    with first_writer(f"recording the delivery of {template.dataset_id}"), \
            ws.db.unit_of_work() as s:
        new_id_lock(s, "batches")
        resumed = _unfinished_twin(s, template, [sha for _, sha, _ in stored])
        if resumed is not None:
            return resumed, Batches(s).files(resumed.id)
        from dataflywheel.store.allocator import next_sequential_id

        batch_id = next_sequential_id(s, BatchRow, "B")
        received = template.model_copy(update={"id": batch_id})
        add_audited(Batches(s), received, actor=ws.actor, reason=f"{len(stored)} file(s) stored")
        files = [BatchFile(batch_id=batch_id, position=n, name=i.name, sha256=sha, size_bytes=size,
                           format=i.format) for n, (i, sha, size) in enumerate(stored)]
        repo = BatchFiles(s)
        for f in files:
            add_audited(repo, f, actor=ws.actor)
        checking = received.model_copy(update={"state": move(
            f"batch {batch_id}", received.state, BatchState.CHECKING)})
        update_audited(Batches(s), received, checking, actor=ws.actor, action="batch.check")
        return checking, files


def _unfinished_twin(s: Session, template: Batch, shas: list[str]) -> Batch | None:
    """A batch left in `checking` by a crash, with the same references and the same bytes."""
    rows = s.scalars(select(BatchRow).where(
        BatchRow.dataset_id == template.dataset_id, BatchRow.state == BatchState.CHECKING.value,
        BatchRow.contract_version_id == template.contract_version_id,
        BatchRow.requirement_id == template.requirement_id).order_by(BatchRow.id)).all()
    for row in rows:
        found = s.scalars(select(BatchFileRow.sha256).where(BatchFileRow.batch_id == row.id)
                          .order_by(BatchFileRow.position)).all()
        batch = Batches(s).to_record(row)
        same_from = (batch.delivered_by_person_id, batch.delivered_by_vendor_id) == (
            template.delivered_by_person_id, template.delivered_by_vendor_id)
        if list(found) == shas and same_from:
            return batch
    return None


def _check_and_mark(ws: Workspace, batch: Batch, files: list[BatchFile], *, engine: str,
                    now: datetime) -> Delivery:
    from dataflywheel.flows.data.delivery_check import guide_failure, run_contract_checks

    try:
        report, report_sha = run_contract_checks(ws, batch, files, engine=engine)
    except FlywheelError as exc:
        return _mark(ws, batch, files, None, None, failure=str(exc), now=now)
    return _mark(ws, batch, files, report, report_sha, failure=guide_failure(ws, batch), now=now)


def _mark(ws: Workspace, batch: Batch, files: list[BatchFile], report: QualityReport | None,
          report_sha: str | None, *, failure: str | None, now: datetime) -> Delivery:
    from dataflywheel.flows.data.delivery_check import nonconforming, open_failure_issue, summary_of

    from dataflywheel.flows.data.review_gates import waiting_reason

    passed = report is not None and report.passed and failure is None
    records = report.records if report is not None else 0
    waiting = None if passed or failure or report is None else waiting_reason(report)
    reason = failure or waiting or (None if passed else "failed gates: " + ", ".join(
        f"{g.metric} {g.shown} (needs {g.op} {g.value:g})"
        for g in (report.failed_gates if report else [])))
    with ws.db.unit_of_work() as s:
        current = Batches(s).get(batch.id)
        target = BatchState.PASSED if passed else (
            BatchState.AWAITING_REVIEW if waiting else BatchState.FAILED)
        after = current.model_copy(update={
            "state": move(f"batch {batch.id}", current.state, target),
            "report_sha256": report_sha, "row_count": records,
            "nonconforming_count": nonconforming(report) if report else 0,
            "quality_summary": summary_of(report) if report else {"error": failure},
            "failure_reason": reason, "checked_at": now})
        update_audited(Batches(s), current, after, actor=ws.actor, action=f"batch.{target.value}",
                       reason=reason)
        _row_counts(s, files, report, ws_actor=ws.actor)
        issue = None if passed or waiting else open_failure_issue(ws, s, after, report, now=now)
        return Delivery(batch=after, files=BatchFiles(s).list(batch_id=batch.id), report=report,
                        issue=issue)


def _row_counts(s: Session, files: list[BatchFile], report: QualityReport | None, *,
                ws_actor: str) -> None:
    if report is None:
        return
    by_name = {Path(f.file).name: f.records for f in report.files}
    repo = BatchFiles(s)
    for f in files:
        if f.name in by_name and f.row_count != by_name[f.name]:
            update_audited(repo, f, f.model_copy(update={"row_count": by_name[f.name]}),
                           actor=ws_actor, action="batch_file.count")


__all__ = ["Delivery", "DeliveryAnswer", "deliver", "tier_for_failed_batch"]
