"""`POST /api/v1/feedback/events` and `GET /api/v1/feedback/events`: feedback reflux over HTTP.

The GET is paged (`store.paging`: keyset on the event id, `limit` + `cursor`, `next_cursor` in
the answer), so no request reads more than one bounded page whatever the table holds.

Guarantees: the POST body (one event object, or a JSON list of them) goes through
`flows.feedback_body.ingest_body`: each element is decoded alone like a line of a JSONL file, so
every item ends as a stored event, a triaged event, a counted duplicate or a stored rejection with
its reason and bytes (an element nested thousands deep or with a number of thousands of digits is
one rejection, not a 500). A body over the app's cap is refused with 413 before it is parsed; a
body that is not JSON is refused with 400; neither stores anything.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.errors import PayloadTooLarge
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Member, Rule
from dataflywheel.domain.records.feedback import FeedbackEvent
from dataflywheel.domain.states import FeedbackState
from dataflywheel.flows.feedback.feedback_body import ingest_body
from dataflywheel.flows.feedback.listing import events

router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"])

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/feedback/events"): AnyPerson(),
    ("GET", "/api/v1/feedback/events"): Member(scope="project"),
}


async def read_capped(request: Request, cap: int) -> bytes:
    """The whole body, or `PayloadTooLarge` as soon as it is known to exceed `cap` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge("request body too large", expected=f"at most {cap} bytes",
                              got=f"{declared} bytes", hint="send the events in smaller batches")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge("request body too large", expected=f"at most {cap} bytes",
                                  got=f"more than {cap} bytes",
                                  hint="send the events in smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)


EVENT_EXAMPLE = {
    "id": "FB-EXAMPLE-1", "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
    "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
    "payload": {"sample": "15% of 80", "model_output": "10", "expected_behaviour": "12"},
}
RAW_BODY = {"requestBody": {"required": True, "description": (
    "one feedback event object, or a JSON list of them; each element is decoded alone, like a "
    "line of a JSONL file (a bad one is a stored rejection, the others are stored)"),
    "content": {"application/json": {
        "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
        "example": EVENT_EXAMPLE}}}}


@router.post("/events", openapi_extra=RAW_BODY)
async def post_events(request: Request, ws: ActingWorkspace, who: Caller) -> dict[str, Any]:
    """Ingest the events; the answer has the counts, the stored ids and every rejection's reason."""
    body = await read_capped(request, request.app.state.max_body_bytes)
    report = await run_in_threadpool(ingest_body, ws, body, origin=f"api:{who.person_id}")
    return {"ok": True, **report.to_dict(), "received_ids": report.received,
            "triaged_ids": report.triaged, "duplicate_ids": report.duplicates}


@router.get("/events", response_model=PageOut[FeedbackEvent])
def get_events(ws: ActingWorkspace, paging: Paging, state: FeedbackState | None = None,
               project: str | None = None) -> dict[str, Any]:
    """One page of stored events (the CLI's `--json` rows under `items`), optionally in one state
    or of one project; `next_cursor` asks for the next page, `remaining` says how many follow.
    `limit` is 1 to `store.paging.MAX_LIMIT` (default `DEFAULT_LIMIT`); a bad cursor or limit is
    a 400 with the reason."""
    listing = events(ws, state=state or None, project_id=project or None)
    return page_out(listing.page(paging.limit, paging.cursor))
