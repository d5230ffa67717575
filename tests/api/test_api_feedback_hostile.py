"""Hostile bodies for `POST /api/v1/feedback/events`: an element nested thousands deep or with a
number of thousands of digits is one stored rejection, the good elements are stored, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from server_helpers import token_headers

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

AUTH: dict[str, str] = {}  # filled by `client` with a fresh token of data-engineer
DEEP = b"[" * 5000 + b"]" * 5000
HUGE = b'{"id": "H-1", "n": ' + b"9" * 5000 + b"}"


def event(event_id: str) -> bytes:
    return json.dumps({
        "id": event_id, "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
        "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
        "payload": {"sample": "15% of 80", "model_output": "10", "expected_behaviour": "12"},
    }).encode()


def sent_events(ws: Workspace) -> list[Any]:
    """The stored events these tests sent (the seeded workspace holds a pool's own, `seed:` ones)."""
    from dataflywheel.flows.feedback.ingest import list_events

    return [e for e in list_events(ws) if not (e.origin or "").startswith("seed")]


@pytest.fixture
def client(settings: Settings, team: Workspace) -> Iterator[TestClient]:
    from dataflywheel.api.app import create_app

    AUTH.clear()
    AUTH.update(token_headers(team))
    app = create_app(settings, max_body_bytes=1 << 20)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("bad", [DEEP, HUGE, b'{"id": "X", "id": "Y"}'],
                         ids=["deep", "huge-int", "duplicate-key"])
def test_a_hostile_element_is_one_rejection_and_the_good_ones_are_stored(
        client: TestClient, team: Workspace, bad: bytes) -> None:
    from dataflywheel.flows.feedback.ingest import list_rejections

    body = b"[" + b", ".join([event("A-1"), bad, event("A-2")]) + b"]"
    response = client.post("/api/v1/feedback/events", content=body, headers=AUTH)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["received_ids"] == ["A-1", "A-2"] and data["rejected"] == 1
    (rejection,) = data["rejections"]
    assert rejection["line"] == 2
    assert rejection["reason"].startswith(("invalid JSON: nested too deeply",
                                           "unsupported JSON value: Integer value out of range",
                                           "duplicate key 'id'"))
    assert [e.id for e in sent_events(team)] == ["A-1", "A-2"]
    (stored,) = list_rejections(team)
    with team.blobs.open(stored.raw_sha256) as raw:
        assert raw.read() == bad


def test_one_deep_object_alone_is_one_rejection(client: TestClient, team: Workspace) -> None:
    body = b'{"id": "Z", "payload": ' + DEEP + b"}"
    data = client.post("/api/v1/feedback/events", content=body, headers=AUTH).json()
    assert (data["total"], data["rejected"]) == (1, 1)
    assert data["rejections"][0]["reason"] == "invalid JSON: nested too deeply"


def test_a_deep_body_whose_brackets_do_not_close_is_400_and_stores_nothing(
        client: TestClient, team: Workspace) -> None:
    from dataflywheel.flows.feedback.ingest import list_rejections

    response = client.post("/api/v1/feedback/events", content=b"[" + event("A-1") + b", " +
                           b"[" * 5000, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"].startswith("request body is not JSON")
    assert sent_events(team) == [] and list_rejections(team) == []
