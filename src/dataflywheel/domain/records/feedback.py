"""Feedback records (issue 7): events, rejected input kept with its reason, and themes.

Guarantees: an event's payload is at most `MAX_PAYLOAD_BYTES` as JSON; a rejected event carries
its reason; a routed or themed event names its project; a themed event names its theme. Input that
is not an event at all (bad JSON, invalid UTF-8, missing fields) is kept as a `FeedbackRejection`,
never dropped. A theme that was promoted names what it became; a queued or declined theme says why;
an absorbed theme names the frozen version that absorbed it.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from dataflywheel.domain.records.base import Record, read_from_store, utcnow
from dataflywheel.domain.records.data import SHA256_PATTERN
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import FeedbackState, ThemeState

MAX_PAYLOAD_BYTES = 1_048_576
EXCERPT_CHARS = 2000


class FeedbackSource(StrEnum):
    APPLICATION = "application"
    EVALUATION = "evaluation"
    PLATFORM = "platform"
    GOVERNANCE = "governance"
    HUMAN_REVIEW = "human_review"


class FeedbackType(StrEnum):
    """Failure or improvement types; `other` keeps an event that fits none (it goes to triage)."""

    DATA_GAP = "data_gap"
    RETRIEVAL_GAP = "retrieval_gap"
    MODEL_GAP = "model_gap"
    PROCESS_GAP = "process_gap"
    PRIVACY_TRIGGER = "privacy_trigger"
    TOOL_CALL_FAILURE = "tool_call_failure"
    REGRESSION = "regression"
    OTHER = "other"


class ImpactScope(StrEnum):
    SAMPLE = "sample"
    TASK_FAMILY = "task_family"
    PROJECT = "project"
    SYSTEM = "system"


class FeedbackPayload(Record):
    """The sample, what the model did, what was expected; `attributes` holds e.g. question type."""

    sample: Any = None
    model_output: Any = None
    expected_behaviour: Any = None
    attributes: dict[str, Any] = Field(default_factory=dict)


def payload_size(payload: FeedbackPayload) -> int:
    """Bytes of the payload's compact UTF-8 JSON form (what the limit is measured on)."""
    text = json.dumps(payload.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8"))


class FeedbackEvent(Record):
    """One structured feedback event, from ingest to the theme that absorbed it."""

    id: str = Field(pattern=ID_PATTERN)
    occurred_at: datetime
    received_at: datetime = Field(default_factory=utcnow)
    source: FeedbackSource
    failure_type: FeedbackType
    impact_scope: ImpactScope
    project_id: str | None = None
    stage_id: str | None = None
    payload: FeedbackPayload
    model_version: str | None = None
    version_id: str | None = None
    experiment_id: str | None = None
    recommended_action: str | None = None
    state: FeedbackState = FeedbackState.RECEIVED
    route_rule: str | None = None
    theme_id: str | None = None
    reject_reason: str | None = None
    origin: str | None = None
    triage_reason: str | None = None
    reported_project_id: str | None = None

    @field_validator("payload")
    @classmethod
    def _payload_size(cls, value: FeedbackPayload, info: ValidationInfo) -> FeedbackPayload:
        if read_from_store(info):  # measured when it was stored; a page of 50 need not again
            return value
        size = payload_size(value)
        if size > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload is {size} bytes as JSON; the limit is {MAX_PAYLOAD_BYTES}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackEvent:
        if self.state is FeedbackState.REJECTED and not self.reject_reason:
            raise ValueError("a rejected event needs reject_reason")
        if self.state in (FeedbackState.ROUTED, FeedbackState.THEMED) and self.project_id is None:
            raise ValueError(f"a {self.state.value} event needs project_id")
        if self.state is FeedbackState.THEMED and self.theme_id is None:
            raise ValueError("a themed event needs theme_id")
        return self


class FeedbackRejection(Record):
    """Input that could not become an event, kept with where it came from and why.

    The raw bytes are kept in the blob store under `raw_sha256`; `excerpt` is their start,
    decoded with replacement characters so invalid UTF-8 is still shown.
    """

    id: str = Field(pattern=ID_PATTERN)
    origin: str = Field(min_length=1)
    line: int | None = Field(default=None, ge=1)
    raw_sha256: str = Field(pattern=SHA256_PATTERN)
    raw_size: int = Field(ge=0)
    excerpt: str = Field(max_length=EXCERPT_CHARS)
    reason: str = Field(min_length=1)
    field: str | None = None
    received_at: datetime = Field(default_factory=utcnow)


class Theme(Record):
    """A cluster of routed events that recur together; it persists across ingests."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    state: ThemeState = ThemeState.OPEN
    project_id: str | None = None
    stage_id: str | None = None
    failure_type: FeedbackType | None = None
    signature: dict[str, Any] = Field(default_factory=dict)
    event_count: int = Field(default=0, ge=0)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    impact: float | None = Field(default=None, ge=0)
    reusability: float | None = Field(default=None, ge=0)
    risk: float | None = Field(default=None, ge=0)
    cost: float | None = Field(default=None, ge=0)
    leverage_score: float | None = None
    requirement_id: str | None = None
    issue_id: str | None = None
    decision_reason: str | None = None
    absorbed_version_id: str | None = None
    absorbed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _state_fields(self) -> Theme:
        if self.first_seen and self.last_seen and self.last_seen < self.first_seen:
            raise ValueError("last_seen is before first_seen")
        if self.state is ThemeState.PROMOTED and not (self.requirement_id or self.issue_id):
            raise ValueError("a promoted theme needs requirement_id or issue_id")
        if self.state in (ThemeState.QUEUED, ThemeState.DECLINED) and not self.decision_reason:
            raise ValueError(f"a {self.state.value} theme needs decision_reason")
        absorbed = self.absorbed_version_id and self.absorbed_at
        if self.state is ThemeState.ABSORBED and not absorbed:
            raise ValueError("an absorbed theme needs absorbed_version_id and absorbed_at")
        return self
