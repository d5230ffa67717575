"""The audit log newest first, paged by `seq` descending and filtered in the database."""

from __future__ import annotations

import pytest

from dataflywheel.errors import BadInput
from dataflywheel.flows.governance.audit_log import audit_entries
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.paging import encode_cursor


def test_newest_first_pages_without_overlap(team: Workspace) -> None:
    first = audit_entries(team, limit=3)
    seqs = [e.seq for e in first.items]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == 3
    second = audit_entries(team, limit=3, cursor=first.next_cursor)
    assert second.items[0].seq == seqs[-1] - 1
    everything: list[int] = []
    cursor = None
    while True:
        page = audit_entries(team, limit=7, cursor=cursor)
        everything += [e.seq for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert everything == list(range(everything[0], 0, -1))


def test_filters(team: Workspace) -> None:
    people = audit_entries(team, kind="person", limit=1000).items
    assert people and {e.record_kind for e in people} == {"person"}
    mine = audit_entries(team, actor="tester", kind="project", limit=1000).items
    assert [e.record_id for e in mine] == ["P-TEST"]
    assert audit_entries(team, record="P-TEST", limit=1000).items[-1].action.endswith("add")
    assert audit_entries(team, actor="nobody").items == []


@pytest.mark.parametrize("cursor", ["nope", encode_cursor(["x"]), encode_cursor([0])])
def test_bad_cursor(team: Workspace, cursor: str) -> None:
    with pytest.raises(BadInput, match="not a cursor of this list"):
        audit_entries(team, cursor=cursor)
