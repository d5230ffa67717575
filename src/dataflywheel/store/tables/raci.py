"""Tables: RACI items and their role assignments (team-wide or per project)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base


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
