"""The audit log over HTTP (`GET /api/v1/audit/head`, `GET /api/v1/audit/entries`,
`POST /api/v1/audit/verify`) and the caller's own notifications (`GET /api/v1/inbox`).

The same flows as `flywheel audit head|verify` and `flywheel inbox`. Any person may take a signed
head (keeping heads outside the server is what lets them detect a rewrite later) and ask for a
verify. A full verify re-hashes every entry — about 13 s at 1M entries on SQLite (bench/RESULTS.md)
— so the server runs one at a time: a second full verify while one runs is answered 503 with
`Retry-After` rather than piling CPU-bound walks onto the thread pool; the incremental verify
from a signed head costs O(entries after it) (~0.03 s) and is not limited. The inbox is the
caller's own: nobody reads another person's notifications here.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.errors import envelope
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Rule
from dataflywheel.api.request_text import NO_NUL
from dataflywheel.domain.records.notification import Notification
from dataflywheel.errors import ServerUnavailable
from dataflywheel.flows.governance.audit_log import audit_entries
from dataflywheel.flows.governance.inbox import inbox_listing
from dataflywheel.flows.integrity import signed_head, verify_audit_log
from dataflywheel.store.audit import AuditEntry, SignedHead, load_public_key

router = APIRouter(prefix="/api/v1", tags=["audit"])

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/audit/head"): AnyPerson(),
    ("GET", "/api/v1/audit/entries"): AnyPerson(),
    ("POST", "/api/v1/audit/verify"): AnyPerson(),
    ("GET", "/api/v1/inbox"): AnyPerson(),
}

FULL_VERIFY = threading.Lock()
RETRY_AFTER_S = 15


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"head": None, "incremental": False}]})

    head: SignedHead | None = Field(default=None, description="a head from GET /api/v1/audit/head")
    public_key: str | None = Field(default=None, max_length=200, pattern=r"^[0-9a-f]{64}$",
                                   description="the signer's key (hex); default: the server's")
    incremental: bool = Field(default=False, description="with `head`: only the head's entry "
                              "and those after it")


class ProblemOut(BaseModel):
    seq: int
    kind: str
    detail: str
    expected: str | None
    actual: str | None
    message: str


class VerifyOut(BaseModel):
    """The CLI's `audit verify --json`: the full walk (`entries`) or the incremental one."""

    ok: bool
    head_seq: int | None
    problems: list[ProblemOut]
    entries: int | None = None
    incremental: bool | None = None
    checked: int | None = None
    first_seq: int | None = None
    last_seq: int | None = None
    not_rechecked: str | None = None


@router.get("/audit/head", response_model=SignedHead)
def head(ws: ActingWorkspace) -> dict[str, Any]:
    """The chain head signed with the server's audit key (`flywheel audit head`)."""
    return signed_head(ws)


Filter = Annotated[str | None, Query(max_length=200, pattern=NO_NUL)]


@router.get("/audit/entries", response_model=PageOut[AuditEntry])
def entries(ws: ActingWorkspace, paging: Paging, actor: Filter = None, kind: Filter = None,
            record: Filter = None) -> Response:
    """One page of the audit log, newest first, optionally of one actor, record kind or record
    id (`remaining` is null: counting would scan the log)."""
    return page_out(audit_entries(ws, actor=actor or None, kind=kind or None,
                                  record=record or None, limit=paging.limit,
                                  cursor=paging.cursor))


@router.post("/audit/verify", response_model=VerifyOut, response_model_exclude_unset=True)
def verify(body: VerifyRequest, ws: ActingWorkspace) -> Any:
    """Re-hash and re-link the chain; `ok` false with the problems (200) when it is not intact,
    as `flywheel audit verify --json` prints them (the CLI then exits 1)."""
    public = load_public_key(body.public_key) if body.public_key else None
    incremental = body.incremental and body.head is not None
    if incremental:
        return verify_audit_log(ws, head=body.head, public_key=public, incremental=True).to_json()
    if body.incremental:
        from dataflywheel.errors import BadInput

        raise BadInput("incremental needs a signed head to start from", field="incremental",
                       expected="head: a head from GET /api/v1/audit/head",
                       kept="nothing was checked")
    if not FULL_VERIFY.acquire(blocking=False):
        busy = ServerUnavailable("a full audit verify is already running on this server",
                                 kept="nothing was checked", hint=f"retry in {RETRY_AFTER_S} s, "
                                 "or verify incrementally from a signed head")
        return envelope(busy.http_status, str(busy), [busy.to_dict()],
                        {"Retry-After": str(RETRY_AFTER_S)})
    try:
        return verify_audit_log(ws, head=body.head, public_key=public).to_json()
    finally:
        FULL_VERIFY.release()


@router.get("/inbox", response_model=PageOut[Notification])
def inbox(ws: ActingWorkspace, who: Caller, paging: Paging,
          kind: str | None = None) -> Response:
    """One page of the caller's notifications, oldest first (`flywheel inbox PERSON --json`
    rows), optionally of one kind."""
    return page_out(inbox_listing(ws, who.person_id, kind=kind or None)
                    .page(paging.limit, paging.cursor))
