"""Spot checks through review: the review sheet of a batch awaiting review, and taking reviews.

Guarantees:
- The sheet is the stratified sample of the batch (`checks/stats/sampling.py`): the one the
  delivery's spot check drew, or, for a batch whose contract gates only on agreement, one drawn
  the same way over the stored bytes. Same batch, same sheet.
- `take_reviews` stores the reviews file byte for byte first; every row is either taken,
  rejected with its line and reason (unknown reviewer, record not in the sample, a second
  verdict of one reviewer on one record, bad verdict, malformed row), or counted as not yet
  reviewed. The taken rows are kept even when others are rejected.
- In the same transaction the gates are re-evaluated (`flows/data/review_gates.py`): while sampled
  records lack a verdict, or a waiting gate has no value yet, the batch stays `awaiting_review`
  and the outcome says what is missing; otherwise it becomes `passed` or `failed`, with the
  re-judged report stored, and a failed batch opens its issue at the Table 24-19 tier of the
  share the reviewers failed (not always P0). Every step is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.policies.review_targets import default_targets
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.records.review import Review, ReviewVerdict
from dataflywheel.domain.states import BatchState, move
from dataflywheel.errors import Conflict
from dataflywheel.flows._audit import add_audited, audit, update_audited
from dataflywheel.flows.contracts.guides import unknown_guide_version
from dataflywheel.flows.data.review_gates import Tally, judge, still_waiting
from dataflywheel.flows.data.review_input import RejectedRow, ReviewRow, read_reviews
from dataflywheel.flows.data.review_sample import batch_sample, sheet_rows, write_sheet
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches
from dataflywheel.store.repositories.people import People, Requirements
from dataflywheel.store.repositories.reviews import Reviews
from dataflywheel.store.tables.data import BatchRow


@dataclass
class ReviewOutcome:
    """What `take_reviews` did: rows taken and rejected, the batch after, what is still missing."""

    batch: Batch
    taken: list[Review]
    rejected: list[RejectedRow]
    unreviewed: list[int]
    file_sha256: str
    lacking: list[str] = field(default_factory=list)
    report: QualityReport | None = None
    issue: Issue | None = None

    def answer(self) -> ReviewAnswer:
        return ReviewAnswer(
            batch=self.batch.id, state=self.batch.state, taken=len(self.taken),
            rejected=[RejectedLine(line=r.line, reason=r.reason) for r in self.rejected],
            unreviewed_lines=self.unreviewed, still_missing=self.lacking,
            failure_reason=self.batch.failure_reason,
            issue=self.issue.id if self.issue else None, file_sha256=self.file_sha256)


class RejectedLine(BaseModel):
    line: int
    reason: str


class ReviewAnswer(BaseModel):
    """What taking reviews answers: `flywheel batches review --json` and the API's body alike."""

    batch: str
    state: BatchState
    taken: int = Field(description="reviews stored")
    rejected: list[RejectedLine] = Field(description="rows refused, with their line and reason")
    unreviewed_lines: list[int] = Field(description="sheet lines with no verdict yet")
    still_missing: list[str] = Field(description="what the gates still wait for")
    failure_reason: str | None
    issue: str | None = Field(description="the issue a failed batch opened")
    file_sha256: str = Field(description="the reviews file, stored byte for byte")


def review_sheet_rows(ws: Workspace, batch_id: str) -> list[dict[str, Any]]:
    """The review sheet's lines (verdicts empty) of a batch awaiting review, as `review_sheet`
    writes them."""
    with ws.db.session() as s:
        batch = Batches(s).get(batch_id)
    _require_waiting(batch)
    return sheet_rows(batch_sample(ws, batch))


def review_sheet(ws: Workspace, batch_id: str, out: str | Path) -> int:
    """Write the review sheet (JSONL, verdicts empty) of a batch awaiting review; rows written."""
    with ws.db.session() as s:
        batch = Batches(s).get(batch_id)
    _require_waiting(batch)
    return write_sheet(batch_sample(ws, batch), Path(out))


def _require_waiting(batch: Batch) -> None:
    if batch.state is not BatchState.AWAITING_REVIEW:  # the batch's state, not who asks: a conflict
        raise Conflict(
            f"batch {batch.id} is {batch.state.value}: only a batch awaiting review takes reviews",
            expected="state awaiting_review", kept="nothing was recorded",
            hint=f"flywheel batches show {batch.id}")


def take_reviews(ws: Workspace, batch_id: str, path: str | Path, *,
                 now: datetime | None = None, sender: str | None = None) -> ReviewOutcome:
    """Take the reviews in `path` for a batch awaiting review and re-evaluate its gates.

    `sender`: the one person these reviews may be from (the team server passes the token's
    person); a row naming anyone else is rejected by line, an empty reviewer is that person."""
    now, path = now or utcnow(), Path(path)
    parsed = read_reviews(path, sender=sender)
    with ws.db.session() as s:
        batch = Batches(s).get(batch_id)
    _require_waiting(batch)
    sample = batch_sample(ws, batch)
    sha = ws.blobs.put_file(path).sha256  # the file is kept byte for byte before anything else
    with ws.db.unit_of_work() as s:
        batch = _locked(s, batch_id)
        _require_waiting(batch)
        taken, rejected = take_rows(ws, s, batch, parsed.rows, sample, source=path.name, now=now)
        rejected = sorted([*parsed.rejected, *rejected], key=lambda r: r.line)
        audit(s, actor=ws.actor, action="batch.reviews", kind="batch", record_id=batch.id,
              before=None, after={"file_sha256": sha, "taken": len(taken)},
              reason=f"{len(taken)} review(s) taken, {len(rejected)} rejected"
                     + (f" (lines {', '.join(str(r.line) for r in rejected[:20])})"
                        if rejected else "") + f" from {path.name} (blob {sha})")
        outcome = ReviewOutcome(batch, taken, rejected, parsed.unreviewed, sha)
        _decide(ws, s, outcome, sample, now=now)
        return outcome


