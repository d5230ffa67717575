"""Repositories of feedback reflux: events, rejected input, themes."""

from __future__ import annotations

from sqlalchemy import func, select

from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackRejection, Theme
from dataflywheel.domain.states import FeedbackState
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.feedback import FeedbackEventRow, FeedbackRejectionRow, ThemeRow


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
