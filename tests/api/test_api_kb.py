"""The knowledge base over HTTP: paged search, show, add, link — the same flows and answers as
`flywheel kb`, acted as the token's person — and `kb add|link` through the loopback server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

DOC = {"kind": "best_practice", "title": "Gate on agreement", "body": "Agreement below 0.6 "
       "means the guide is unclear: rewrite the guide before relabelling."}


def doc_count(ws: Workspace) -> int:
    from dataflywheel.store.repositories.kb import KbDocuments

    with ws.db.session() as s:
        return len(KbDocuments(s).list())


def test_add_show_and_link_as_the_token_person(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str], cli: Any) -> None:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    added = api.post("/api/v1/projects/P-TEST/kb/documents", headers=principals["data-engineer"],
                     json={**DOC, "links": [f"kb:{seeded['document']}"]})
    assert added.status_code == 201, added.text
    doc = added.json()
    assert doc["project_id"] == "P-TEST" and doc["kind"] == "best_practice"
    linked = api.post(f"/api/v1/kb/documents/{doc['id']}/links", json={"target": "project:P-TEST"},
                      headers=principals["quality-evaluator"])
    assert linked.status_code == 201 and linked.json()["target_id"] == "P-TEST"
    shown = api.get(f"/api/v1/kb/documents/{seeded['document']}",
                    headers=principals["outsider"]).json()
    assert [b["document_id"] for b in shown["backlinks"]] == [doc["id"]]
    assert shown == cli("kb", "show", seeded["document"], "--json").json()
    with team.db.session() as s:
        who = dict(s.execute(select(AuditEntryRow.action, AuditEntryRow.actor).where(
            AuditEntryRow.action.in_(["kb_document.add", "kb_link.add"]),
            AuditEntryRow.record_id != seeded["document"])).all())
    assert who == {"kb_document.add": "data-engineer", "kb_link.add": "quality-evaluator"}


def test_project_documents_are_for_its_members(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str]) -> None:
    outsider = principals["outsider"]
    before = doc_count(team)
    assert_envelope(api.post("/api/v1/projects/P-TEST/kb/documents", json=DOC, headers=outsider),
                    403, "outsider may not do this in project P-TEST")
    assert_envelope(api.post(f"/api/v1/kb/documents/{seeded['document']}/links",
                             json={"target": "project:P-TEST"}, headers=outsider), 403)
    assert doc_count(team) == before
    team_wide = api.post("/api/v1/kb/documents", json=DOC, headers=outsider)
    assert team_wide.status_code == 201 and team_wide.json()["project_id"] is None


def test_bad_documents_and_links_store_nothing(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str]) -> None:
    de = principals["data-engineer"]
    before = doc_count(team)
    assert_envelope(api.post("/api/v1/kb/documents", json={**DOC, "kind": "poem"}, headers=de),
                    400, "unknown document kind 'poem'")
    assert_envelope(api.post("/api/v1/kb/documents", json={**DOC, "links": ["issue:ISS-9999"]},
                             headers=de), 404, "linked issue ISS-9999 does not exist")
    assert_envelope(api.post("/api/v1/kb/documents", json={**DOC, "links": ["nope:1"]},
                             headers=de), 400, "unknown link target kind 'nope'")
    assert_envelope(api.post("/api/v1/kb/documents", json={**DOC, "body": "   "}, headers=de), 400)
    assert_envelope(api.post("/api/v1/kb/documents", json={**DOC, "body": "b\x00"}, headers=de),
                    400, "should match pattern")
    assert doc_count(team) == before
    url = f"/api/v1/kb/documents/{seeded['document']}/links"
    assert_envelope(api.post(url, json={"target": f"kb:{seeded['document']}"}, headers=de),
                    400, "cannot link to itself")
    assert_envelope(api.post(url, json={"target": "issue:\x00"}, headers=de), 400,
                    "should match pattern")
    assert api.get(f"/api/v1/kb/documents/{seeded['document']}", headers=de).json()["links"] == []


def test_search_pages_best_first_and_matches_the_cli(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any) -> None:
    de = principals["data-engineer"]
    for n in range(5):
        api.post("/api/v1/kb/documents", headers=de, json={
            **DOC, "title": f"Vendor lesson {n}", "body": "vendor drift " * (n + 1) + "guide"})
    seen: list[str] = []
    params: dict[str, Any] = {"q": "vendor drift", "limit": 2}
    while True:
        page = api.get("/api/v1/kb/search", params=params, headers=de).json()
        seen += [h["id"] for h in page["items"]]
        assert page["remaining"] == 5 - len(seen)
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    whole = api.get("/api/v1/kb/search", params={"q": "vendor drift"}, headers=de).json()["items"]
    assert [h["id"] for h in whole] == seen and len(set(seen)) == 5
    assert [h["rank"] for h in whole] == sorted((h["rank"] for h in whole), reverse=True)
    assert whole == cli("kb", "search", "vendor drift", "--json").json()
    assert api.get("/api/v1/kb/search", params={"q": "vendor", "kind": "onboarding"},
                   headers=de).json() == {"items": [], "next_cursor": None, "remaining": 0}


def test_bad_searches_are_refused_with_the_reason(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    de = principals["data-engineer"]
    assert_envelope(api.get("/api/v1/kb/search", params={"q": " -- "}, headers=de), 400,
                    "a search needs at least one word")
    assert_envelope(api.get("/api/v1/kb/search", params={"q": "x", "cursor": "garbage"},
                            headers=de), 400, "not a cursor of this list")
    from dataflywheel.store.paging import encode_cursor

    wrong = encode_cursor(["not a number", "KB-0001"])
    assert_envelope(api.get("/api/v1/kb/search", params={"q": "x", "cursor": wrong}, headers=de),
                    400, "not a cursor of this search")
    assert_envelope(api.get("/api/v1/kb/search", params={"q": "x", "kind": "poem"}, headers=de),
                    400, "unknown document kind 'poem'")


@pytest.fixture
def remote(live_server: Any, principals: dict[str, dict[str, str]],
           monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)

    def use(name: str) -> None:
        monkeypatch.setenv("FLYWHEEL_TOKEN", principals[name]["Authorization"].split()[1])

    use("annotation-engineer")
    return use


def test_kb_add_and_link_through_the_server(remote: Any, cli: Any, team: Workspace,
                                            seeded: dict[str, str]) -> None:
    from dataflywheel.flows.issues.kb import show

    added = cli("kb", "add", "Guide v3 notes", "--kind", "decision_record", "--body", "why v3",
                "--project", "P-TEST", "--link", "project:P-TEST", "--json")
    assert added.code == 0, added.err
    doc = added.json()
    view = show(team, doc["id"])
    assert doc == view.document.model_dump(mode="json")
    assert [(lk.target_kind.value, lk.target_id) for lk in view.links] == [("project", "P-TEST")]
    linked = cli("kb", "link", doc["id"], f"kb:{seeded['document']}")
    assert linked.code == 0 and linked.out.strip() == f"{doc['id']} → kb:{seeded['document']}"
    text = cli("kb", "add", "Team note", "--kind", "onboarding", "--body", "welcome")
    assert text.code == 0 and text.out.startswith("added KB-")
    assert "(onboarding) Team note" in text.out
    remote("outsider")
    refused = cli("kb", "link", doc["id"], "project:P-TEST")
    assert refused.code == 2 and "outsider may not do this in project P-TEST" in refused.err
    before = doc_count(team)
    assert cli("kb", "add", "x", "--kind", "best_practice", "--body", "y",
               "--project", "P-TEST").code == 2
    assert doc_count(team) == before
