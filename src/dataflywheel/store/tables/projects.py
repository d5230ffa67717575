"""Table: the project registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base
from dataflywheel.store.types import JSONValue, UTCDateTime


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(64))
    layers: Mapped[list[Any]] = mapped_column(JSONValue)
    owner_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    interfaces_out: Mapped[list[Any]] = mapped_column(JSONValue)
    interfaces_in: Mapped[list[Any]] = mapped_column(JSONValue)
    status: Mapped[str] = mapped_column(String(32))
    review_hours_estimate: Mapped[float] = mapped_column(Float)
    cost_estimate: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deliverables: Mapped[list[Any]] = mapped_column(JSONValue)
    registry_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    needs_human_review: Mapped[bool] = mapped_column(Boolean)
    needs_governance_control: Mapped[bool] = mapped_column(Boolean)
    imported_checks_passed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imported_checks_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
