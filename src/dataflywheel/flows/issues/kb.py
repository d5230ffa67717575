"""The knowledge base: Markdown documents linked to records and to each other, searchable in full text.

The full-text index is backend-specific and made lazily by this flow (the schema migration, which is
regenerated from the tables, does not know it):

- SQLite: an FTS5 table `kb_fts(doc_id UNINDEXED, title, body)` with the porter tokenizer,
  created with `CREATE VIRTUAL TABLE IF NOT EXISTS` (and filled from `kb_documents` the first
  time), written in the same transaction as the document; ranked by bm25.
- PostgreSQL: a GIN expression index on `to_tsvector('english', title || ' ' || body)`, created
  with `CREATE INDEX IF NOT EXISTS`; queried with `websearch_to_tsquery`, ranked by `ts_rank`.

On both, a query is a set of words that must all occur (stemmed); punctuation is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.issue import Issue, PostMortem
from dataflywheel.domain.records.kb import DocKind, KbDocument, KbLink, LinkTarget
from dataflywheel.errors import BadInput, NotFound, from_validation
from dataflywheel.flows._audit import add_audited
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.kb import KbDocuments, KbLinks
from dataflywheel.store.paging import Page, check_limit, decode_cursor, encode_cursor
from dataflywheel.store.repositories.people import People, Projects

_PG_VECTOR = "to_tsvector('english', title || ' ' || body)"


class SearchHit(BaseModel):
    id: str
    kind: DocKind
    title: str
    snippet: str
    rank: float


class DocumentView(BaseModel):
    document: KbDocument
    links: list[KbLink]
    backlinks: list[KbLink]


def _row_type(kind: LinkTarget) -> Any:
    from dataflywheel.store.tables.contracts import ContractVersionRow
    from dataflywheel.store.tables.data import BatchRow, DatasetVersionRow
    from dataflywheel.store.tables.demand import RequirementRow
    from dataflywheel.store.tables.experiments import ExperimentRow
    from dataflywheel.store.tables.issues import IssueRow, PostMortemRow
    from dataflywheel.store.tables.kb import KbDocumentRow
    from dataflywheel.store.tables.projects import ProjectRow

    return {LinkTarget.KB: KbDocumentRow, LinkTarget.ISSUE: IssueRow,
            LinkTarget.POST_MORTEM: PostMortemRow, LinkTarget.BATCH: BatchRow,
            LinkTarget.VERSION: DatasetVersionRow, LinkTarget.EXPERIMENT: ExperimentRow,
            LinkTarget.REQUIREMENT: RequirementRow, LinkTarget.CONTRACT_VERSION: ContractVersionRow,
            LinkTarget.PROJECT: ProjectRow}[kind]


def parse_target(value: str) -> tuple[LinkTarget, str]:
    """`issue:ISS-0001` → (LinkTarget.ISSUE, "ISS-0001"); a clear error otherwise."""
    kind, sep, target_id = value.partition(":")
    try:
        target = LinkTarget(kind.strip().lower().replace("-", "_"))
    except ValueError:
        raise BadInput(f"unknown link target kind {kind!r}", field="link",
                       expected="KIND:ID with KIND one of " + ", ".join(t.value for t in LinkTarget),
                       got=value) from None
    if not sep or not target_id.strip():
        raise BadInput(f"link {value!r} names no record", field="link", expected="KIND:ID")
    return target, target_id.strip()


def parse_kind(kind: DocKind | str) -> DocKind:
    try:
        return DocKind(str(kind).strip().lower().replace("-", "_"))
    except ValueError:
        raise BadInput(f"unknown document kind {kind!r}", field="kind",
                       expected="one of " + ", ".join(k.value for k in DocKind)) from None


def index_exists(session: Session) -> bool:
    """Whether the backend's full-text structure exists (a read; takes no write lock)."""
    if session.get_bind().dialect.name == "sqlite":
        return session.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kb_fts'")).first() is not None
    return session.scalar(text("SELECT to_regclass('ix_kb_documents_fts')")) is not None


def ensure_index(session: Session) -> None:
    """Create the backend's full-text structure if it is missing (idempotent)."""
    if index_exists(session):
        return
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING "
                             "fts5(doc_id UNINDEXED, title, body, tokenize='porter unicode61')"))
        session.execute(text("INSERT INTO kb_fts (doc_id, title, body) "
                             "SELECT id, title, body FROM kb_documents"))
    else:
        session.execute(text(f"CREATE INDEX IF NOT EXISTS ix_kb_documents_fts ON kb_documents "
                             f"USING GIN ({_PG_VECTOR})"))


