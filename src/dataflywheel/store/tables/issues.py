"""Tables of the Issue Pool: issues, their links to other records, post-mortems.

An issue link is one row per linked record with exactly one target foreign key set (a CHECK on
both backends), so "which issues touch batch B" is one indexed lookup. A post-mortem belongs to one
issue; its process-change link is a foreign key when the change is a record we keep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.issue import (
    DiscoverySource, IssueRelation, ProcessChangeKind, Severity,
)
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import exactly_one, fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime


class IssueRow(Base):
    __tablename__ = "issues"
    __table_args__ = (one_of("severity", Severity), one_of("source", DiscoverySource))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(4), index=True)
    source: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    owner_id: Mapped[str | None] = fk("people.id", nullable=True)
    reporter_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    root_cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remediate_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


_LINK_TARGETS = ("batch_id", "version_id", "experiment_id", "requirement_id",
                 "error_sample_id", "feedback_event_id")


class IssueLinkRow(Base):
    __tablename__ = "issue_links"
    __table_args__ = (
        one_of("relation", IssueRelation),
        exactly_one("one_target", *_LINK_TARGETS),
    )

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    issue_id: Mapped[str] = fk("issues.id")
    relation: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[str | None] = fk("batches.id", nullable=True)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    experiment_id: Mapped[str | None] = fk("experiments.id", nullable=True)
    requirement_id: Mapped[str | None] = fk("requirements.id", nullable=True)
    error_sample_id: Mapped[str | None] = fk("error_samples.id", nullable=True)
    feedback_event_id: Mapped[str | None] = fk("feedback_events.id", nullable=True)


class PostMortemRow(Base):
    __tablename__ = "post_mortems"
    __table_args__ = (
        UniqueConstraint("issue_id"),
        one_of("change_kind", ProcessChangeKind, nullable=True),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issue_id: Mapped[str] = fk("issues.id", index=False)
    state: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    event: Mapped[str] = mapped_column(Text)
    impact: Mapped[str] = mapped_column(Text)
    timeline: Mapped[list[Any]] = mapped_column(JSONValue)
    root_cause: Mapped[str] = mapped_column(Text)
    remediation: Mapped[str] = mapped_column(Text)
    preventive_measures: Mapped[list[Any]] = mapped_column(JSONValue)
    process_change: Mapped[str] = mapped_column(Text)
    change_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    change_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)
    change_contract_version_id: Mapped[str | None] = fk("contract_versions.id", nullable=True)
    change_raci_item_id: Mapped[str | None] = fk("raci_items.id", nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
