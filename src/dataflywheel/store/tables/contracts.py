"""Tables: contracts, their versions (ODCS text + sha256, state, change management), notices.

A version's id is `CONTRACT@SEMVER` (e.g. `sft-instructions@1.2.0`); batches pin it by foreign key
(`batches.contract_version_id`). Every link is RESTRICT: nothing is deleted out from under a record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.states import ContractVersionState
from dataflywheel.store.base import Base
from dataflywheel.store.types import JSONValue, UTCDateTime


def _one_of(column: str, values: Any, *, nullable: bool = False) -> CheckConstraint:
    listed = ", ".join(f"'{v.value}'" for v in values)
    condition = f"{column} IN ({listed})"
    return CheckConstraint(f"{column} IS NULL OR {condition}" if nullable else condition, name=column)


def _fk(target: str, *, nullable: bool = False) -> Any:
    return mapped_column(ForeignKey(target, ondelete="RESTRICT"), nullable=nullable, index=True)


class ContractRow(Base):
    __tablename__ = "contracts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    project_id: Mapped[str | None] = _fk("projects.id", nullable=True)
    raci_item_id: Mapped[str] = _fk("raci_items.id")
    producer_role: Mapped[str] = _fk("roles.id")
    consumer_role: Mapped[str] = _fk("roles.id")
    registered_by: Mapped[str] = _fk("people.id")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContractVersionRow(Base):
    __tablename__ = "contract_versions"
    __table_args__ = (
        UniqueConstraint("contract_id", "semver"),
        _one_of("state", ContractVersionState),
        _one_of("change_class", ChangeClass),
        CheckConstraint("notice_days >= 0", name="notice_days"),
    )

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    contract_id: Mapped[str] = _fk("contracts.id")
    semver: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    document: Mapped[str] = mapped_column(Text)
    document_sha256: Mapped[str] = mapped_column(String(64))
    change_class: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[Any]] = mapped_column(JSONValue)
    previous_version_id: Mapped[str | None] = _fk("contract_versions.id", nullable=True)
    superseded_by_id: Mapped[str | None] = _fk("contract_versions.id", nullable=True)
    proposed_by: Mapped[str] = _fk("people.id")
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)
    compatibility_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    migration_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    notice_days: Mapped[int] = mapped_column(Integer)
    short_notice_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ContractNoticeRow(Base):
    __tablename__ = "contract_notices"
    __table_args__ = (
        UniqueConstraint("contract_version_id", "person_id"),
        CheckConstraint("letter IN ('C', 'I')", name="letter"),
    )

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    contract_version_id: Mapped[str] = _fk("contract_versions.id")
    person_id: Mapped[str] = _fk("people.id")
    letter: Mapped[str] = mapped_column(String(1))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_at: Mapped[datetime] = mapped_column(UTCDateTime)
