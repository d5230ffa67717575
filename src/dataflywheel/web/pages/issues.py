"""The Issue board (`/issues`), one issue with its post-mortem (`/issues/{issue}`), and the
knowledge base (`/kb?q=`, `/kb/{document}`).

The board counts the Issue Pool by risk tier (Table 24-19) and state and pages it most urgent
first, each issue with its escalation clock — `flows.issues.board`, paging with the listing
`GET /api/v1/issues` uses and timing each row with the function `GET /api/v1/issues/{issue}`
answers with. The issue's page is that answer (`lifecycle.issue_view`: links, post-mortem, clock);
the knowledge base is `GET /api/v1/kb/search` and `GET /api/v1/kb/documents/{document}`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import Paging
from dataflywheel.api.policy import Rule
from dataflywheel.api.routers.issues import POLICY as ISSUES
from dataflywheel.api.routers.kb import POLICY as KB
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import Severity
from dataflywheel.domain.states import IssueState
from dataflywheel.flows.issues.board import issue_board, issue_counts, issue_themes
from dataflywheel.flows.issues.kb import search_page, show
from dataflywheel.flows.issues.kb_recent import recent_documents
from dataflywheel.flows.issues.lifecycle import issue_view
from dataflywheel.web.projects import project_choice
from dataflywheel.web.rendering import page_router, render_page

router = page_router()

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/issues"): ISSUES[("GET", "/api/v1/issues")],
    ("GET", "/issues/{issue}"): ISSUES[("GET", "/api/v1/issues/{issue}")],
    ("GET", "/kb"): KB[("GET", "/api/v1/kb/search")],
    ("GET", "/kb/{document}"): KB[("GET", "/api/v1/kb/documents/{document}")],
}
Filter = Annotated[str | None, Query(max_length=100)]

# the record kinds an issue links to that have a page, and where
LINKED_PAGES = {"requirement_id": "/demand/", "version_id": "/data/versions/"}


@router.get("/issues", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
          project: Filter = None, state: Filter = None, severity: Filter = None,
          owner: Filter = None) -> HTMLResponse:
    """The project's issues by risk tier, and a page of them with their escalation clocks."""
    choice = project_choice(ws, who, project or None)
    current = choice.current
    page = issue_board(ws, project_id=current, state=state or None, severity=severity or None,
                       owner_id=owner or None, limit=paging.limit, cursor=paging.cursor,
                       now=utcnow())
    return render_page(
        request, "issues.html", title=f"Issues {current or ''}".strip(), who=who, choice=choice,
        current=current, counts=issue_counts(ws, project_id=current), page=page,
        state=state or "", severity=severity or "", owner=owner or "", limit=paging.limit,
        states=[s.value for s in IssueState], tiers=[t.value for t in Severity])


@router.get("/issues/{issue}", response_class=HTMLResponse, include_in_schema=False)
def issue(request: Request, issue: str, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """One issue: its tier and deadlines, escalation clock, links and post-mortem."""
    view = issue_view(ws, issue)
    return render_page(request, "issues_issue.html", title=f"Issue {view.id}", who=who, i=view,
                       themes=issue_themes(ws, view.id), linked_pages=LINKED_PAGES)


@router.get("/kb", response_class=HTMLResponse, include_in_schema=False)
def kb(request: Request, ws: ActingWorkspace, who: Caller, paging: Paging,
       q: Annotated[str | None, Query(max_length=500)] = None,
       kind: Annotated[str | None, Query(max_length=32)] = None) -> HTMLResponse:
    """The knowledge base: a search form, the hits of `?q=` best first, else the newest
    documents."""
    hits = None
    if q:
        hits = search_page(ws, q, kind=kind or None, limit=paging.limit, cursor=paging.cursor)
    return render_page(request, "issues_kb.html", title="Knowledge base", who=who, q=q or "",
                       kind=kind or "", hits=hits, limit=paging.limit,
                       recent=[] if q else recent_documents(ws))


@router.get("/kb/{document}", response_class=HTMLResponse, include_in_schema=False)
def document(request: Request, document: str, ws: ActingWorkspace, who: Caller) -> HTMLResponse:
    """One knowledge-base document with its links and the documents linking to it."""
    view = show(ws, document)
    return render_page(request, "issues_document.html", title=view.document.title, who=who,
                       view=view)