def _index(session: Session, doc: KbDocument) -> None:
    ensure_index(session)
    if session.get_bind().dialect.name == "sqlite":
        # the first ensure_index backfills from kb_documents, this document included
        session.execute(text("DELETE FROM kb_fts WHERE doc_id = :i"), {"i": doc.id})
        session.execute(text("INSERT INTO kb_fts (doc_id, title, body) VALUES (:i, :t, :b)"),
                        {"i": doc.id, "t": doc.title, "b": doc.body})


def _link_in(session: Session, actor: str, doc_id: str, kind: LinkTarget, target_id: str, *,
             kept: str | None = None) -> KbLink:
    if session.get(_row_type(kind), target_id) is None:
        raise NotFound(f"linked {kind.value} {target_id} does not exist", field="link",
                       kept=kept or f"{doc_id} is unchanged")
    if kind is LinkTarget.KB and target_id == doc_id:
        raise BadInput(f"{doc_id} cannot link to itself", field="link")
    link = KbLink.to(doc_id, kind, target_id)
    repo = KbLinks(session)
    return repo.find(link.id) or add_audited(repo, link, actor=actor)


def add_document_in(session: Session, *, actor: str, kind: DocKind | str, title: str, body: str,
                    project_id: str | None = None, author_id: str | None = None,
                    links: Sequence[tuple[LinkTarget | str, str]] = (),
                    now: datetime | None = None) -> KbDocument:
    """Add a document, its links and its index entry in the caller's transaction."""
    doc_kind = parse_kind(kind)
    if project_id is not None and Projects(session).find(project_id) is None:
        raise NotFound(f"project {project_id} does not exist", field="project",
                       kept="no document was added")
    if author_id is not None and People(session).find(author_id) is None:
        raise NotFound(f"person {author_id} does not exist", field="author",
                       kept="no document was added")
    repo = KbDocuments(session)
    now = now or utcnow()
    try:
        doc = KbDocument(id=repo.next_id(), kind=doc_kind, title=title.strip(), body=body,
                         project_id=project_id, author_id=author_id, created_at=now, updated_at=now)
    except ValueError as exc:
        raise from_validation(exc, what="invalid document") from None
    add_audited(repo, doc, actor=actor)
    for target_kind, target_id in links:
        _link_in(session, actor, doc.id, LinkTarget(target_kind), target_id,
                 kept="no document was added")
    _index(session, doc)
    return doc


def add_document(ws: Workspace, **fields: Any) -> KbDocument:
    """Add a document in its own transaction (see `add_document_in`); all or nothing."""
    with ws.db.unit_of_work() as s:
        return add_document_in(s, actor=ws.actor, **fields)


def link(ws: Workspace, doc_id: str, target: str) -> KbLink:
    """Link document `doc_id` to `KIND:ID` (another document is `kb:KB-0002`)."""
    kind, target_id = parse_target(target)
    with ws.db.unit_of_work() as s:
        KbDocuments(s).get(doc_id)
        return _link_in(s, ws.actor, doc_id, kind, target_id)


def show(ws: Workspace, doc_id: str) -> DocumentView:
    """A document with its links and the links that point at it."""
    with ws.db.session() as s:
        doc = KbDocuments(s).get(doc_id)
        links = KbLinks(s)
        return DocumentView(document=doc, links=links.list(document_id=doc_id),
                            backlinks=links.pointing_at(LinkTarget.KB, doc_id))


def search(ws: Workspace, query: str, *, kind: DocKind | str | None = None,
           limit: int = 20) -> list[SearchHit]:
    """Documents containing every word of `query`, best first (the first page of `search_page`)."""
    if limit < 1:
        raise BadInput("limit must be at least 1", field="limit", got=limit)
    return search_page(ws, query, kind=kind, limit=limit).items


