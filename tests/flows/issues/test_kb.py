"""The knowledge base: documents linked to records and to each other, full-text search on both
backends (FTS5 / tsvector), and bad input that leaves nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.issues import kb
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.kb import KbDocumentRow, KbLinkRow

DEDUP = ("Near-duplicate checks", ("Run MinHash near-duplicate detection on every delivered batch "
         "before freezing; duplicates inflate benchmark scores."))
ONBOARD = ("Welcome to the data team", "Read the RACI matrix, then the contract guide.")


def _counts(ws: Workspace) -> tuple[int, int]:
    with ws.db.session() as s:
        return (s.scalar(select(func.count()).select_from(KbDocumentRow)) or 0,
                s.scalar(select(func.count()).select_from(KbLinkRow)) or 0)


def test_add_link_show_and_search(team: Workspace) -> None:
    a = kb.add_document(team, kind="best_practice", title=DEDUP[0], body=DEDUP[1],
                        project_id="P-TEST", author_id="quality-evaluator",
                        links=[("project", "P-TEST")])
    b = kb.add_document(team, kind="onboarding", title=ONBOARD[0], body=ONBOARD[1])
    kb.link(team, b.id, f"kb:{a.id}")
    kb.link(team, b.id, f"kb:{a.id}")  # linking twice keeps one link
    view = kb.show(team, a.id)
    assert [(link.document_id, link.target_id) for link in view.backlinks] == [(b.id, a.id)]
    assert [link.target_kind.value for link in view.links] == ["project"]
    hits = kb.search(team, "duplicates batch")  # stemmed: duplicate(s), batch
    assert [h.id for h in hits] == [a.id]
    assert "[" in hits[0].snippet
    assert kb.search(team, "raci") [0].id == b.id
    assert kb.search(team, "duplicate", kind="onboarding") == []
    assert kb.search(team, 'near-dup* "OR (') == []  # punctuation is not query syntax


def test_search_ranks_the_better_match_first(team: Workspace) -> None:
    kb.add_document(team, kind="template", title="Spot-check sheet", body="Sample 200 records.")
    many = kb.add_document(team, kind="decision_record", title="Spot checks for vendors",
                           body="Every vendor batch gets a spot check; spot check results "
                                "decide acceptance.")
    assert kb.search(team, "spot check")[0].id == many.id


def test_index_is_built_for_documents_added_before_it_existed(team: Workspace) -> None:
    from sqlalchemy import text

    doc = kb.add_document(team, kind="template", title="Datasheet template", body="Objective, sources")
    with team.db.unit_of_work() as s:  # drop the index as an older workspace would not have it
        if team.db.is_sqlite:
            s.execute(text("DROP TABLE kb_fts"))
        else:
            s.execute(text("DROP INDEX ix_kb_documents_fts"))
    assert [h.id for h in kb.search(team, "datasheet")] == [doc.id]


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "rumour"}, ("unknown document kind 'rumour'; field 'kind'; expected one of post_mortem, "
                         "best_practice, template, decision_record, onboarding")),
    ({"title": "   "}, ("invalid document; field 'title'; expected String should have at least 1 "
                        "character; got ''")),
    ({"body": " \n "}, ("invalid document; field 'body'; expected Value error, must not be blank; "
                       "got ' \\n '")),
    ({"links": [("issue", "ISS-0404")]}, ("linked issue ISS-0404 does not exist; field 'link'. "
                                         "Kept: no document was added")),
    ({"project_id": "P-NO"}, ("project P-NO does not exist; field 'project'. Kept: no document was "
                             "added")),
])
def test_bad_documents_leave_nothing(team: Workspace, fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"kind": "template", "title": "T", "body": "B"}
    with pytest.raises((BadInput, NotFound)) as err:
        kb.add_document(team, **{**base, **fields})
    assert str(err.value) == message
    assert _counts(team) == (0, 0)
    assert kb.search(team, "T B") == []


def test_bad_links_and_queries(team: Workspace) -> None:
    doc = kb.add_document(team, kind="template", title="T", body="B")
    with pytest.raises(BadInput) as err:
        kb.link(team, doc.id, "invoice:7")
    assert str(err.value).startswith("unknown link target kind 'invoice'; field 'link'; expected "
                                     "KIND:ID with KIND one of kb, issue,")
    with pytest.raises(BadInput, match="KB-0001 cannot link to itself"):
        kb.link(team, doc.id, "kb:KB-0001")
    with pytest.raises(NotFound, match="kb document KB-0999 does not exist"):
        kb.link(team, "KB-0999", "project:P-TEST")
    with pytest.raises(BadInput, match="a search needs at least one word"):
        kb.search(team, " -- ")
    assert _counts(team) == (1, 0)
