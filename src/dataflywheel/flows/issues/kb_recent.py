"""The knowledge base's newest documents: what `/kb` lists before anyone searches, so a reader
(and a crawler) finds the documents without knowing a word in them."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from dataflywheel.domain.records.kb import DocKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.kb import KbDocumentRow

MAX_RECENT = 100


class DocumentRef(BaseModel):
    """A document named in a list: id, kind, title, project (none: team-wide)."""

    id: str
    kind: DocKind
    title: str
    project_id: str | None


def recent_documents(ws: Workspace, *, limit: int = 20) -> list[DocumentRef]:
    """The `limit` most recently created documents, newest first (one indexed query)."""
    if not 1 <= limit <= MAX_RECENT:
        raise BadInput("limit out of range", field="limit", expected=f"1 to {MAX_RECENT}",
                       got=limit)
    row = KbDocumentRow
    stmt = select(row.id, row.kind, row.title, row.project_id).order_by(
        row.created_at.desc(), row.id.desc()).limit(limit)
    with ws.db.session() as s:
        return [DocumentRef(id=i, kind=DocKind(k), title=t, project_id=p)
                for i, k, t, p in s.execute(stmt)]