def search_page(ws: Workspace, query: str, *, kind: DocKind | str | None = None,
                limit: int | None = None, cursor: str | None = None) -> Page[SearchHit]:
    """One page of the documents containing every word of `query`, best first (rank, then id).

    Keyset-paged like every list (`store.paging`): the cursor is the (rank, id) of the page's
    last hit, so a page costs one bounded query and the kind filter is applied in SQL."""
    words = re.findall(r"\w+", query)
    if not words:
        raise BadInput("a search needs at least one word", field="query", got=query)
    limit = check_limit(limit)
    wanted = parse_kind(kind).value if kind is not None else None
    after = _search_cursor(cursor) if cursor is not None else (None, None)
    with ws.db.session() as s:
        missing = not index_exists(s)
    if missing:
        with ws.db.unit_of_work() as s:
            ensure_index(s)
    inner = _SQLITE_HITS if ws.db.is_sqlite else _PG_HITS
    where = ("WHERE (CAST(:kind AS VARCHAR) IS NULL OR h.kind = CAST(:kind AS VARCHAR)) AND "
             "(CAST(:r AS DOUBLE PRECISION) IS NULL OR h.rank < CAST(:r AS DOUBLE PRECISION) OR "
             "(h.rank = CAST(:r AS DOUBLE PRECISION) AND h.id > CAST(:i AS VARCHAR)))")
    params = {"q": " ".join(words) if not ws.db.is_sqlite else _fts_match(words), "kind": wanted,
              "r": after[0], "i": after[1]}
    with ws.db.session() as s:
        rows = s.execute(text(f"SELECT h.id, h.kind, h.title, h.rank, {_snippet(ws)} FROM "
                              f"({inner}) AS h {where} ORDER BY h.rank DESC, h.id LIMIT :n"),
                         {**params, "n": limit + 1}).all()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor([repr(float(rows[-1][3])), rows[-1][0]]) if more else None
        remaining = 0
        if more:
            last = {**params, "r": float(rows[-1][3]), "i": rows[-1][0]}
            counted = s.scalar(text(f"SELECT count(*) FROM ({inner}) AS h {where}"), last)
            remaining = int(counted or 0)
    hits = [SearchHit(id=r[0], kind=DocKind(r[1]), title=r[2], snippet=r[4] or "",
                      rank=round(float(r[3]), 6)) for r in rows]
    return Page(hits, next_cursor, remaining)


# The matching documents with their rank (higher is better); the snippet is taken in the outer
# query on PostgreSQL (only for the rows of the page), inside the FTS5 query on SQLite (it must be).
_SQLITE_HITS = ("SELECT d.id AS id, d.kind AS kind, d.title AS title, -bm25(kb_fts) AS rank, "
                "snippet(kb_fts, 2, '[', ']', '…', 12) AS snip FROM kb_fts "
                "JOIN kb_documents AS d ON d.id = kb_fts.doc_id WHERE kb_fts MATCH :q")
_PG_HITS = (f"SELECT id, kind, title, body, CAST(ts_rank({_PG_VECTOR}, "
            "websearch_to_tsquery('english', :q)) AS double precision) AS rank FROM kb_documents "
            f"WHERE {_PG_VECTOR} @@ websearch_to_tsquery('english', :q)")


def _snippet(ws: Workspace) -> str:
    if ws.db.is_sqlite:
        return "h.snip"
    return ("ts_headline('english', h.body, websearch_to_tsquery('english', :q), "
            "'StartSel=[, StopSel=], MaxWords=20, MinWords=5')")


def _fts_match(words: list[str]) -> str:
    """FTS5 MATCH text: every word quoted (punctuation is never query syntax)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _search_cursor(cursor: str) -> tuple[float, str]:
    rank, doc_id = decode_cursor(cursor, 2)
    try:
        return float(rank), str(doc_id)
    except ValueError:
        raise BadInput("not a cursor of this search", field="cursor", got=cursor,
                       expected="the cursor a previous page printed",
                       hint="start again without --cursor") from None


def render_post_mortem(issue: Issue, pm: PostMortem) -> str:
    """The post-mortem as a Markdown page (the blameless template's sections, filled)."""
    timeline = "\n".join(f"- {e.at.isoformat()} — {e.what}" for e in pm.timeline)
    measures = "\n".join(f"- {m}" for m in pm.preventive_measures)
    change = pm.change_contract_version_id or pm.change_raci_item_id or pm.change_ref
    kind = pm.change_kind.value if pm.change_kind else "none"
    return (f"# Post-mortem {pm.id}: {issue.title}\n\n"
            f"Issue {issue.id} ({issue.severity.value}, found by {issue.source.value}). "
            "Blameless: why did the process let this through?\n\n"
            f"## Event\n{pm.event}\n\n## Impact\n{pm.impact}\n\n## Timeline\n{timeline}\n\n"
            f"## Root cause\n{pm.root_cause}\n\n## Remediation\n{pm.remediation}\n\n"
            f"## Preventive measures\n{measures}\n\n"
            f"## Process change\n{pm.process_change}\n\nImplemented as {kind} `{change}`.\n")


def file_post_mortem(session: Session, *, actor: str, issue: Issue, pm: PostMortem,
                     now: datetime | None = None) -> KbDocument:
    """File a published post-mortem as a KB document linked to its issue and its change."""
    links: list[tuple[LinkTarget | str, str]] = [(LinkTarget.ISSUE, issue.id),
                                                 (LinkTarget.POST_MORTEM, pm.id)]
    if pm.change_contract_version_id:
        links.append((LinkTarget.CONTRACT_VERSION, pm.change_contract_version_id))
    return add_document_in(session, actor=actor, kind=DocKind.POST_MORTEM,
                           title=f"Post-mortem {pm.id}: {issue.title}",
                           body=render_post_mortem(issue, pm), project_id=issue.project_id,
                           author_id=pm.author_id, links=links, now=now)
