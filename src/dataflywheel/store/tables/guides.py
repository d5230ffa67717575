"""Tables of annotation guides: guides, their versions (the file's blob sha256, the labels and
example library it defines, its change record) and the FAQ entries citing a version; and the
lifecycle evidence of the vendors who annotate under them.

The guide file itself is a blob (`store/blobs.py`), named by the sha256 kept here; `sha256` is
not a foreign key because blobs are not rows; it is marked `blob_ref`, so `flywheel verify`
re-hashes the guide files with the delivered ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.records.vendor import EvidenceKind, VendorStage
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime


class GuideRow(Base):
    __tablename__ = "annotation_guides"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    registered_by: Mapped[str] = fk("people.id", index=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GuideVersionRow(Base):
    __tablename__ = "guide_versions"
    __table_args__ = (
        UniqueConstraint("guide_id", "version"),
        one_of("change_class", ChangeClass),
        CheckConstraint("notice_days >= 0", name="notice_days"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    guide_id: Mapped[str] = fk("annotation_guides.id")
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), info={"blob_ref": True})
    size: Mapped[int] = mapped_column(Integer)
    labels: Mapped[list[Any]] = mapped_column(JSONValue)
    examples: Mapped[list[Any]] = mapped_column(JSONValue)
    change_class: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[Any]] = mapped_column(JSONValue)
    examples_changed: Mapped[list[Any]] = mapped_column(JSONValue)
    previous_version_id: Mapped[str | None] = fk("guide_versions.id", nullable=True, index=False)
    author_id: Mapped[str] = fk("people.id", index=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)


class GuideFaqRow(Base):
    __tablename__ = "guide_faq"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    guide_version_id: Mapped[str] = fk("guide_versions.id")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    answered_by: Mapped[str] = fk("people.id", index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VendorEvidenceRow(Base):
    """A vendor's lifecycle evidence (Table 24-21), kept with the guides it cites."""

    __tablename__ = "vendor_evidence"
    __table_args__ = (one_of("stage", VendorStage), one_of("kind", EvidenceKind))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vendor_id: Mapped[str] = fk("vendors.id")
    stage: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    guide_version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = fk("people.id", index=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
