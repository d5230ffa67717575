"""Feedback events and rejections as lists (`flywheel feedback list|rejections|triage list`,
`GET /api/v1/feedback/events`): paged or streamed, filtered in the database."""

from __future__ import annotations

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackRejection
from dataflywheel.domain.states import FeedbackState
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import FeedbackEvents, FeedbackRejections


def events(ws: Workspace, *, state: str | None = None,
           project_id: str | None = None) -> Listing[FeedbackEvent]:
    return Listing(ws, FeedbackEvents, state=state, project_id=project_id)


def triage(ws: Workspace) -> Listing[FeedbackEvent]:
    """The triage queue (`flywheel feedback triage list`): events waiting for a person."""
    return events(ws, state=FeedbackState.TRIAGE.value)


def rejections(ws: Workspace, *, origin: str | None = None) -> Listing[FeedbackRejection]:
    return Listing(ws, FeedbackRejections, origin=origin)
