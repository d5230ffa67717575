"""The server's generic defences, one test each: a complete OpenAPI document (every error status
with the envelope, every request body with an example, no 422), bodies that cannot be parsed (JSON
nested thousands deep, an integer of 5,000 digits, not UTF-8) and bodies over the cap answered
400/413 with the reason and nothing stored, NUL characters refused, and a value PostgreSQL cannot
store answered 400 (not 500) with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

TOKENS = "/api/v1/people/data-engineer/tokens"
CAP = 64 * 1024


@pytest.fixture
def client(settings: Settings, principals: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    from dataflywheel.api.app import create_app

    with TestClient(create_app(settings, max_body_bytes=CAP), raise_server_exceptions=False,
                    headers=principals["admin"]) as c:
        yield c


def token_labels(ws: Workspace) -> list[str]:
    from dataflywheel.flows.governance.tokens import tokens

    return sorted(t.label for t in tokens(ws, person_id="data-engineer").page(100, None).items)


def test_every_operation_documents_its_errors_and_bodies() -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.api.errors import ERROR_STATUSES
    from dataflywheel.settings import Settings

    app = create_app(Settings())
    doc = app.openapi()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            public = app.state.policy[(method.upper(), path)].public
            expected = set(ERROR_STATUSES) - ({401, 403} if public else set()) - (
                {409, 413} if method == "get" else set())
            for status in expected:
                schema = responses[str(status)]["content"]["application/json"]["schema"]
                assert schema == envelope, (method, path, status)
            assert any(code.startswith("2") for code in responses), (method, path)
            body = operation.get("requestBody")
            if method in ("post", "put", "patch") and body is not None:
                media = next(iter(body["content"].values()))
                schema = media.get("schema", {})
                if "$ref" in schema:
                    schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
                assert media.get("example") or media.get("examples") or schema.get("examples"), \
                    f"{method} {path}: the request body has no example"
    assert doc["paths"]["/api/v1/feedback/events"]["post"]["requestBody"]["content"][
        "application/json"]["example"]["id"]


@pytest.mark.parametrize(("body", "needle"), [
    (b'{"label": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
    (b'{"label": "x", "expires": ' + b"9" * 5000 + b"}", "integer of thousands of digits"),
    (b'{"label": "\xff\xfe"}', "not UTF-8"),
], ids=["deep", "huge-int", "not-utf8"])
def test_an_unparsable_body_is_a_400_saying_why_and_nothing_is_stored(
        client: TestClient, team: Workspace, body: bytes, needle: str) -> None:
    before = token_labels(team)
    response = client.post(TOKENS, content=body, headers={"content-type": "application/json"})
    assert_envelope(response, 400, needle)
    assert token_labels(team) == before


def test_a_body_over_the_cap_is_a_413_and_nothing_is_stored(client: TestClient,
                                                             team: Workspace) -> None:
    before = token_labels(team)
    response = client.post(TOKENS, json={"label": "x" * 150, "pad": "y" * (2 * CAP)})
    body = assert_envelope(response, 413, "request body too large")
    assert f"at most {CAP} bytes" in body["error"]
    assert token_labels(team) == before


@pytest.mark.parametrize("url", [TOKENS + "?limit=1%00", "/api/v1/people/data%00engineer/tokens",
                                 "/api/v1/feedback/events?project=P-TEST%00"])
def test_a_nul_in_the_path_or_query_is_a_400(client: TestClient, url: str) -> None:
    assert_envelope(client.get(url), 400, "NUL character")


def test_a_value_the_database_cannot_store_is_a_400_and_nothing_is_stored(
        client: TestClient, team: Workspace, settings: Settings) -> None:
    """PostgreSQL refuses NUL in text (SQLite stores it): a 400 naming why, not a 500."""
    before = token_labels(team)
    response = client.post(TOKENS, json={"label": "a\x00b", "expires": "1d"})
    if settings.db is None:
        assert response.status_code == 201, response.text
        return
    assert_envelope(response, 400, "cannot contain NUL")
    assert token_labels(team) == before


def test_feedback_with_a_nul_field_name_is_never_a_500(client: TestClient, settings: Settings,
                                                       principals: dict[str, Any]) -> None:
    response = client.post("/api/v1/feedback/events", content=b'[{"\\u0000": 1}]',
                           headers={"content-type": "application/json"})
    assert response.status_code in (200, 400), response.text


def test_a_chunked_body_over_the_cap_is_a_413_and_nothing_is_stored(client: TestClient,
                                                                     team: Workspace) -> None:
    before = token_labels(team)

    def chunks() -> Iterator[bytes]:
        yield b'{"label": "'
        for _ in range(2 * CAP // 1024):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(TOKENS, content=chunks(), headers={"content-type": "application/json"})
    assert_envelope(response, 413, f"at most {CAP} bytes")
    assert token_labels(team) == before
