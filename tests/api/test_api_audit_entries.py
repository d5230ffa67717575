"""`GET /api/v1/audit/entries`: the audit log newest first, paged and filtered, as
`flows.governance.audit_log.audit_entries` reads it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def test_entries_newest_first_paged_and_filtered(api: TestClient, team: Any,
                                                 principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.governance.audit_log import audit_entries

    who = principals["annotation-engineer"]
    page = api.get("/api/v1/audit/entries", params={"limit": 5}, headers=who).json()
    flow = audit_entries(team, limit=5)
    assert page["items"] == [e.model_dump(mode="json") for e in flow.items]
    assert page["next_cursor"] == flow.next_cursor and page["remaining"] is None
    rest = api.get("/api/v1/audit/entries", params={"limit": 5, "cursor": page["next_cursor"]},
                   headers=who).json()
    assert rest["items"][0]["seq"] == page["items"][-1]["seq"] - 1
    people = api.get("/api/v1/audit/entries", params={"kind": "person", "actor": "tester"},
                     headers=who).json()["items"]
    assert people and {(e["record_kind"], e["actor"]) for e in people} == {("person", "tester")}


def test_a_bad_cursor_is_a_400(api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    assert_envelope(api.get("/api/v1/audit/entries", params={"cursor": "nope"},
                            headers=principals["data-owner"]), 400, "not a cursor of this list")
