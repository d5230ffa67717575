"""Tables of the Data Pool: datasets, batches, batch files, dataset versions, version membership.

Every link is a foreign key with ON DELETE RESTRICT: nothing is deleted out from under a record.
Fixed value sets (purpose, format, compliance) are CHECK constraints; states are plain strings
validated by the domain. The immutability of frozen versions is enforced by migration triggers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from dataflywheel.domain.records.data import ComplianceStatus, DatasetPurpose, FileFormat
from dataflywheel.domain.records.governance import Sensitivity
from dataflywheel.store.base import Base
from dataflywheel.store.types import JSONValue, UTCDateTime


def one_of(column: str, values: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    """A CHECK that `column` holds one of the enum's values (named after the column)."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=column)


def exactly_one(name: str, *columns: str) -> CheckConstraint:
    """A CHECK that exactly one of `columns` is not NULL."""
    total = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns)
    return CheckConstraint(f"{total} = 1", name=name)


def fk(
    target: str, *, nullable: bool = False, index: bool = True, **kwargs: Any
) -> MappedColumn[Any]:
    """A RESTRICT foreign-key column to `target` ("table.column")."""
    return mapped_column(
        ForeignKey(target, ondelete="RESTRICT", **kwargs), nullable=nullable, index=index
    )


class DatasetRow(Base):
    __tablename__ = "datasets"
    __table_args__ = (
        UniqueConstraint("name"),
        one_of("purpose", DatasetPurpose),
        one_of("sensitivity", Sensitivity),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str] = fk("projects.id")
    owner_id: Mapped[str] = fk("people.id")
    purpose: Mapped[str] = mapped_column(String(32))
    sensitivity: Mapped[str] = mapped_column(String(32))
    scenario: Mapped[str] = mapped_column(String(64))  # Table 24-29; validated by the domain
    description: Mapped[str] = mapped_column(Text)
    # A cycle with dataset_versions.dataset_id: this is the FK that PostgreSQL adds by ALTER once
    # both tables exist; SQLite (no ALTER) declares it inline and checks it when rows are written.
    current_version_id: Mapped[str | None] = fk(
        "dataset_versions.id", nullable=True, use_alter=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BatchRow(Base):
    __tablename__ = "batches"
    __table_args__ = (
        exactly_one("one_deliverer", "delivered_by_person_id", "delivered_by_vendor_id"),
        CheckConstraint("row_count >= 0 AND nonconforming_count >= 0", name="counts"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset_id: Mapped[str] = fk("datasets.id")
    contract_version_id: Mapped[str] = fk("contract_versions.id")
    requirement_id: Mapped[str] = fk("requirements.id")
    delivered_by_person_id: Mapped[str | None] = fk("people.id", nullable=True)
    delivered_by_vendor_id: Mapped[str | None] = fk("vendors.id", nullable=True)
    source: Mapped[str] = mapped_column(Text)
    annotator_ids: Mapped[list[Any]] = mapped_column(JSONValue)
    guide_version: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    report_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                      info={"blob_ref": True})
    row_count: Mapped[int] = mapped_column(Integer)
    nonconforming_count: Mapped[int] = mapped_column(Integer)
    quality_summary: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class BatchFileRow(Base):
    __tablename__ = "batch_files"
    __table_args__ = (
        UniqueConstraint("batch_id", "name"),
        one_of("format", FileFormat),
        CheckConstraint("size_bytes >= 0 AND position >= 0", name="sizes"),
    )

    batch_id: Mapped[str] = mapped_column(
        ForeignKey("batches.id", ondelete="RESTRICT"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64), index=True, info={"blob_ref": True})
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    format: Mapped[str] = mapped_column(String(16))


class DatasetVersionRow(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (
        UniqueConstraint("dataset_id", "number"),
        UniqueConstraint("manifest_sha256"),
        one_of("compliance", ComplianceStatus),
        CheckConstraint("number IS NULL OR number >= 1", name="number"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    dataset_id: Mapped[str] = fk("datasets.id")
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True,
                                                        info={"blob_ref": True})
    datasheet: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    quality_summary: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    compliance: Mapped[str] = mapped_column(String(32))
    experimental: Mapped[bool] = mapped_column(Boolean)
    baseline: Mapped[bool] = mapped_column(Boolean)
    parent_version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    created_by_id: Mapped[str] = fk("people.id", index=False)
    approved_by_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    compliance_by_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_issue_id: Mapped[str | None] = fk("issues.id", nullable=True)


class VersionBatchRow(Base):
    __tablename__ = "version_batches"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="RESTRICT"), primary_key=True
    )
    batch_id: Mapped[str] = mapped_column(
        ForeignKey("batches.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    added_by_id: Mapped[str] = fk("people.id", index=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
