"""Tables of the plan: project stages and milestones (the milestone board), and flywheel runs.

`flows.flywheel` writes them (issue 20): a stage plan loaded from YAML, and a run per revolution.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Integer, String, Text, UniqueConstraint
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
    gate: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    outputs: Mapped[list[Any]] = mapped_column(JSONValue, default=list)
    raci_item: Mapped[str | None] = mapped_column(String(64), nullable=True)


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
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)


class FlywheelRunRow(Base):
    __tablename__ = "flywheel_runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[str] = fk("projects.id")
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    stages: Mapped[list[Any]] = mapped_column(JSONValue)
    completion_rate: Mapped[float] = mapped_column(Float)
    average_score: Mapped[float] = mapped_column(Float)
    recorded_by_id: Mapped[str] = fk("people.id", index=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
