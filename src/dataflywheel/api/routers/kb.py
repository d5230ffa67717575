"""The knowledge base over HTTP: search (paged), show, add, link — one call each into
`flows.issues.kb`, the flow `flywheel kb …` calls, answering what its `--json` prints.

The knowledge base is the team's shared memory (published post-mortems, best practices, decision
records), so any person reads and searches it and adds team-wide documents; a document of a
project is added by, and linked by, the members of that project (`Member`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import AnyPerson, Holds, Member, Rule
from dataflywheel.api.request_text import NO_NUL, Document, Id, Ref, Title, Word
from dataflywheel.domain.records.kb import KbDocument, KbLink
from dataflywheel.domain.roles import Role
from dataflywheel.flows.issues import kb_templates
from dataflywheel.flows.issues import kb as flow
from dataflywheel.flows.issues.kb import DocumentView, SearchHit

router = APIRouter(prefix="/api/v1", tags=["kb"])

DOC = "/api/v1/kb/documents/{document}"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/kb/search"): AnyPerson(),
    ("GET", DOC): AnyPerson(),
    ("POST", "/api/v1/kb/documents"): AnyPerson(),
    ("POST", "/api/v1/projects/{project}/kb/documents"): Member(scope="project"),
    ("POST", DOC + "/links"): Member(scope="document"),
    ("GET", "/api/v1/kb/templates"): AnyPerson(),
    ("POST", "/api/v1/kb/templates/install"): Holds(roles=frozenset({Role.DATA_OWNER,
                                                                      Role.PLATFORM_ENGINEER})),
}


class DocumentAdd(BaseModel):
    """What `flywheel kb add` takes; the project comes from the path (none: team-wide)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "best_practice", "title": "Deduplicate before the spot check",
        "body": "Run the near-duplicate check on every delivery before sampling.",
        "links": ["project:P-TEST"]}]})

    kind: Word = Field(description="post_mortem, best_practice, template, "
                                                 "decision_record or onboarding")
    title: Title
    body: Document = Field(description="Markdown")
    author: Id | None = None
    links: list[Ref] = Field(default_factory=list, max_length=100,
                                description="KIND:ID of records, or kb:DOC of other documents")


class LinkTo(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"target": "project:P-TEST"}]})

    target: Ref = Field(description="KIND:ID of a record, or kb:DOC of another document")


@router.get("/kb/search", response_model=PageOut[SearchHit])
def search(ws: ActingWorkspace, paging: Paging,
           q: Annotated[str, Query(min_length=1, max_length=500, pattern=NO_NUL,
                                   description="words to find")],
           kind: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
           ) -> Response:
    """Documents containing every word of `q`, best first, one page at a time."""
    return page_out(flow.search_page(ws, q, kind=kind or None, limit=paging.limit,
                                     cursor=paging.cursor))


class TemplateOut(BaseModel):
    name: str
    version: str
    title: str
    sha256: str


@router.get("/kb/templates", response_model=list[TemplateOut])
def templates() -> list[TemplateOut]:
    """The standard templates this version ships (Table 24-18)."""
    return [TemplateOut(**t.model_dump(exclude={"body"})) for t in kb_templates.shipped()]


@router.post("/kb/templates/install", response_model=list[KbDocument])
def install_templates(ws: ActingWorkspace) -> list[KbDocument]:
    """File the shipped template versions not yet in the knowledge base (maintained by the Data
    Owner and the Platform Engineer, Table 24-18)."""
    return kb_templates.install(ws)


@router.get("/kb/documents/{document}", response_model=DocumentView)
def show(document: str, ws: ActingWorkspace) -> DocumentView:
    """The document with its links and the documents linking to it."""
    return flow.show(ws, document)


def _add(ws: Any, body: DocumentAdd, project: str | None) -> KbDocument:
    links = [flow.parse_target(item) for item in body.links]
    return flow.add_document(ws, kind=body.kind, title=body.title, body=body.body,
                             project_id=project, author_id=body.author, links=links)


@router.post("/kb/documents", response_model=KbDocument, status_code=201)
def add_team_document(body: DocumentAdd, ws: ActingWorkspace) -> KbDocument:
    """Add a team-wide document, with its links (all or nothing)."""
    return _add(ws, body, None)


@router.post("/projects/{project}/kb/documents", response_model=KbDocument, status_code=201)
def add_project_document(project: str, body: DocumentAdd, ws: ActingWorkspace) -> KbDocument:
    """Add a document of the project, with its links (all or nothing)."""
    return _add(ws, body, project)


@router.post("/kb/documents/{document}/links", response_model=KbLink, status_code=201)
def link(document: str, body: LinkTo, ws: ActingWorkspace) -> KbLink:
    """Link the document to a record or another document (an existing link is answered as is)."""
    return flow.link(ws, document, body.target)
