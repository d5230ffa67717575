"""Tables of the Experiment Pool: experiments, the versions they used, their error samples.

Links are RESTRICT foreign keys, so "which experiments used version V" is a join, and no version
or experiment can be deleted while something refers to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.experiment import ExperimentKind, UsageRole
from dataflywheel.domain.states import VersionState
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime


class ExperimentRow(Base):
    __tablename__ = "experiments"
    __table_args__ = (one_of("kind", ExperimentKind),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), index=True)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    owner_id: Mapped[str | None] = fk("people.id", nullable=True)
    model_version: Mapped[str] = mapped_column(String(200), index=True)
    baseline_experiment_id: Mapped[str | None] = fk("experiments.id", nullable=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    conclusion: Mapped[str | None] = mapped_column(Text, nullable=True)
    runtime_env: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    container_image: Mapped[str | None] = mapped_column(Text, nullable=True)
    dependency_lock: Mapped[str | None] = mapped_column(Text, nullable=True)
    hardware_profile: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    cuda_driver: Mapped[str | None] = mapped_column(String(100), nullable=True)
    random_seed: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    determinism_flags: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    mlflow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    mlflow_tracking_uri: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ExperimentVersionRow(Base):
    __tablename__ = "experiment_versions"
    __table_args__ = (one_of("role", UsageRole), one_of("version_state", VersionState))

    experiment_id: Mapped[str] = mapped_column(
        ForeignKey("experiments.id", ondelete="RESTRICT"), primary_key=True
    )
    version_id: Mapped[str] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    version_state: Mapped[str] = mapped_column(String(32))


class ErrorSampleRow(Base):
    __tablename__ = "error_samples"
    __table_args__ = (UniqueConstraint("experiment_id", "record_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    experiment_id: Mapped[str] = fk("experiments.id")
    record_id: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(200), index=True)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONValue)
