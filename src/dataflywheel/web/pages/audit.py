"""The audit log (`/audit`): newest first, paged (`?cursor=`), filtered by actor, record kind or
record, with the hash chain's verify status; `POST /audit/verify` re-verifies the whole chain.

The entries are `flows.governance.audit_log.audit_entries`, the read `GET /api/v1/audit/entries`
answers with. The status is `flows.integrity.verify_audit_log`, the verify
`POST /api/v1/audit/verify` runs: a full walk costs O(entries) (~13 s at 1M), far beyond a page,
so the site keeps a checkpoint — the head signed just before its last full verify passed — and
each page load verifies incrementally from it (O(entries since), milliseconds). Without a
checkpoint (a fresh server) a small log (≤ `INLINE_FULL_VERIFY` entries, well under 0.1 s) is
verified in full on the spot; a larger one waits for the button, which runs the full walk one at a
time under the API's own lock (a second one meanwhile is a 503 page).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import Paging
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.audit import FULL_VERIFY, POLICY as API, RETRY_AFTER_S
from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import ServerUnavailable
from dataflywheel.flows.governance.audit_log import audit_entries
from dataflywheel.flows.integrity import AuditVerdict, signed_head, verify_audit_log
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import SignedHead
from dataflywheel.web.rendering import page_router, render_page, see_other

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/audit"): API[("GET", "/api/v1/audit/entries")],
    ("POST", "/audit/verify"): API[("POST", "/api/v1/audit/verify")],
}
INLINE_FULL_VERIFY = 5_000
Filter = Annotated[str | None, Query(max_length=200)]
_CHECKPOINT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Checkpoint:
    """The last full verify: the head signed just before it, when, what it walked and found."""

    head: SignedHead
    verified_at: datetime
    entries: int
    problems: list[dict[str, Any]]


@dataclass(frozen=True)
class ChainStatus:
    """What the page says about the chain: intact or not, how it was checked, the problems."""

    ok: bool | None  # None: not verified since the server started
    how: str
    problems: list[dict[str, Any]]


def full_verify(request: Request, ws: Workspace) -> AuditVerdict:
    """The whole chain re-hashed (head signed first, so an intact walk vouches for every entry up
    to it); the result becomes the site's checkpoint."""
    head = SignedHead.model_validate(signed_head(ws))
    verdict = verify_audit_log(ws)
    point = Checkpoint(head, utcnow(), verdict.entries or 0, verdict.to_json()["problems"])
    with _CHECKPOINT_LOCK:
        request.app.state.audit_checkpoint = point
    return verdict


def chain_status(request: Request, ws: Workspace) -> ChainStatus:
    """The chain's status now: incremental from the checkpoint, a full walk of a small log
    without one, or not verified yet."""
    point: Checkpoint | None = getattr(request.app.state, "audit_checkpoint", None)
    if point is None:
        if int(signed_head(ws)["seq"]) > INLINE_FULL_VERIFY or not FULL_VERIFY.acquire(False):
            return ChainStatus(None, "not verified since the server started", [])
        try:
            verdict = full_verify(request, ws)
        finally:
            FULL_VERIFY.release()
        return ChainStatus(not verdict.problems, f"full verify of {verdict.entries} entries "
                           "just now", verdict.to_json()["problems"])
    when = point.verified_at.strftime("%Y-%m-%d %H:%M")
    if point.problems:  # a broken chain stays broken: say so until a full verify finds it intact
        return ChainStatus(False, f"full verify of {point.entries} entries at {when} UTC",
                           point.problems)
    step = verify_audit_log(ws, head=point.head, incremental=True).to_json()
    checked = step["checked"]
    since = (f"{checked} {'entry' if checked == 1 else 'entries'} from the checkpoint (entry "
             f"{point.head.seq}) re-hashed now" if checked else "no entries after it")
    how = f"full verify of {point.entries} entries at {when} UTC; {since}"
    return ChainStatus(step["ok"], how, step["problems"])


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
          actor: Filter = None, kind: Filter = None, record: Filter = None) -> HTMLResponse:
    """A page of the log, newest first, and whether the chain is intact."""
    page = audit_entries(ws, actor=actor or None, kind=kind or None, record=record or None,
                         limit=paging.limit, cursor=paging.cursor)
    return render_page(request, "audit.html", title="Audit log", who=who, page=page,
                       actor=actor or "", kind=kind or "", record=record or "",
                       limit=paging.limit, chain=chain_status(request, ws))


@router.post("/audit/verify", include_in_schema=False)
def verify(request: Request, ws: ActingWorkspace, who: Caller) -> RedirectResponse:
    """Re-verify the whole chain now (one at a time on this server, as over the API)."""
    if not FULL_VERIFY.acquire(blocking=False):
        raise ServerUnavailable("a full audit verify is already running on this server",
                                kept="nothing was checked", hint=f"retry in {RETRY_AFTER_S} s")
    try:
        verdict = full_verify(request, ws)
    finally:
        FULL_VERIFY.release()
    return see_other("/audit", notice=f"full verify done: {verdict.entries} entries re-hashed "
                                      "(the chain's status is below)")
