"""Tables of the plan: project stages and milestones (the milestone board).

No flow writes them yet: they are kept for the assembly layer (issue 20), which gives them flows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.project import Layer
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime


class StageRow(Base):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("project_id", "name"),
        UniqueConstraint("project_id", "position"),
        one_of("layer", Layer, nullable=True),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = fk("projects.id", index=False)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    layer: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    goals: Mapped[list[Any]] = mapped_column(JSONValue)
    exit_criteria: Mapped[list[Any]] = mapped_column(JSONValue)


class MilestoneRow(Base):
    __tablename__ = "milestones"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = fk("projects.id")
    stage_id: Mapped[str | None] = fk("stages.id", nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    owner_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    criteria: Mapped[list[Any]] = mapped_column(JSONValue)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
