"""The Demand board (`/demand`) and one requirement (`/demand/{requirement}`).

The board counts the pool by state and priority and pages it most urgent first, each row with its
SLA clock (business days, the chapter's P0/P1/P2 deadlines) — `flows.demand.board`, which pages
with the listing `GET /api/v1/requirements` uses and clocks each row with the function
`GET /api/v1/requirements/{id}/sla` answers with. Returned requirements show what they lack. The
page of one requirement adds its five SLA dimensions and its links: the versions it was delivered
in (`/data/versions/…`), the issues naming it, the feedback themes that became it; a delivered
requirement's Accountable person accepts or rejects it there (the API route's rule and flow:
anyone else sees the buttons disabled and is refused with a 403 page).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import Paging
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.requirements import POLICY as API
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.states import RequirementState
from dataflywheel.flows.demand.board import board_page, demand_counts, requirement_links
from dataflywheel.flows.demand import lifecycle
from dataflywheel.flows.demand.lifecycle import requirement_sla
from dataflywheel.flows.demand.requirements import get_requirement
from dataflywheel.web.access import permission
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page, see_other

router = page_router()

ONE = "/api/v1/requirements/{requirement}"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/demand"): API[("GET", "/api/v1/requirements")],
    ("GET", "/demand/{requirement}"): API[("GET", ONE)],
    ("POST", "/demand/{requirement}/accept"): API[("POST", ONE + "/accept")],
    ("POST", "/demand/{requirement}/reject"): API[("POST", ONE + "/reject")],
}
Filter = Annotated[str | None, Query(max_length=40)]


@router.get("/demand", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
          project: Filter = None, state: Filter = None, priority: Filter = None) -> HTMLResponse:
    """The project's Demand Pool by state and priority, and a page of it with SLA clocks."""
    choice = project_choice(ws, who, project or None)
    current = choice.current
    page = board_page(ws, project_id=current, state=state or None, priority=priority or None,
                      limit=paging.limit, cursor=paging.cursor, now=utcnow())
    return render_page(
        request, "demand.html", title=f"Demand board {current or ''}".strip(), who=who,
        choice=choice, current=current, counts=demand_counts(ws, project_id=current), page=page,
        state=state or "", priority=priority or "", states=[s.value for s in RequirementState],
        priorities=[p.value for p in Priority], limit=paging.limit)


@router.get("/demand/{requirement}", response_class=HTMLResponse, include_in_schema=False)
def requirement(request: Request, requirement: str, ws: ActingWorkspace,
                who: Caller) -> HTMLResponse:
    """One requirement: its fields, its SLA in five dimensions, what it is linked to."""
    found = get_requirement(ws, requirement)
    return render_page(request, "demand_requirement.html", title=f"Requirement {found.id}",
                       who=who, r=found, sla=requirement_sla(ws, found.id),
                       links=requirement_links(ws, found.id),
                       decide=permission(request, who, "POST", ONE + "/accept",
                                         requirement=found.id))


@router.post("/demand/{requirement}/accept", include_in_schema=False)
def accept(requirement: str, ws: ActingWorkspace) -> RedirectResponse:
    """Accept the delivery: its Accountable person only (`POST …/requirements/{id}/accept`)."""
    after = lifecycle.decide(ws, requirement, accept=True, by=ws.actor)
    return see_other(f"/demand/{requirement}",
                     notice=f"{requirement} {after.state.value} by {ws.actor}")


@router.post("/demand/{requirement}/reject", include_in_schema=False)
def reject(requirement: str, ws: ActingWorkspace,
           reason: Annotated[str, Form(min_length=1, max_length=2000)]) -> RedirectResponse:
    """Reject the delivery with a reason (`POST …/requirements/{id}/reject`); work resumes."""
    after = lifecycle.decide(ws, requirement, accept=False, by=ws.actor, reason=reason)
    return see_other(f"/demand/{requirement}",
                     notice=f"{requirement} {after.state.value} by {ws.actor}")
