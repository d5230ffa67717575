"""Tables of governance: exceptions with covers and approvals, assets, asset uses, access grants.

Exceptions and grants always carry `expires_at` (NOT NULL, and after the request by CHECK), so
"what expires soon" is one indexed query; covers and approvals are rows, so "which exceptions cover
batch B" and "who approved exception E" are joins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.governance import (
    ApprovalDecision, AssetKind, ExceptionType, RiskLevel, Sensitivity,
)
from dataflywheel.domain.roles import Role
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import exactly_one, fk, one_of
from dataflywheel.store.types import JSONValue, UTCDateTime

_EXPIRES_AFTER_REQUEST = "expires_at > requested_at"


class ExceptionRow(Base):
    __tablename__ = "exceptions"
    __table_args__ = (
        one_of("type", ExceptionType),
        one_of("risk_level", RiskLevel, nullable=True),
        CheckConstraint(_EXPIRES_AFTER_REQUEST, name="expiry"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    usage_restriction: Mapped[str] = mapped_column(Text)
    isolation_label: Mapped[str] = mapped_column(String(200))
    outstanding_checks: Mapped[list[Any]] = mapped_column(JSONValue)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    source_description: Mapped[str | None] = mapped_column(Text, nullable=True)
    risk_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    access_list: Mapped[list[Any] | None] = mapped_column(JSONValue, nullable=True)
    requested_by_id: Mapped[str] = fk("people.id", index=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ExceptionCoverRow(Base):
    __tablename__ = "exception_covers"
    __table_args__ = (exactly_one("one_target", "batch_id", "version_id", "dataset_id"),)

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    exception_id: Mapped[str] = fk("exceptions.id")
    batch_id: Mapped[str | None] = fk("batches.id", nullable=True)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    dataset_id: Mapped[str | None] = fk("datasets.id", nullable=True)


class ExceptionApprovalRow(Base):
    __tablename__ = "exception_approvals"
    __table_args__ = (one_of("decision", ApprovalDecision), one_of("role", Role))

    exception_id: Mapped[str] = mapped_column(
        ForeignKey("exceptions.id", ondelete="RESTRICT"), primary_key=True
    )
    approver_id: Mapped[str] = mapped_column(
        ForeignKey("people.id", ondelete="RESTRICT"), primary_key=True
    )
    role: Mapped[str] = mapped_column(
        ForeignKey("roles.id", ondelete="RESTRICT"), primary_key=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (one_of("kind", AssetKind), one_of("sensitivity", Sensitivity))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    dataset_id: Mapped[str | None] = fk("datasets.id", nullable=True)
    version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    owner_id: Mapped[str] = fk("people.id", index=False)
    sensitivity: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    discoverable: Mapped[bool] = mapped_column(Boolean)
    requestable: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssetUseRow(Base):
    """Which projects use an asset. No flow writes it yet: kept for the assembly layer (issue 20)."""

    __tablename__ = "asset_uses"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="RESTRICT"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    purpose: Mapped[str] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(UTCDateTime)


class AccessGrantRow(Base):
    __tablename__ = "access_grants"
    __table_args__ = (
        one_of("sensitivity", Sensitivity),
        CheckConstraint(_EXPIRES_AFTER_REQUEST, name="expiry"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    asset_id: Mapped[str] = fk("assets.id")
    grantee_id: Mapped[str] = fk("people.id")
    sensitivity: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(32), index=True)
    requested_by_id: Mapped[str] = fk("people.id", index=False)
    exception_id: Mapped[str | None] = fk("exceptions.id", nullable=True)
    approved_by_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    compliance_approved_by_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    granted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DerivationRow(Base):
    __tablename__ = "derivations"
    __table_args__ = (exactly_one("one_source", "source_version_id", "source_dataset_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset_id: Mapped[str] = fk("datasets.id")
    source_version_id: Mapped[str | None] = fk("dataset_versions.id", nullable=True)
    source_dataset_id: Mapped[str | None] = fk("datasets.id", nullable=True)
    method: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[str] = fk("people.id", index=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegradeRow(Base):
    __tablename__ = "regrades"
    __table_args__ = (one_of("level", Sensitivity), one_of("inherited", Sensitivity))

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    dataset_id: Mapped[str] = fk("datasets.id")
    level: Mapped[str] = mapped_column(String(32))
    inherited: Mapped[str] = mapped_column(String(32))
    approved_by_id: Mapped[str] = fk("people.id", index=False)
    reason: Mapped[str] = mapped_column(Text)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
