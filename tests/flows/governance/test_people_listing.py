"""`flywheel people list` a page of people at a time (`flows.governance.people.people`): each
person with exactly their role holdings and logins, as the unpaged list gave, whatever the page
size; the CLI's hint and `--all --json` follow the other paged lists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dataflywheel.flows.governance.identity import bindings
from dataflywheel.flows.governance.people import list_people, people
from dataflywheel.flows.workspace import Workspace


def _unpaged(ws: Workspace) -> list[tuple[str, list[str], list[str]]]:
    logins = bindings(ws)
    return [(p.id, [h.id for h in hs], [b.login for b in logins if b.person_id == p.id])
            for p, hs in list_people(ws)]


def _ids(items: Any) -> list[tuple[str, list[str], list[str]]]:
    return [(p.id, [h.id for h in hs], [b.login for b in bs]) for p, hs, bs in items]


@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_people_pages_hold_each_person_with_their_roles_and_logins(
        team: Workspace, limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataflywheel.store.paging as paging

    expected = _unpaged(team)
    assert len(expected) > 3 and any(hs for _, hs, _ in expected)
    assert any(logins for _, _, logins in expected)
    seen, cursor = [], None
    while True:
        page = people(team).page(limit, cursor)
        seen += _ids(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == expected
    monkeypatch.setattr(paging, "STREAM_BATCH", 2)
    assert _ids(people(team).stream()) == expected


def test_the_cli_pages_people_and_streams_them(team: Workspace, cli: Any) -> None:
    everyone = [p for p, _, _ in _unpaged(team)]
    first = cli("people", "list", "--json", "--limit", "2")
    assert [r["id"] for r in first.json()] == everyone[:2]
    assert f"{len(everyone) - 2:,} more: flywheel people list --limit 2 --json --cursor" in first.err
    lines = cli("people", "list", "--all", "--json").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == everyone
    assert cli("people", "list", "--cursor", "nope").code == 2
