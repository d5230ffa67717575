"""Tables of feedback reflux: events, rejected input, themes.

Events link to project, stage, dataset version, experiment and theme by RESTRICT foreign keys; a
theme links to the requirement or issue it became and the version that absorbed it, so the
feedback-loop rate is a query. Rejected input is a table of its own: nothing is dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.feedback import FeedbackSource, FeedbackType, ImpactScope
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime


class FeedbackEventRow(Base):
    __tablename__ = "feedback_events"
    __table_args__ = (
        one_of("source", FeedbackSource),
        one_of("failure_type", FeedbackType),
        one_of("impact_scope", ImpactScope),
        # the Feedback page's loop rate by week, routing table and absorbed count read these
        # indexes alone (migration 0015)
        Index("ix_feedback_events_state_received", "state", "received_at"),
        Index("ix_feedback_events_route", "project_id", "stage_id", "state"),
        Index("ix_feedback_events_theme_state", "theme_id", "state"),
        Index("ix_feedback_events_theme_occurred", "theme_id", "occurred_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(32))
    failure_type: Mapped[str] = mapped_column(String(32), index=True)
    impact_scope: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    stage_id: Mapped[str | None] = fk("stages.id", nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    model_version: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    experiment_id: Mapped[str | None] = fk("experiments.id", nullable=True)
    recommended_action: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    route_rule: Mapped[str | None] = mapped_column(String(200), nullable=True)
    theme_id: Mapped[str | None] = fk("themes.id", nullable=True)
    reject_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    origin: Mapped[str | None] = mapped_column(Text, nullable=True)
    triage_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class FeedbackRejectionRow(Base):
    __tablename__ = "feedback_rejections"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    raw_size: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThemeRow(Base):
    __tablename__ = "themes"
    __table_args__ = (one_of("failure_type", FeedbackType, nullable=True),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    stage_id: Mapped[str | None] = fk("stages.id", nullable=True)
    failure_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    signature: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    event_count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    impact: Mapped[float | None] = mapped_column(Float, nullable=True)
    reusability: Mapped[float | None] = mapped_column(Float, nullable=True)
    risk: Mapped[float | None] = mapped_column(Float, nullable=True)
    cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    leverage_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    requirement_id: Mapped[str | None] = fk("requirements.id", nullable=True)
    issue_id: Mapped[str | None] = fk("issues.id", nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    absorbed_version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    absorbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IngestCheckpointRow(Base):
    """How far an interrupted ingest of one file got: the file's sha256 and the last line whose
    batch committed. Written in each batch's transaction, deleted when the file is done, so a
    rerun of the same file continues after `line` (see flows.feedback.ingest)."""

    __tablename__ = "ingest_checkpoints"

    file_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    origin: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
