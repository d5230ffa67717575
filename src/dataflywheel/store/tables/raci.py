"""Tables: RACI items and their role assignments (team-wide or per project)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base
from dataflywheel.store.types import UTCDateTime


class RaciItemRow(Base):
    __tablename__ = "raci_items"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))


class RaciAssignmentRow(Base):
    __tablename__ = "raci_assignments"
    __table_args__ = (UniqueConstraint("item_id", "letter", "role", "project_id"),)

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("raci_items.id", ondelete="RESTRICT"), index=True)
    letter: Mapped[str] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"))
    project_id: Mapped[str | None] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), nullable=True
    )


class ConsultationRow(Base):
    """A consult request to one Consulted person on one decision (migration 0004)."""

    __tablename__ = "consultations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("raci_items.id", ondelete="RESTRICT"))
    record_kind: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    requested_by_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
