"""Repositories of the knowledge base: documents (KB-0001…) and links, with backlinks."""

from __future__ import annotations

from sqlalchemy import select

from dataflywheel.domain.records.kb import KbDocument, KbLink, LinkTarget
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.kb import KbDocumentRow, KbLinkRow


class KbDocuments(Repository[KbDocument, KbDocumentRow]):
    record_type, row_type, kind, hint = KbDocument, KbDocumentRow, "kb document", "flywheel kb search"

    def next_id(self) -> str:
        return next_sequential_id(self.session, KbDocumentRow, "KB")


class KbLinks(Repository[KbLink, KbLinkRow]):
    record_type, row_type, kind = KbLink, KbLinkRow, "kb link"

    def pointing_at(self, kind: LinkTarget, target_id: str) -> list[KbLink]:
        """Links whose target is this record (backlinks), by link id."""
        rows = self.session.scalars(select(KbLinkRow).where(
            KbLinkRow.target_kind == kind.value, KbLinkRow.target_id == target_id)
            .order_by(KbLinkRow.id)).all()
        return [self.to_record(r) for r in rows]
