"""Delivered batches over HTTP: list, show, quality report, review sheet, reviews.

The same flows and report queries as `flywheel batches …`, the same JSON as its `--json`. The
report is the stored one byte for byte (JSON), or rendered as Markdown when asked
(`Accept: text/markdown` or `?format=md`). The review sheet is the sample to review (its lines, as
`flywheel batches review-sheet` writes them); the reviews go back as the reviews file itself in
the body (JSONL, or CSV as `text/csv`), stored byte for byte before any row is read
(`flows.data.reviews.take_reviews`); they are the token's person's own, as on the final spot check
(a row naming another reviewer is rejected by line). A batch not awaiting review is a 409 on both.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.errors import ErrorEnvelope
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import Member, Rule
from dataflywheel.api.uploads import spool
from dataflywheel.checks.report import QualityReport
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.states import BatchState
from dataflywheel.flows.data.batches import BatchShown, batches, get_batch, listed, shown
from dataflywheel.flows.data.delivery_fetch import staged_name, staging
from dataflywheel.flows.data.reviews import ReviewAnswer, review_sheet_rows, take_reviews

router = APIRouter(prefix="/api/v1/batches", tags=["batches"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/batches"): Member(scope="dataset"),
    ("GET", "/api/v1/batches/{batch}"): Member(scope="batch"),
    ("GET", "/api/v1/batches/{batch}/report"): Member(scope="batch"),
    ("GET", "/api/v1/batches/{batch}/review-sheet"): Member(scope="batch"),
    ("POST", "/api/v1/batches/{batch}/review"): Member(scope="batch"),
}

MARKDOWN = "text/markdown"
REVIEW_EXAMPLE = ('{"record_id": "1", "reviewer": "quality-evaluator", "verdict": "pass", '
                  '"note": ""}\n')
REVIEW_BODY = {"requestBody": {"required": True, "description": "the reviews file, as is",
                               "content": {
    "application/x-ndjson": {"schema": {"type": "string"}, "example": REVIEW_EXAMPLE},
    "text/csv": {"schema": {"type": "string"},
                 "example": "record_id,reviewer,verdict\n1,quality-evaluator,pass\n"}}}}
REPORT_ANSWERS: dict[int | str, dict[str, Any]] = {200: {"content": {
    MARKDOWN: {"schema": {"type": "string"}}}, "description": "the stored quality report"}}


class SheetLine(BaseModel):
    record_id: str | int
    verdict: str | None
    reviewer: str | None
    note: str
    file: str
    line: int
    stratum: str


class ReviewSheet(BaseModel):
    """The sample to review: one line per sampled record, verdict and reviewer empty."""

    batch: str
    lines: list[SheetLine]


@router.get("", response_model=PageOut[Batch])
def list_batches(ws: ActingWorkspace, paging: Paging,
                 dataset: Annotated[str | None, Query(max_length=200, description="dataset id")] = None,
                 state: BatchState | None = None,
                 requirement: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """One page of batches (the CLI's `--json` rows), optionally of one dataset, in one state or
    for one requirement; `next_cursor` asks for the next page."""
    listing = batches(ws, dataset_id=dataset or None, state=state.value if state else None,
                      requirement_id=requirement or None)
    return page_out(listing.page(paging.limit, paging.cursor), listed)


@router.get("/{batch}", response_model=BatchShown)
def show_batch(batch: str, ws: ActingWorkspace) -> dict[str, Any]:
    """One batch with its files (name, sha256, size, rows) in delivery order."""
    return shown(*get_batch(ws, batch))


@router.get("/{batch}/report", response_model=QualityReport, responses=REPORT_ANSWERS)
def report(batch: str, request: Request, ws: ActingWorkspace,
           fmt: Annotated[Literal["json", "md"] | None, Query(
               alias="format", description="md: Markdown (as `Accept: text/markdown`)")] = None,
           ) -> Response:
    """The stored quality report, byte for byte as the engine wrote it (JSON), or rendered as
    Markdown (`flywheel batches report --markdown`)."""
    from dataflywheel.reports.quality import batch_quality_report, stored_report_text
    from dataflywheel.reports.render import render

    markdown = fmt == "md" or (fmt is None
                                  and MARKDOWN in request.headers.get("accept", ""))
    with ws.db.session() as s:
        if markdown:
            text = render(batch_quality_report(s, ws.blobs, batch), "markdown")
            return Response(text, media_type=f"{MARKDOWN}; charset=utf-8")
        return Response(stored_report_text(s, ws.blobs, batch), media_type="application/json")


NOT_AWAITING: dict[int | str, dict[str, Any]] = {409: {
    "model": ErrorEnvelope, "description": "The batch is not awaiting review (passed or failed)"}}


@router.get("/{batch}/review-sheet", response_model=ReviewSheet, responses=NOT_AWAITING)
def review_sheet(batch: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The stratified sample of a batch awaiting review: the lines of its review sheet; 409 for
    a batch in another state (a read that is refused for the record's state, not a change)."""
    return {"batch": batch, "lines": review_sheet_rows(ws, batch)}


@router.post("/{batch}/review", response_model=ReviewAnswer, openapi_extra=REVIEW_BODY)
async def review(batch: str, request: Request, ws: ActingWorkspace,
                 name: Annotated[str | None, Query(max_length=255, description=(
                     "the reviews file's name (default reviews.jsonl, or reviews.csv for "
                     "text/csv); it is kept in each review's source"))] = None) -> ReviewAnswer:
    """Take the reviews of a batch awaiting review and re-evaluate its gates; the answer is
    `flywheel batches review --json` (rows rejected with their line and reason, the state after).
    The reviewer is the token's person: a row naming anyone else is rejected by its line (nothing
    stored for it), an empty reviewer is the caller."""
    csv = request.headers.get("content-type", "").lower().startswith("text/csv")
    filename = staged_name(name or ("reviews.csv" if csv else "reviews.jsonl"))
    with staging(ws.settings) as folder:
        await spool(request, folder / filename, cap=request.app.state.max_body_bytes,
                    hint="send the reviews in several files")
        outcome = await run_in_threadpool(lambda: take_reviews(ws, batch, folder / filename,
                                                               sender=ws.actor))
    return outcome.answer()
