"""The team server under test: people with personal tokens, and a client for the real app.

`principals` gives every kind of caller the policy test asks about, by name:
anonymous (no header), expired, revoked (tokens that no longer authenticate), one person per RACI
role (team-wide, in project P-TEST), `admin` (the workspace's initialiser: administers the server,
holds no role) and `outsider` (a data owner of another project, P-OTHER).
`seeded` are the records routes name in their paths (`{project}`, `{person}`, …): each pool's
`seed_<pool>.py` adds its own through flows (`SEEDERS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from seed_issues import seed_issues

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings

ROLE_PEOPLE = ["data-owner", "data-engineer", "annotation-engineer", "quality-evaluator",
               "algorithm-engineer", "platform-engineer", "legal-compliance"]
PRINCIPALS = ["anonymous", "expired", "revoked", *ROLE_PEOPLE, "admin", "outsider"]
PERSON_OF = {**{p: p for p in ROLE_PEOPLE}, "admin": "tester", "outsider": "outsider"}
ENVELOPE_KEYS = {"ok", "error", "errors", "status"}


def seed_people(ws: Workspace) -> dict[str, str]:
    """The outsider (data owner of P-OTHER only) and the project itself."""
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.governance.people import add_person

    add_project(ws, Project(id="P-OTHER", name="Another project", owner_id="data-owner"))
    add_person(ws, Person(id="outsider", name="Outsider"), roles=[Role.DATA_OWNER],
               project_id="P-OTHER", login="outsider")
    return {"project": "P-TEST", "person": "data-engineer"}


SEEDERS: list[Callable[[Workspace], dict[str, str]]] = [seed_people, seed_issues]


@pytest.fixture
def seeded(team: Workspace) -> dict[str, str]:
    values: dict[str, str] = {}
    for seed in SEEDERS:
        values.update(seed(team))
    return values


@pytest.fixture
def principals(team: Workspace, seeded: dict[str, str]) -> dict[str, dict[str, str]]:
    """principal name → the headers it sends (none for anonymous)."""
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.governance.tokens import create_token, revoke_token

    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, person in PERSON_OF.items():
        _, plaintext = create_token(team, person, lifetime=timedelta(days=1), label=name)
        headers[name] = {"Authorization": f"Bearer {plaintext}"}
    _, old = create_token(team, "data-engineer", lifetime=timedelta(hours=1),
                          now=utcnow() - timedelta(hours=2), label="expired")
    headers["expired"] = {"Authorization": f"Bearer {old}"}
    gone, plaintext = create_token(team, "data-engineer", lifetime=timedelta(days=1),
                                   label="revoked")
    revoke_token(team, gone.id, reason="test")
    headers["revoked"] = {"Authorization": f"Bearer {plaintext}"}
    spare, _ = create_token(team, "data-engineer", lifetime=timedelta(days=1), label="spare")
    seeded["token"] = spare.id
    return headers


@pytest.fixture
def api(settings: Settings, principals: dict[str, dict[str, str]]) -> Iterator[TestClient]:
    """The real app over this test's workspace (its lifespan opens the workspace)."""
    from dataflywheel.api.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def assert_envelope(response: Any, status: int, needle: str = "") -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, response.text
    assert set(body) == ENVELOPE_KEYS
    assert body["ok"] is False and body["status"] == status
    assert "\n" not in body["error"] and needle in body["error"]
    assert isinstance(body["errors"], list) and body["errors"]
    return body  # type: ignore[no-any-return]


class LiveServer:
    """One uvicorn server on loopback for the whole test run; each test points it at its own
    workspace (`live_server` fixture), so tests share the server, not their data."""

    def __init__(self) -> None:
        import socket
        import threading
        import time

        import uvicorn

        from dataflywheel.api.app import create_app
        from dataflywheel.settings import Settings

        self.app = create_app(Settings(), max_body_bytes=10 * 1024 * 1024, open_on_start=False)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def _live_server() -> Iterator[LiveServer]:
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture
def live_server(_live_server: LiveServer, settings: Settings,
                principals: dict[str, dict[str, str]]) -> Iterator[LiveServer]:
    """The shared loopback server, serving this test's workspace (with its principals)."""
    from dataflywheel.flows.workspace import open_workspace

    ws = open_workspace(settings)
    _live_server.app.state.workspace = ws
    try:
        yield _live_server
    finally:
        _live_server.app.state.workspace = None
        ws.close()
