"""Annotation guides over HTTP: add, change, FAQ, list, show, diff — one call each into
`flows.contracts.guides`, the flow `flywheel guides …` calls, answering what its `--json` prints.

A guide file travels as the text of a JSON string and is kept as its UTF-8 bytes (line endings
included). Adding or changing a guide is the Annotation Engineer's (the owner of the semantic
layer, as for a contract); any member of the guide's project answers a question in its FAQ; any
person reads guides, since vendors and internal staff must use the same version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import AnyPerson, Holds, Member, Rule
from dataflywheel.api.request_text import NO_NUL, Document, Id, Prose
from dataflywheel.domain.records.guide import GuideFaq, GuideVersion
from dataflywheel.domain.roles import Role
from dataflywheel.flows.contracts import guides as flow
from dataflywheel.flows.contracts.guides import GuideChange, GuideDiffView, GuideView

router = APIRouter(prefix="/api/v1", tags=["guides"])

SOURCE = "request body"
VERSION = "/api/v1/guides/{guide}/versions/{version}"
EDITORS = frozenset({Role.ANNOTATION_ENGINEER})
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/guides"): AnyPerson(),
    ("POST", "/api/v1/guides"): Holds(roles=EDITORS),
    ("POST", "/api/v1/projects/{project}/guides"): Holds(roles=EDITORS, scope="project"),
    ("POST", "/api/v1/guides/{guide}/versions"): Holds(roles=EDITORS, scope="guide"),
    ("GET", VERSION): AnyPerson(),
    ("POST", VERSION + "/faq"): Member(scope="guide"),
    ("GET", "/api/v1/guides/{guide}/diff"): AnyPerson(),
}


class GuideFile(BaseModel):
    """What `flywheel guides add|change FILE` sends: the file's text."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "document": "---\nguide: sft-guide\nversion: 1.2.0\ntitle: SFT answer quality\n"
                    "labels:\n  - {name: helpful, definition: answers fully}\n---\n# Guide\n"}]})

    document: Document = Field(description="the guide file: YAML front matter, then Markdown")


class FaqAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "question": "Is a partial list helpful?", "answer": "No: see EX-2."}]})

    question: Prose = Field(min_length=1)
    answer: Prose = Field(min_length=1)
    asked_by: Id | None = None


@router.get("/guides", response_model=list[GuideVersion])
def list_versions(ws: ActingWorkspace, guide: Annotated[str | None, Query(
        max_length=64, pattern=NO_NUL, description="only this guide's versions")] = None,
                  ) -> list[GuideVersion]:
    """Every guide version, guide by guide, oldest SemVer first."""
    return flow.list_versions(ws, guide or None)


@router.post("/guides", response_model=GuideChange, status_code=201)
def add(body: GuideFile, ws: ActingWorkspace) -> GuideChange:
    """Register a team-wide guide with its first version."""
    return flow.add_guide(ws, body.document.encode("utf-8"), source=SOURCE)


@router.post("/projects/{project}/guides", response_model=GuideChange, status_code=201)
def add_to_project(project: str, body: GuideFile, ws: ActingWorkspace) -> GuideChange:
    """Register a guide of the project with its first version."""
    return flow.add_guide(ws, body.document.encode("utf-8"), source=SOURCE, project_id=project)


@router.post("/guides/{guide}/versions", response_model=GuideChange, status_code=201)
def change(guide: str, body: GuideFile, ws: ActingWorkspace) -> GuideChange:
    """Store the next version with its change record, and announce it."""
    return flow.change_guide(ws, body.document.encode("utf-8"), source=SOURCE, guide_id=guide)


@router.get("/guides/{guide}/versions/{version}", response_model=GuideView)
def show(guide: str, version: str, ws: ActingWorkspace) -> GuideView:
    """One version with its FAQ and the file's text (re-hashed)."""
    return flow.show(ws, f"{guide}@{version}")


@router.post("/guides/{guide}/versions/{version}/faq", response_model=GuideFaq, status_code=201)
def add_faq(guide: str, version: str, body: FaqAdd, ws: ActingWorkspace) -> GuideFaq:
    """Answer a question, citing this version."""
    return flow.add_faq(ws, f"{guide}@{version}", question=body.question, answer=body.answer,
                        asked_by=body.asked_by)


@router.get("/guides/{guide}/diff", response_model=GuideDiffView)
def diff(guide: str, ws: ActingWorkspace,
         old: Annotated[str, Query(min_length=1, max_length=32, pattern=NO_NUL)],
         new: Annotated[str, Query(min_length=1, max_length=32, pattern=NO_NUL)]) -> GuideDiffView:
    """The classified changes between two versions and the line diff of their files."""
    return flow.diff(ws, f"{guide}@{old}", f"{guide}@{new}")
