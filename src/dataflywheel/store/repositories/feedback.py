"""Repositories of feedback reflux: events, rejected input, themes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackRejection, Theme
from dataflywheel.domain.states import FeedbackState
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.feedback import (
    FeedbackEventRow,
    FeedbackRejectionRow,
    IngestCheckpointRow,
    ThemeRow,
)


class FeedbackEvents(Repository[FeedbackEvent, FeedbackEventRow]):
    record_type, row_type, kind, hint = (
        FeedbackEvent, FeedbackEventRow, "feedback event", "flywheel feedback list",
    )

    def triage_queue(self) -> list[FeedbackEvent]:
        """Events waiting for a person to route them, by event id."""
        return self.list(state=FeedbackState.TRIAGE.value)

    def count_by_state(self) -> dict[str, int]:
        """How many events are in each state (states with none are absent)."""
        rows = self.session.execute(
            select(FeedbackEventRow.state, func.count()).group_by(FeedbackEventRow.state)
        ).all()
        return {state: int(n) for state, n in rows}


class FeedbackRejections(Repository[FeedbackRejection, FeedbackRejectionRow]):
    record_type, row_type, kind = FeedbackRejection, FeedbackRejectionRow, "rejected feedback"


class Themes(Repository[Theme, ThemeRow]):
    record_type, row_type, kind, hint = Theme, ThemeRow, "theme", "flywheel feedback themes"

    def events(self, theme_id: str) -> list[FeedbackEvent]:
        """The events clustered into theme `theme_id`, by event id."""
        return FeedbackEvents(self.session).list(theme_id=theme_id)


class IngestCheckpoints:
    """The resume points of interrupted file ingests, by the file's sha256 (not audited: a
    checkpoint is bookkeeping of the ingest itself, and every event it covers has its entry)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def line_reached(self, file_sha256: str) -> int | None:
        """The last line committed by an unfinished ingest of this file, or None."""
        return self.session.scalar(select(IngestCheckpointRow.line)
                                   .where(IngestCheckpointRow.file_sha256 == file_sha256))

    def save(self, file_sha256: str, *, origin: str, line: int, at: datetime) -> None:
        """Record `line` as reached, in the caller's transaction (the batch it covers)."""
        row = self.session.get(IngestCheckpointRow, file_sha256)
        if row is None:
            self.session.add(IngestCheckpointRow(file_sha256=file_sha256, origin=origin, line=line,
                                                 updated_at=at))
        else:
            row.line, row.origin, row.updated_at = line, origin, at
        self.session.flush()

    def clear(self, file_sha256: str) -> None:
        """Forget the checkpoint: the file is fully ingested."""
        self.session.execute(delete(IngestCheckpointRow)
                             .where(IngestCheckpointRow.file_sha256 == file_sha256))
