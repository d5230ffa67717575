"""A person's inbox (`/inbox`): the notices the flows sent them, and the decisions waiting —
exceptions and grants requested in their projects, batches awaiting their review — each with its
action enabled only for the person the API route's rule names.

Every action is the API route's own: the same rule object guards the page's POST (so the server
refuses anyone else with a 403 page, nothing changed) and the same flow call takes the decision
with `by`/`approver` = the logged-in person, audited as them. The buttons ask the rule first
(`web.access.permission`) and, when it says no, are shown disabled with who alone may.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import Paging
from dataflywheel.api.policy import Rule, holds_in
from dataflywheel.api.routers.access import POLICY as ACCESS
from dataflywheel.api.routers.audit import POLICY as AUDIT
from dataflywheel.api.routers.batches import POLICY as BATCHES
from dataflywheel.api.routers.exceptions import POLICY as EXCEPTIONS
from dataflywheel.errors import BadInput
from dataflywheel.flows.data.batches import batches
from dataflywheel.flows.data.delivery_fetch import staged_name, staging
from dataflywheel.flows.data.reviews import take_reviews
from dataflywheel.flows.governance import access
from dataflywheel.flows.governance import exceptions as exception_flow
from dataflywheel.flows.governance.inbox import inbox_listing
from dataflywheel.flows.governance.tokens import Authenticated
from dataflywheel.flows.workspace import Workspace
from dataflywheel.web.access import permission
from dataflywheel.web.rendering import page_router, render_page, see_other

router = page_router()

X = "/api/v1/exceptions/{exception}"
G = "/api/v1/grants/{grant}"
REVIEW = "/api/v1/batches/{batch}/review"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/inbox"): AUDIT[("GET", "/api/v1/inbox")],
    ("POST", "/inbox/exceptions/{exception}/approve"): EXCEPTIONS[("POST", X + "/approve")],
    ("POST", "/inbox/exceptions/{exception}/reject"): EXCEPTIONS[("POST", X + "/reject")],
    ("POST", "/inbox/grants/{grant}/approve"): ACCESS[("POST", G + "/approve")],
    ("POST", "/inbox/grants/{grant}/deny"): ACCESS[("POST", G + "/deny")],
    ("POST", "/inbox/batches/{batch}/review"): BATCHES[("POST", REVIEW)],
}
OPEN = 100  # open requests shown per kind: they are few (each waits on named people)
Note = Annotated[str, Form(max_length=2000)]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]


def _exceptions(request: Request, ws: Workspace, who: Authenticated) -> list[dict[str, Any]]:
    """Requested exceptions of the projects `who` is a member of, each with who may decide."""
    found = exception_flow.exceptions(ws, state="requested").page(OPEN).items
    return [{"record": x,
             "approve": permission(request, who, "POST", X + "/approve", exception=x.id),
             "reject": permission(request, who, "POST", X + "/reject", exception=x.id)}
            for x in found if holds_in(who, x.project_id)]


def _grants(request: Request, ws: Workspace, who: Authenticated) -> list[dict[str, Any]]:
    """Requested grants (any person may see who asked for access), each with who may decide."""
    found = access.grants(ws, state="requested").page(OPEN).items
    return [{"record": g, "decide": permission(request, who, "POST", G + "/approve", grant=g.id)}
            for g in found]


def _reviews(request: Request, ws: Workspace, who: Authenticated) -> list[Any]:
    """Batches awaiting review that `who` may review (a member of the batch's project)."""
    found = batches(ws, state="awaiting_review").page(OPEN).items
    return [b for b in found if permission(request, who, "POST", REVIEW, batch=b.id)]


@router.get("/inbox", response_class=HTMLResponse, include_in_schema=False)
def inbox(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
          kind: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    """The person's notices (oldest first, as the API pages them) and the decisions waiting."""
    notices = inbox_listing(ws, who.person_id, kind=kind or None).page(paging.limit,
                                                                        paging.cursor)
    pending = _exceptions(request, ws, who)
    grants = _grants(request, ws, who)
    reviews = _reviews(request, ws, who)
    waiting = (sum(bool(x["approve"]) for x in pending) + sum(bool(g["decide"]) for g in grants)
               + len(reviews))
    return render_page(request, "inbox.html", title=f"Inbox of {who.person_id}", who=who,
                       notices=notices, kind=kind or "",
                       limit=paging.limit, exceptions=pending, grants=grants, reviews=reviews,
                       waiting=waiting)


@router.post("/inbox/exceptions/{exception}/approve", include_in_schema=False)
def approve_exception(exception: str, ws: ActingWorkspace, note: Note = "") -> RedirectResponse:
    """Approve in the role the person holds (`POST /api/v1/exceptions/{exception}/approve`)."""
    shown = exception_flow.approve(ws, exception, approver=ws.actor, note=note)
    return see_other("/inbox", notice=f"{exception} approved by {ws.actor}: now "
                                      f"{shown.exception.state.value}")


@router.post("/inbox/exceptions/{exception}/reject", include_in_schema=False)
def reject_exception(exception: str, ws: ActingWorkspace, reason: Reason) -> RedirectResponse:
    """Reject with a reason (`POST /api/v1/exceptions/{exception}/reject`)."""
    exception_flow.reject(ws, exception, approver=ws.actor, reason=reason)
    return see_other("/inbox", notice=f"{exception} rejected by {ws.actor}")


@router.post("/inbox/grants/{grant}/approve", include_in_schema=False)
def approve_grant(grant: str, ws: ActingWorkspace, note: Note = "") -> RedirectResponse:
    """Approve the grant (`POST /api/v1/grants/{grant}/approve`)."""
    after = access.approve(ws, grant, approver=ws.actor, note=note)
    return see_other("/inbox", notice=f"{grant} approved by {ws.actor}: now {after.state.value}")


@router.post("/inbox/grants/{grant}/deny", include_in_schema=False)
def deny_grant(grant: str, ws: ActingWorkspace, reason: Reason) -> RedirectResponse:
    """Refuse the grant with a reason (`POST /api/v1/grants/{grant}/deny`)."""
    access.deny(ws, grant, approver=ws.actor, reason=reason)
    return see_other("/inbox", notice=f"{grant} denied by {ws.actor}")


@router.post("/inbox/batches/{batch}/review", include_in_schema=False)
async def review(batch: str, ws: ActingWorkspace, reviews: UploadFile) -> RedirectResponse:
    """Take the person's reviews file of the batch (`POST /api/v1/batches/{batch}/review`): the
    file is stored byte for byte, then its rows are judged."""
    body = await reviews.read()
    if not body:
        raise BadInput("the reviews file is empty", field="reviews", kept="nothing was stored",
                       expected="the review sheet with verdicts filled in (JSONL or CSV)")
    name = staged_name(reviews.filename or "reviews.jsonl")

    def take() -> Any:
        with staging(ws.settings) as folder:
            (folder / name).write_bytes(body)
            return take_reviews(ws, batch, folder / name, sender=ws.actor).answer()

    answer = await run_in_threadpool(take)
    rejected = f", {len(answer.rejected)} row(s) rejected" if answer.rejected else ""
    return see_other("/inbox", notice=f"{answer.taken} review(s) of {batch} taken{rejected}: "
                                      f"the batch is {answer.state.value}")
