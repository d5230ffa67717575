"""Feedback lists a page at a time (`flows.feedback.listing`, `flywheel feedback list`,
`GET /api/v1/feedback/events`): stable cursors under concurrent inserts, a hint naming how many
more and the next command, `--all --json` streamed as NDJSON, bad cursors and limits refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fb_helpers import event

from dataflywheel.flows.feedback.ingest import ingest_events
from dataflywheel.flows.feedback.listing import events


def test_a_cursor_is_not_shifted_by_inserts_between_pages(team: Any) -> None:
    """Page through the events while others insert, before and after the cursor: every event
    that was there at the start is seen exactly once, in id order."""
    original = [f"E-{n:03d}" for n in range(0, 40, 2)]
    ingest_events(team, [event(i) for i in original])
    seen: list[str] = []
    cursor = None
    for turn in range(100):
        page = events(team).page(3, cursor)
        seen += [e.id for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
        # one id before the cursor (already passed), one after it (still to come), one new max
        ingest_events(team, [event(f"E-{2 * turn + 1:03d}"), event(f"E-{2 * turn + 39:03d}x"),
                             event(f"E-A{turn:02d}")])
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert set(original) <= set(seen), "a row was skipped"
    assert seen == sorted(seen)
    assert [e.id for e in events(team).stream()] == sorted(e.id for e in events(team).stream())


def _hint_cursor(err: str) -> str:
    return err.split("--cursor ")[-1].strip()


def test_the_table_shows_one_page_and_the_next_command(team: Any, cli: Any) -> None:
    ingest_events(team, [event(f"E-{n}") for n in range(5)] + [event("O-1", project_id=None)])
    first = cli("feedback", "list", "--project", "P-TEST", "--limit", "2")
    assert first.code == 0 and "E-0" in first.out and "E-1" in first.out and "E-2" not in first.out
    assert "... 3 more: flywheel feedback list --project P-TEST --limit 2 --cursor " in first.err
    second = cli("feedback", "list", "--project", "P-TEST", "--limit", "2",
                 "--cursor", _hint_cursor(first.err))
    assert "E-2" in second.out and "E-3" in second.out and "E-1" not in second.out
    assert "1 more" in second.err
    last = cli("feedback", "list", "--project", "P-TEST", "--limit", "2",
               "--cursor", _hint_cursor(second.err))
    assert "E-4" in last.out and "O-1" not in last.out and last.err == ""


def test_json_is_one_page_as_a_list_and_the_hint_stays_off_stdout(team: Any, cli: Any) -> None:
    ingest_events(team, [event(f"E-{n}") for n in range(3)])
    result = cli("feedback", "list", "--json", "--limit", "2")
    assert [e["id"] for e in result.json()] == ["E-0", "E-1"]
    assert "1 more: flywheel feedback list --limit 2 --json --cursor" in result.err


def test_all_json_streams_every_row_as_ndjson(team: Any, cli: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import dataflywheel.store.paging as paging

    monkeypatch.setattr(paging, "STREAM_BATCH", 4)  # several batches from a small table
    ids = [f"E-{n:02d}" for n in range(11)]
    ingest_events(team, [event(i) for i in ids])
    result = cli("feedback", "list", "--all", "--json")
    lines = result.out.splitlines()
    assert result.code == 0 and len(lines) == len(ids)
    assert [json.loads(line)["id"] for line in lines] == ids
    assert [json.loads(line) for line in lines] == [
        e.model_dump(mode="json") for e in events(team).stream()]
    table = cli("feedback", "list", "--all")
    assert all(i in table.out for i in ids) and table.err == ""


@pytest.mark.parametrize("args, needle", [
    (["--cursor", "not-a-cursor"], "not a cursor of this list"),
    (["--limit", "0"], "page size out of range"),
    (["--limit", "1001"], "page size out of range"),
    (["--all", "--cursor", "WyJFLTEiXQ"], "--all lists from the start"),
])
def test_bad_cursors_and_limits_exit_2_with_the_reason(team: Any, cli: Any, args: list[str],
                                                       needle: str) -> None:
    ingest_events(team, [event("E-1")])
    result = cli("feedback", "list", *args)
    assert result.code == 2 and needle in result.err and "Traceback" not in result.err


def test_rejections_page_too(team: Any, cli: Any) -> None:
    bad = event("X")
    del bad["source"]
    ingest_events(team, [bad, dict(bad, id="Y"), dict(bad, id="Z")])
    first = cli("feedback", "rejections", "--json", "--limit", "2")
    assert len(first.json()) == 2 and "1 more" in first.err
    rest = cli("feedback", "rejections", "--json", "--cursor", _hint_cursor(first.err))
    assert len(rest.json()) == 1
    assert len(cli("feedback", "rejections", "--all", "--json").out.splitlines()) == 3


def test_the_api_pages_with_limit_and_cursor(team: Any, settings: Any) -> None:
    from fastapi.testclient import TestClient

    from dataflywheel.api.app import create_app

    from server_helpers import token_headers

    auth = token_headers(team)
    ingest_events(team, [event(f"E-{n}") for n in range(5)])
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        first = client.get("/api/v1/feedback/events?limit=2", headers=auth).json()
        assert [e["id"] for e in first["items"]] == ["E-0", "E-1"] and first["remaining"] == 3
        rest = client.get(f"/api/v1/feedback/events?limit=10&cursor={first['next_cursor']}",
                          headers=auth).json()
        assert [e["id"] for e in rest["items"]] == ["E-2", "E-3", "E-4"]
        assert rest["next_cursor"] is None
        for query in ("cursor=zzz", "limit=0", "limit=1001"):
            bad = client.get(f"/api/v1/feedback/events?{query}", headers=auth)
            assert bad.status_code == 400 and bad.json()["ok"] is False
