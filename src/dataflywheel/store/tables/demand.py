"""Table: requirements of the Demand Pool."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base
from dataflywheel.store.types import UTCDateTime


def _person_fk(nullable: bool = True) -> Mapped[str | None]:
    return mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), nullable=nullable)


class RequirementRow(Base):
    __tablename__ = "requirements"
    # The Demand Pool's keyset order (`REQUIREMENT_ORDER`), alone and within a project: a page of
    # `requirements list` / `GET /api/v1/requirements` reads the index instead of sorting the
    # table (migration 0009).
    __table_args__ = (
        Index("ix_requirements_order", "priority", "deadline", "created_at", "id"),
        Index("ix_requirements_project_order", "project_id", "priority", "deadline", "created_at",
              "id"),
        # the Demand board's counts by state and priority read this index alone (migration 0015)
        Index("ix_requirements_project_state", "project_id", "state", "priority"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="RESTRICT"), index=True)
    requester_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(4))
    target_metric: Mapped[str | None] = mapped_column(Text, nullable=True)
    acceptance_criteria: Mapped[str | None] = mapped_column(Text, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    responsible_id: Mapped[str | None] = _person_fk()
    accountable_id: Mapped[str | None] = _person_fk()
    state: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(Text)
    returned_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_by_id: Mapped[str | None] = _person_fk()
    committed_week: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RequirementDeliveryRow(Base):
    __tablename__ = "requirement_deliveries"

    requirement_id: Mapped[str] = mapped_column(
        ForeignKey("requirements.id", ondelete="RESTRICT"), primary_key=True
    )
    version_id: Mapped[str] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    linked_by_id: Mapped[str | None] = _person_fk()
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
