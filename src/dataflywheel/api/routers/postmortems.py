"""Post-mortems over HTTP: the blameless template, write (create, or edit a draft), link the
implemented process change, submit, publish, show — one call each into `flows.issues.postmortems`,
the flow `flywheel issues postmortem…` calls.

A post-mortem belongs to its issue, so its routes are open to the members of the issue's project
(`Member(scope="issue")`); the flow refuses a root cause that names a person, a change that is not
in effect, and a publish that lacks a section, and files what it publishes in the knowledge base.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Member, Rule
from dataflywheel.api.request_text import Id, Prose, Ref, Word
from dataflywheel.domain.records.issue import PostMortem
from dataflywheel.flows.issues import postmortems as flow

router = APIRouter(prefix="/api/v1/issues/{issue}/postmortem", tags=["post-mortems"])

PM = "/api/v1/issues/{issue}/postmortem"
POLICY: dict[tuple[str, str], Rule] = {
    ("GET", PM + "/template"): Member(scope="issue"),
    ("GET", PM): Member(scope="issue"),
    ("PUT", PM): Member(scope="issue"),
    ("POST", PM + "/link"): Member(scope="issue"),
    ("POST", PM + "/submit"): Member(scope="issue"),
    ("POST", PM + "/publish"): Member(scope="issue"),
}

Section = Prose


class TimelineItem(BaseModel):
    """One moment of the timeline (UTC), as the template writes it."""

    model_config = ConfigDict(extra="forbid")

    at: datetime
    what: Section = Field(min_length=1)


class PostMortemSections(BaseModel):
    """The sections of `flywheel issues postmortem --file FILE` (the template's YAML as JSON);
    only the sections given are written, so a half-filled draft is fine."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "event": "the Wednesday spot check found 12% near-duplicates in a delivered batch",
        "impact": "one candidate version held back for a day",
        "timeline": [{"at": "2026-11-25T10:00:00Z", "what": "the spot check flagged the batch"}],
        "root_cause": "the near-duplicate check ran only on new vendors",
        "remediation": "deduplicated the batch and redelivered it",
        "preventive_measures": ["run the near-duplicate check on every delivery"],
        "process_change": "the contract now gates near-duplicates"}]})

    event: Section | None = None
    impact: Section | None = None
    timeline: list[TimelineItem] | None = Field(default=None, max_length=500)
    root_cause: Section | None = None
    remediation: Section | None = None
    preventive_measures: list[Section] | None = Field(default=None, max_length=100)
    process_change: Section | None = None
    author_id: Id | None = None


class ChangeLink(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"kind": "check", "ref": "near_duplicates"}]})

    kind: Word = Field(description="contract_version, raci_change, check or "
                                                 "guide_version")
    ref: Ref = Field(description="id or name of the change")


class Template(BaseModel):
    issue_id: str
    template: str = Field(description="YAML that PUT …/postmortem accepts back (as JSON)")


@router.get("/template", response_model=Template)
def template(issue: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The blameless template for the issue (`flywheel issues postmortem-template`)."""
    return {"issue_id": issue, "template": flow.template(ws, issue)}


@router.get("", response_model=PostMortem)
def show(issue: str, ws: ActingWorkspace) -> PostMortem:
    """The issue's post-mortem (404 when it has none)."""
    return flow.post_mortem_of(ws, issue)


@router.put("", response_model=PostMortem)
def write(issue: str, body: PostMortemSections, ws: ActingWorkspace) -> PostMortem:
    """Create the post-mortem, or update the sections given while it is a draft."""
    return flow.write(ws, issue, **body.model_dump(exclude_none=True))


@router.post("/link", response_model=PostMortem)
def link(issue: str, body: ChangeLink, ws: ActingWorkspace) -> PostMortem:
    """Link the implemented process change (verified now, and again on publish and close)."""
    return flow.link_change(ws, issue, kind=body.kind, ref=body.ref)


@router.post("/submit", response_model=PostMortem)
def submit(issue: str, ws: ActingWorkspace) -> PostMortem:
    """draft → review."""
    return flow.submit(ws, issue)


@router.post("/publish", response_model=PostMortem)
def publish(issue: str, ws: ActingWorkspace) -> PostMortem:
    """review → published (complete, change verified); filed in the knowledge base."""
    return flow.publish(ws, issue)