def _locked(s: Session, batch_id: str) -> Batch:
    row = s.scalar(select(BatchRow).where(BatchRow.id == batch_id).with_for_update()
                   .execution_options(populate_existing=True))
    if row is None:
        return Batches(s).get(batch_id)  # raises NotFound
    return Batches(s).to_record(row)


def take_rows(ws: Workspace, s: Session, batch: Batch, rows: list[ReviewRow],
              sample: list[dict[str, Any]], *, source: str, now: datetime,
              version_id: str | None = None) -> tuple[list[Review], list[RejectedRow]]:
    """Store every acceptable row as a review; reject the others with their reason.

    A batch's reviews are those with no version; a final spot check's are the version's (its
    sample spans batches, so each review names the batch of its sampled record).
    """
    in_sample = {str(r["record_id"]): r for r in sample}
    earlier = (Reviews(s).list(batch_id=batch.id, version_id=None) if version_id is None
               else Reviews(s).list(version_id=version_id))
    seen = {(r.record_id, r.reviewer_id) for r in earlier}
    taken: list[Review] = []
    rejected: list[RejectedRow] = []
    for row in rows:
        reason = _refusal(s, row, in_sample, seen)
        if reason:
            rejected.append(RejectedRow(row.line, reason))
            continue
        seen.add((row.record_id, row.reviewer))
        owner = str(in_sample[row.record_id].get("batch_id") or batch.id)
        review = Review(id=f"RV-{uuid.uuid4().hex[:12]}", batch_id=owner, version_id=version_id,
                        record_id=row.record_id, reviewer_id=row.reviewer,
                        verdict=ReviewVerdict(row.verdict), label=row.label, note=row.note,
                        guide_version=row.guide_version or (
                            batch.guide_version if owner == batch.id else None),
                        source=f"{source}:{row.line}", taken_at=now)
        taken.append(add_audited(Reviews(s), review, actor=ws.actor))
    return taken, rejected


def _refusal(s: Session, row: ReviewRow, in_sample: dict[str, Any],
             seen: set[tuple[str, str]]) -> str | None:
    if People(s).find(row.reviewer) is None:
        return f"reviewer {row.reviewer!r} is not a person of this workspace (flywheel people list)"
    if row.record_id not in in_sample:
        return f"record {row.record_id!r} is not in the review sample"
    if (row.record_id, row.reviewer) in seen:
        return f"{row.reviewer} already gave a verdict on record {row.record_id!r}"
    return unknown_guide_version(s, row.guide_version)


def _decide(ws: Workspace, s: Session, outcome: ReviewOutcome, sample: list[dict[str, Any]], *,
            now: datetime) -> None:
    """Re-evaluate the gates; move the batch when every waiting gate can be decided."""
    batch = outcome.batch
    report = _report(ws, batch)
    tally = Tally(sample, Reviews(s).list(batch_id=batch.id, version_id=None))
    priority = Requirements(s).get(batch.requirement_id).priority
    judged = judge(report, tally, default_targets(priority, explicit={g.metric for g in report.gates}))
    outcome.lacking = still_waiting(judged, tally)
    if outcome.lacking:
        return
    from io import BytesIO

    from dataflywheel.flows.data.delivery_check import open_failure_issue, summary_of

    report_sha = ws.blobs.put_stream(BytesIO(judged.to_json().encode("utf-8"))).sha256
    target = BatchState.PASSED if judged.passed else BatchState.FAILED
    failed_share = len(tally.failed_rows()) / max(1, len(sample))
    reason = None if judged.passed else "failed gates after review: " + ", ".join(
        f"{g.metric} {g.shown} (needs {g.op} {g.value:g}; {g.source})" for g in judged.failed_gates)
    after = batch.model_copy(update={
        "state": move(f"batch {batch.id}", batch.state, target), "report_sha256": report_sha,
        "nonconforming_count": min(judged.records, max(judged.rejects_total,
                                                       round(failed_share * judged.records))),
        "quality_summary": summary_of(judged) | {"delivery_report_sha256": batch.report_sha256},
        "failure_reason": reason})
    update_audited(Batches(s), batch, after, actor=ws.actor, action=f"batch.{target.value}",
                   reason=reason or f"reviews met every gate (report {report_sha})")
    outcome.batch, outcome.report = after, judged
    if target is BatchState.FAILED:
        outcome.issue = open_failure_issue(ws, s, after, judged, now=now)


def _report(ws: Workspace, batch: Batch) -> QualityReport:
    assert batch.report_sha256 is not None  # a batch awaiting review has its delivery report
    with ws.blobs.open(batch.report_sha256) as fh:
        return QualityReport.model_validate_json(fh.read())
