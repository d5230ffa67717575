"""Table: reviewers' verdicts on sampled records (spot checks through review, final spot checks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.review import ReviewVerdict
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import UTCDateTime


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        one_of("verdict", ReviewVerdict),
        Index("ix_reviews_batch_record", "batch_id", "record_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[str] = fk("batches.id", index=False)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    record_id: Mapped[str] = mapped_column(String(200))
    reviewer_id: Mapped[str] = fk("people.id")
    verdict: Mapped[str] = mapped_column(String(8))
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    guide_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(1024))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
