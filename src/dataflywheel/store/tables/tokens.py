"""Tables: personal API tokens and the team server's administrators (migration 0008)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.store.base import Base
from dataflywheel.store.types import UTCDateTime


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    secret_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ServerAdminRow(Base):
    __tablename__ = "server_admins"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"),
                                           primary_key=True)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A dashboard login (migration 0014): a personal token exchanged for a browser session.

    Keeps the SHA-256 of the cookie's secret (never the secret) and of the session's CSRF secret's
    pair, the token it was opened with — a revoked or expired token ends its sessions at once,
    since each request checks the token again — and when it expires or was ended (logout)."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("api_tokens.id", ondelete="RESTRICT"),
                                          index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
