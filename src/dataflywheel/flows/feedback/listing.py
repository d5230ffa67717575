"""Feedback events and rejections as pages or streams (`flywheel feedback list|rejections`,
`GET /api/v1/feedback/events`): filters are column equalities, applied in the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackRejection
from dataflywheel.flows._listing import page_of, stream_of
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import Page
from dataflywheel.store.repositories.feedback import FeedbackEvents, FeedbackRejections


def page_events(ws: Workspace, *, limit: int | None, cursor: str | None = None,
                **equals: Any) -> Page[FeedbackEvent]:
    return page_of(ws, FeedbackEvents, limit=limit, cursor=cursor, **equals)


def stream_events(ws: Workspace, **equals: Any) -> Iterator[FeedbackEvent]:
    return stream_of(ws, FeedbackEvents, **equals)


def page_rejections(ws: Workspace, *, limit: int | None, cursor: str | None = None,
                    **equals: Any) -> Page[FeedbackRejection]:
    return page_of(ws, FeedbackRejections, limit=limit, cursor=cursor, **equals)


def stream_rejections(ws: Workspace, **equals: Any) -> Iterator[FeedbackRejection]:
    return stream_of(ws, FeedbackRejections, **equals)
