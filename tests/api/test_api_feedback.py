"""The team server over HTTP: auth, feedback ingest/list, and one error envelope for every failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from server_helpers import assert_envelope, token_headers
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

AUTH: dict[str, str] = {}  # filled by `client` with a fresh token of data-engineer
ACTOR = "data-engineer"
def event(event_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": event_id, "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
        "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
        "payload": {"sample": "15% of 80", "model_output": "10", "expected_behaviour": "12"},
    }
    base.update(fields)
    return base


def sent_events(ws: Workspace) -> list[Any]:
    """The stored events these tests sent (the seeded workspace holds a pool's own, `seed:` ones)."""
    from dataflywheel.flows.feedback.ingest import list_events

    return [e for e in list_events(ws) if not (e.origin or "").startswith("seed")]


@pytest.fixture
def client(settings: Settings, team: Workspace) -> Iterator[TestClient]:
    from dataflywheel.api.app import create_app

    AUTH.clear()
    AUTH.update(token_headers(team))
    app = create_app(settings, max_body_bytes=4096)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_ingest_good_and_bad_events_keeps_every_one(client: TestClient, team: Workspace) -> None:
    from dataflywheel.flows.feedback.ingest import list_rejections

    bad = event("FB-2")
    del bad["source"]
    body = [event("FB-1"), bad, event("FB-3", project_id="P-NOPE"), 7]
    response = client.post("/api/v1/feedback/events", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["received"], data["triaged"], data["rejected"], data["total"]) == (1, 1, 2, 4)
    assert data["received_ids"] == ["FB-1"] and data["triaged_ids"] == ["FB-3"]
    reasons = {r["line"]: r["reason"] for r in data["rejections"]}
    assert reasons == {2: "missing required field(s): source",
                       4: "expected a JSON object, got int"}
    assert {e.id for e in sent_events(team)} == {"FB-1", "FB-3"}
    stored = {r.line: r for r in list_rejections(team)}
    assert stored[2].reason == reasons[2] and stored[2].field == "source"
    assert stored[2].origin == f"api:{ACTOR}"
    with team.blobs.open(stored[2].raw_sha256) as raw:
        assert json.loads(raw.read()) == bad


def test_one_event_object_is_accepted_and_audited_as_the_person(client: TestClient,
                                                               team: Workspace) -> None:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    response = client.post("/api/v1/feedback/events", json=event("FB-9"), headers=AUTH)
    assert response.json()["received_ids"] == ["FB-9"]
    again = client.post("/api/v1/feedback/events", json=event("FB-9"), headers=AUTH).json()
    assert again["duplicates"] == 1 and again["duplicate_ids"] == ["FB-9"]
    with team.db.session() as s:
        actors = s.scalars(select(AuditEntryRow.actor).where(
            AuditEntryRow.action == "feedback_event.add", AuditEntryRow.record_id == "FB-9")).all()
    assert actors == [ACTOR]
    secret = AUTH["Authorization"].split()[1]
    assert secret not in json.dumps(client.get("/api/v1/feedback/events", headers=AUTH).json())


def test_list_matches_the_cli_json(client: TestClient, cli: Any) -> None:
    client.post("/api/v1/feedback/events", json=[event("FB-1"), event("FB-2")], headers=AUTH)
    listed = client.get("/api/v1/feedback/events", headers=AUTH).json()
    assert listed["items"] == cli("feedback", "list", "--json").json()
    sent = [e["id"] for e in listed["items"] if not e["origin"].startswith("seed")]
    assert sent == ["FB-1", "FB-2"]
    assert listed["next_cursor"] is None and listed["remaining"] == 0
    filtered = client.get("/api/v1/feedback/events?project=P-TEST", headers=AUTH).json()
    assert {"FB-1", "FB-2"} <= {e["id"] for e in filtered["items"]}
    assert_envelope(client.get("/api/v1/feedback/events?project=P-ELSE", headers=AUTH), 404,
                    "project P-ELSE does not exist")


@pytest.mark.parametrize("headers, needle", [
    ({}, "missing bearer token"),
    ({"Authorization": "Bearer wrong-token-wrong-token-wrong"}, "malformed bearer token"),
    ({"Authorization": "Bearer fwt_0123456789ab_nope"}, "bearer token not accepted"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing bearer token"),
])
def test_401_without_or_with_a_wrong_token(client: TestClient, team: Workspace,
                                           headers: dict[str, str], needle: str) -> None:
    response = client.post("/api/v1/feedback/events", json=[event("FB-1")], headers=headers)
    body = assert_envelope(response, 401, needle)
    assert response.headers["www-authenticate"] == "Bearer"
    assert body["errors"][0]["type"] == "Unauthenticated"
    assert_envelope(client.get("/api/v1/feedback/events", headers=headers), 401, needle)
    assert sent_events(team) == []


def test_400_for_a_body_that_is_not_json_stores_nothing(client: TestClient,
                                                        team: Workspace) -> None:
    from dataflywheel.flows.feedback.ingest import list_rejections

    response = client.post("/api/v1/feedback/events", content=b'[{"id": ', headers=AUTH)
    assert_envelope(response, 400, "request body is not JSON at line 1 column 9")
    assert sent_events(team) == [] and list_rejections(team) == []


def test_400_for_a_bad_query_parameter_names_the_field(client: TestClient) -> None:
    body = assert_envelope(client.get("/api/v1/feedback/events?state=bogus", headers=AUTH), 400,
                           "invalid request: query.state: Input should be")
    assert body["errors"][0]["field"] == "query.state"


def test_400_for_a_body_that_is_not_utf8(client: TestClient) -> None:
    bad = client.post("/api/v1/feedback/events", content=b"\xff\xfe", headers=AUTH)
    assert_envelope(bad, 400, "request body is not JSON")


def test_413_over_the_cap_stores_nothing(client: TestClient, team: Workspace) -> None:
    from dataflywheel.flows.feedback.ingest import list_rejections

    big = [event(f"FB-{i}") for i in range(40)]
    body = assert_envelope(client.post("/api/v1/feedback/events", json=big, headers=AUTH),
                           413, "request body too large")
    assert "at most 4096 bytes" in body["error"]

    def chunks() -> Iterator[bytes]:
        yield b"[" + b" " * 4096
        yield b"]"

    streamed = client.post("/api/v1/feedback/events", content=chunks(), headers=AUTH)
    assert_envelope(streamed, 413, "more than 4096 bytes")
    assert sent_events(team) == [] and list_rejections(team) == []


def test_404_unknown_route_and_405_in_the_envelope(client: TestClient) -> None:
    assert_envelope(client.get("/api/v1/nope", headers=AUTH), 404,
                    "no such endpoint: GET /api/v1/nope")
    assert_envelope(client.delete("/api/v1/feedback/events", headers=AUTH), 405, "Method Not Allowed")


def test_health_needs_no_token(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["database"] == "ok"


def test_flywheel_errors_and_the_unexpected_use_the_envelope(settings: Settings,
                                                            ws: Workspace) -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.api.policy import Public
    from dataflywheel.errors import Conflict

    app = create_app(settings)

    def conflict() -> None:
        raise Conflict("version v2 is being released", hint="retry in a minute")

    def boom() -> None:
        raise RuntimeError("secret detail\nsecond line")

    app.add_api_route("/t/conflict", conflict)
    app.add_api_route("/t/boom", boom)
    app.state.policy.update({("GET", "/t/conflict"): Public(), ("GET", "/t/boom"): Public()})
    with TestClient(app, raise_server_exceptions=False) as c:
        body = assert_envelope(c.get("/t/conflict"), 409, "version v2 is being released")
        assert body["errors"][0]["type"] == "Conflict"
        body = assert_envelope(c.get("/t/boom"), 500, "internal error: RuntimeError")
        assert "secret detail" not in json.dumps(body)
