"""`GET /api/v1/health` against the real server on loopback: 200 when the database answers and the
object store takes a write; 503 in the envelope naming the dependency that fails, back to 200
once it is repaired. And `flywheel serve --workers 2` serving the same answers from its workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from server_helpers import ENVELOPE_KEYS
from loopback import serving

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace
    from dataflywheel.settings import Settings


def test_health_probes_both_dependencies_and_names_the_one_that_fails(
        settings: Settings, team: Workspace) -> None:
    from dataflywheel.api.app import create_app

    objects = settings.workspace / "objects"
    with serving(create_app(settings)) as url:
        ok = httpx.get(f"{url}/api/v1/health", timeout=10)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"ok": True, "version": ok.json()["version"], "database": "ok",
                             "objects": "ok"}
        assert not list((objects / ".tmp").glob("health-*"))  # the probe leaves nothing

        moved = objects.with_name("objects.away")
        objects.rename(moved)
        objects.write_text("not a directory any more")
        try:
            down = httpx.get(f"{url}/api/v1/health", timeout=10)
        finally:
            objects.unlink()
            moved.rename(objects)
        assert down.status_code == 503 and down.headers["Retry-After"] == "5"
        body = down.json()
        assert set(body) == ENVELOPE_KEYS and body["error"].startswith("objects unavailable")
        assert [e["dependency"] for e in body["errors"]] == ["objects"]
        assert httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200


def test_health_is_a_503_when_the_database_is_gone(settings: Settings, team: Workspace) -> None:
    """PostgreSQL only: an open SQLite connection keeps serving its cached pages (WAL index
    unchanged) whatever happens to the file, so a test cannot take SQLite away under it."""
    if settings.db is None:
        pytest.skip("an open SQLite connection cannot be taken away from under the server")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from dataflywheel.api.app import create_app

    with serving(create_app(settings)) as url:
        assert httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200
        name = make_url(settings.db).database
        admin = create_engine(make_url(settings.db).set(database="postgres"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        down = httpx.get(f"{url}/api/v1/health", timeout=20)
    assert down.status_code == 503, down.text
    body = down.json()
    assert set(body) == ENVELOPE_KEYS and "database unavailable" in body["error"]
    assert "Traceback" not in down.text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_with_workers_answers_from_the_database_it_was_given(
        settings: Settings, principals: dict[str, dict[str, str]]) -> None:
    """`flywheel serve --db URL --workers 2`: both backends, a token works across workers."""
    port = free_port()
    env = {**os.environ, "FLYWHEEL_LOGIN": "tester", "FLYWHEEL_HOME": str(settings.home),
           "FLYWHEEL_AUDIT_KEY": str(settings.audit_key)}
    env.pop("FLYWHEEL_DB", None)
    db = ["--db", settings.db] if settings.db else []
    command = [sys.executable, "-c", "from dataflywheel.cli.main import run; run()", "serve",
               "--port", str(port), "--workers", "2", *db]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (
                server.stdout.read().decode() if server.stdout and server.poll() is not None
                else "the server did not answer within 90 s")
            time.sleep(0.25)
        with httpx.Client(base_url=url, headers=principals["data-owner"], timeout=10) as client:
            people = {client.get("/api/v1/me").json()["person_id"] for _ in range(8)}
        assert people == {"data-owner"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            output = server.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            output = server.communicate()[0].decode()
    assert "with 2 worker(s)" in output and ("PostgreSQL" if settings.db else "SQLite") in output
