"""A client that goes away in the middle of a streamed body: one quiet log line, no traceback,
nothing stored — on the feedback ingest (`read_capped`) and on a delivery upload (`spool`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select


def _count(ws: Any, table: Any) -> int:
    with ws.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _send_half_then_leave(app: Any, path: str, query: str, headers: dict[str, str]) -> list[Any]:
    """Drive the ASGI app as a server would: half a body, then `http.disconnect`. Returns what
    the app sent; an exception out of the app is what a server logs with a traceback."""
    messages = iter([{"type": "http.request", "body": b'{"id": "FB-HALF", "occ', "more_body": True},
                     {"type": "http.disconnect"}])
    sent: list[Any] = []

    async def receive() -> Any:
        return next(messages, {"type": "http.disconnect"})

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5000),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize(("path", "query"), [
    ("/api/v1/feedback/events", ""),
    ("/api/v1/requirements/{requirement}/deliveries",
     "dataset=api-sft&contract=sft-instructions@1.0.0&name=part.jsonl"),
])
def test_a_client_leaving_mid_body_is_a_quiet_log_line_and_nothing_is_stored(
        path: str, query: str, settings: Any, team: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]], caplog: pytest.LogCaptureFixture) -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.store.tables.audit import AuditEntryRow

    app = create_app(settings, open_on_start=False)
    app.state.workspace = team
    before = _count(team, AuditEntryRow)
    staged = settings.workspace / "uploads"
    headers = {**principals["data-engineer"], "content-type": "application/octet-stream",
               "content-length": "100000"}
    with caplog.at_level(logging.INFO):
        sent = _send_half_then_leave(app, path.format(requirement=seeded["data.requirement"]),
                                     query, headers)
    assert sent[0]["status"] == 400 and b"client disconnected" in sent[1]["body"]
    gone = [r for r in caplog.records if "client disconnected" in r.getMessage()]
    assert [r.levelno for r in gone] == [logging.INFO] and all(r.exc_info is None for r in gone)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _count(team, AuditEntryRow) == before
    assert not staged.exists() or list(staged.iterdir()) == []
