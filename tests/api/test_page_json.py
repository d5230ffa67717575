"""`api.paging.page_json` serialises a page once, bypassing FastAPI's re-validation against the
route's `PageOut[T]`; the bytes must still be what that model gives, item for item (the answer
the OpenAPI document promises, and the CLI's `--json` rows)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel, TypeAdapter

from dataflywheel.api.paging import PageOut, page_json
from dataflywheel.domain.records.feedback import FeedbackEvent, FeedbackPayload
from dataflywheel.domain.states import FeedbackState
from dataflywheel.store.paging import Page


def _event(n: int, **extra: object) -> FeedbackEvent:
    return FeedbackEvent(
        id=f"FB-{n:03d}", occurred_at=datetime(2026, 11, 2, 9, n % 60, tzinfo=UTC),
        source="evaluation", failure_type="model_gap", impact_scope="sample",
        project_id="P-1", payload=FeedbackPayload(sample="15% of 80 — ü", model_output="10",
                                                  expected_behaviour="12"), **extra)


def test_a_page_of_models_is_the_json_of_its_page_model() -> None:
    items = [_event(1), _event(2, state=FeedbackState.TRIAGE, triage_reason="vague")]
    page = Page(items, "Y3Vyc29y", 7)
    expected = TypeAdapter(PageOut[FeedbackEvent]).dump_python(
        PageOut[FeedbackEvent](items=items, next_cursor="Y3Vyc29y", remaining=7), mode="json")
    assert json.loads(page_json(page)) == expected
    assert json.loads(page_json(page))["items"] == [i.model_dump(mode="json") for i in items]


def test_the_last_page_and_an_empty_page_say_so() -> None:
    assert json.loads(page_json(Page([], None, 0))) == {
        "items": [], "next_cursor": None, "remaining": 0}
    assert json.loads(page_json(Page([_event(3)], None, None)))["remaining"] is None


def test_mixed_models_and_a_custom_dump_each_keep_their_own_form() -> None:
    class Other(BaseModel):
        id: str
        at: datetime

    other = Other(id="x", at=datetime(2026, 1, 1, tzinfo=UTC))
    event = _event(4)
    mixed = json.loads(page_json(Page([event, other], None, 0)))["items"]
    assert mixed == [event.model_dump(mode="json"), other.model_dump(mode="json")]
    dumped = json.loads(page_json(Page([_event(5)], None, 0), lambda e: {"only": e.id}))
    assert dumped["items"] == [{"only": "FB-005"}]
