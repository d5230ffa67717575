"""Feedback records: the event schema, payload limit, kept rejections, theme state fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.feedback import (
    MAX_PAYLOAD_BYTES, FeedbackEvent, FeedbackPayload, FeedbackRejection, FeedbackType, Theme,
    payload_size,
)
from dataflywheel.domain.states import FeedbackState, ThemeState

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _event(**changes: object) -> FeedbackEvent:
    fields: dict[str, object] = dict(
        id="FB-1", occurred_at=NOW, received_at=NOW, source="evaluation",
        failure_type="data_gap", impact_scope="task_family",
        payload={"sample": {"q": "2+2"}, "model_output": "5", "expected_behaviour": "4",
                 "attributes": {"question_type": "arithmetic"}},
    )
    return FeedbackEvent.model_validate(fields | changes)


def test_a_valid_event_round_trips_as_json() -> None:
    event = _event(project_id="P-K12", state="routed", route_rule="math-gaps")
    assert event.payload.attributes == {"question_type": "arithmetic"}
    assert FeedbackEvent.model_validate(event.model_dump(mode="json")) == event


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": "twitter"},
         "source\n  Input should be 'application', 'evaluation', 'platform', "
         "'governance' or 'human_review'"),
        ({"failure_type": "vibes"}, "failure_type\n  Input should be 'data_gap', "),
        ({"impact_scope": "galaxy"}, "impact_scope\n  Input should be 'sample', 'task_family', "
                                     "'project' or 'system'"),
        ({"state": "rejected"}, "a rejected event needs reject_reason"),
        ({"state": "routed"}, "a routed event needs project_id"),
        ({"state": "themed", "project_id": "P"}, "a themed event needs theme_id"),
        ({"payload": {"sample": "x", "colour": 1}},
         "payload.colour\n  Extra inputs are not permitted"),
        ({"occurred_at": None}, "occurred_at\n  Input should be a valid datetime"),
    ],
)
def test_bad_events_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _event(**changes)
    assert message in str(info.value)


def test_missing_required_fields_are_each_named() -> None:
    with pytest.raises(ValidationError) as info:
        FeedbackEvent.model_validate({"id": "FB-2", "payload": {}})
    text = str(info.value)
    for name in ("occurred_at", "source", "failure_type", "impact_scope"):
        assert f"{name}\n  Field required" in text


def test_a_payload_over_the_limit_is_refused_with_its_size() -> None:
    overhead = payload_size(FeedbackPayload(sample=""))
    empty = '{"sample":"","model_output":null,"expected_behaviour":null,"attributes":{}}'
    assert overhead == len(empty)
    exactly = "x" * (MAX_PAYLOAD_BYTES - overhead)
    assert _event(payload={"sample": exactly}).payload.sample == exactly
    with pytest.raises(ValidationError) as info:
        _event(payload={"sample": exactly + "é"})
    assert (f"payload\n  Value error, payload is {MAX_PAYLOAD_BYTES + 2} bytes as JSON; "
            f"the limit is {MAX_PAYLOAD_BYTES}") in str(info.value)


def test_rejection_keeps_origin_reason_and_excerpt() -> None:
    rejected = FeedbackRejection(
        id="FBR-1", origin="feedback.jsonl", line=7, raw_sha256="0" * 64, raw_size=3,
        excerpt="\ufffd\ufffd{", reason="invalid UTF-8 at byte 0", received_at=NOW,
    )
    assert rejected.line == 7
    with pytest.raises(ValidationError) as info:
        FeedbackRejection(id="FBR-2", origin="", line=0, raw_sha256="zz", raw_size=-1,
                          excerpt="x" * 2001, reason="")
    text = str(info.value)
    for name in ("origin", "line", "raw_sha256", "raw_size", "excerpt", "reason"):
        assert f"\n{name}\n" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"state": "promoted"}, "a promoted theme needs requirement_id or issue_id"),
        ({"state": "queued"}, "a queued theme needs decision_reason"),
        ({"state": "declined"}, "a declined theme needs decision_reason"),
        ({"state": "absorbed", "requirement_id": "REQ-0001"},
         "an absorbed theme needs absorbed_version_id and absorbed_at"),
        ({"first_seen": NOW, "last_seen": NOW - timedelta(days=1)},
         "last_seen is before first_seen"),
        ({"impact": -0.1}, "impact\n  Input should be greater than or equal to 0"),
    ],
)
def test_bad_themes_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Theme.model_validate({"id": "TH-1", "title": "geometry gaps"} | changes)
    assert message in str(info.value)


def test_theme_in_each_settled_state() -> None:
    promoted = Theme(id="TH-1", title="t", state="promoted", requirement_id="REQ-0001")
    assert promoted.state is ThemeState.PROMOTED
    declined = Theme(id="TH-1", title="t", state="declined", decision_reason="low leverage")
    assert declined.decision_reason == "low leverage"
    absorbed = Theme(id="TH-1", title="t", state="absorbed", absorbed_version_id="V-2",
                     absorbed_at=NOW, failure_type=FeedbackType.DATA_GAP)
    assert absorbed.failure_type is FeedbackType.DATA_GAP
    assert FeedbackState.TRIAGE.value == "triage"
