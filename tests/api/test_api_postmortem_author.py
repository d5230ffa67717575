"""A post-mortem naming an author who does not exist is a 404 naming them, and nothing is
written — not the database's foreign-key refusal (a 403 on SQLite, a 500 on PostgreSQL before).
Both backends."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def test_an_unknown_author_is_404_and_no_post_mortem_is_written(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    de = principals["data-engineer"]
    issue = api.post("/api/v1/projects/P-TEST/issues", headers=de, json={
        "title": "duplicate rows in batch", "severity": "P1", "source": "spot_check",
        "description": "the duplicate gate let 4% through"})
    assert issue.status_code == 201, issue.text
    url = f"/api/v1/issues/{issue.json()['id']}/postmortem"
    ghost = api.put(url, headers=de, json={"event": "duplicates reached training",
                                           "author_id": "nobody-here"})
    assert_envelope(ghost, 404, "person nobody-here does not exist")
    assert_envelope(api.get(url, headers=de), 404, "has no post-mortem")
    mine = api.put(url, headers=de, json={"event": "duplicates reached training",
                                          "author_id": "data-engineer"})
    assert mine.status_code == 200 and mine.json()["author_id"] == "data-engineer"
