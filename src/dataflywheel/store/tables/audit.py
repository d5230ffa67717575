"""The audit log table: one row per change, hash-chained (see `dataflywheel.store.audit`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base
from dataflywheel.store.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntryRow(Base):
    """An audit entry as stored.

    `prev_hash` is UNIQUE: two entries can never follow the same predecessor, so the chain cannot
    fork at the storage level even if a writer bypassed the lock. The first entry follows
    `GENESIS_HASH` (never NULL, so the constraint also allows only one first entry).
    """

    __tablename__ = "audit_entries"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    record_kind: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    record_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    before_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    after_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
