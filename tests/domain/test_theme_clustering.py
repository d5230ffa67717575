"""Theme keys, a theme formed and grown, and its trend, without a workspace (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dataflywheel.domain.policies.term_vectors import vector
from dataflywheel.domain.policies.theme_clustering import (
    grown,
    iso_week,
    key_of,
    new_theme,
    view_of,
)
from dataflywheel.domain.records.feedback import (
    FeedbackEvent,
    FeedbackPayload,
    FeedbackSource,
    FeedbackType,
    ImpactScope,
)
from dataflywheel.domain.states import ThemeState

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, ISO week 2026-W48


def _event(n: int, text: str, *, at: datetime = T0, **attributes: Any) -> FeedbackEvent:
    return FeedbackEvent(id=f"FB-{n:04d}", occurred_at=at, source=FeedbackSource.APPLICATION,
                         failure_type=FeedbackType.MODEL_GAP, impact_scope=ImpactScope.SAMPLE,
                         project_id="P-TEST", payload=FeedbackPayload(sample=text,
                                                                      attributes=attributes))


def test_the_key_takes_the_first_category_attribute_present() -> None:
    assert key_of(_event(1, "x", question_type="money", task_family="")) == {
        "project_id": "P-TEST", "failure_type": "model_gap", "category": "money"}
    assert key_of(_event(2, "x", task_family=""))["category"] is None


def test_a_theme_formed_then_grown_keeps_the_span_and_counts_a_recurrence() -> None:
    first = _event(1, "refund refused twice", category="billing")
    theme = new_theme("TH-0001", first, vector("refund refused twice"), key_of(first), 0.25, T0)
    assert theme.title == "model_gap · billing: refund, refused, twice (P-TEST)"
    assert (theme.event_count, theme.first_seen, theme.signature["recurrences"]) == (1, T0, 0)
    earlier = _event(2, "refund refused", at=T0 - timedelta(days=3))
    after, recurring = grown(theme, earlier, vector("refund refused"), T0)
    assert not recurring and after.event_count == 2
    assert (after.first_seen, after.last_seen) == (T0 - timedelta(days=3), T0)
    declined = after.model_copy(update={"state": ThemeState.DECLINED, "decision_reason": "r"})
    again, recurring = grown(declined, _event(3, "refund"), vector("refund"), T0)
    assert recurring and again.state is ThemeState.OPEN and again.decision_reason is None
    assert again.signature["recurrences"] == 1


def test_the_view_counts_iso_weeks_up_to_now_and_ranks_examples_by_the_centroid() -> None:
    events = [_event(1, "refund refused"), _event(2, "shipping late", at=T0 - timedelta(weeks=1)),
              _event(3, "refund refused again")]
    theme = new_theme("TH-0001", events[0], vector("refund refused"), key_of(events[0]), 0.25, T0)
    view = view_of(events, theme, examples=2, weeks=3, now=T0)
    assert view.weekly == [("2026-W46", 0), ("2026-W47", 1), ("2026-W48", 2)]
    assert [e.id for e in view.examples] == ["FB-0001", "FB-0003"]
    assert iso_week(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
