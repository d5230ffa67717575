"""Tables of the knowledge base: documents and their links.

Links name their target by kind and id (records of many kinds, or another document), so only the
owning document is a foreign key; the flow checks that the target exists before it links. The
full-text index is backend-specific and made by flows/issues/kb.py (FTS5 on SQLite, a GIN expression
index on PostgreSQL), not here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dataflywheel.domain.records.kb import DocKind, LinkTarget
from dataflywheel.store.base import Base
from dataflywheel.store.tables.data import fk, one_of
from dataflywheel.store.types import UTCDateTime


class KbDocumentRow(Base):
    __tablename__ = "kb_documents"
    __table_args__ = (one_of("kind", DocKind),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    project_id: Mapped[str | None] = fk("projects.id", nullable=True)
    author_id: Mapped[str | None] = fk("people.id", nullable=True, index=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KbLinkRow(Base):
    __tablename__ = "kb_links"
    __table_args__ = (one_of("target_kind", LinkTarget),)

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    document_id: Mapped[str] = fk("kb_documents.id")
    target_kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(200), index=True)
