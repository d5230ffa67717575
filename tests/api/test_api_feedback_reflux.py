"""Feedback reflux over HTTP (routing, triage, themes, leverage, promotion, imports) and the
`flywheel feedback` commands through the server.

Against the real app (`api`) and the loopback server (`live_server`) over each test's workspace,
seeded by `seed_experiments`: event FB-SEED-1 routed to P-TEST and themed (`seeded["theme"]`),
FB-SEED-2 waiting in triage (`seeded["event"]`). Answers are compared with the CLI's `--json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from seed_experiments import feedback_event
from test_api_experiments import _actor, _local, _through, _token, assert_envelope


def _event(team: Any, event_id: str) -> Any:
    from dataflywheel.store.repositories.feedback import FeedbackEvents

    with team.db.session() as s:
        return FeedbackEvents(s).get(event_id)


def _theme(team: Any, theme_id: str) -> Any:
    from dataflywheel.store.repositories.feedback import Themes

    with team.db.session() as s:
        return Themes(s).get(theme_id)


def _events(team: Any) -> int:
    from dataflywheel.flows.feedback.listing import events

    return sum(1 for _ in events(team).stream())


def _second_theme(api: TestClient, who: dict[str, str]) -> None:
    """A data gap of P-TEST, routed and formed into a theme of its own."""
    event = feedback_event("FB-API-3", "no chemistry word problems at all", failure_type="data_gap")
    assert api.post("/api/v1/feedback/events", json=event, headers=who).status_code == 200
    assert api.post("/api/v1/feedback/route", json={}, headers=who).json()["routed"] == 1
    formed = api.post("/api/v1/feedback/themes/form", json={"threshold": 0.25}, headers=who)
    assert formed.status_code == 200 and len(formed.json()["created"]) == 1


def test_themes_list_pages_and_answers_what_the_cli_prints(
        api: TestClient, cli: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    who = principals["data-owner"]
    _second_theme(api, who)
    first = api.get("/api/v1/feedback/themes", params={"limit": 1}, headers=who)
    assert first.status_code == 200
    page = first.json()
    assert page["remaining"] == 1 and [t["id"] for t in page["items"]] == [seeded["theme"]]
    assert page["items"] == cli("feedback", "themes", "list", "--limit", "1", "--json").json()
    rest = api.get("/api/v1/feedback/themes", params={"cursor": page["next_cursor"]}, headers=who)
    assert rest.json()["next_cursor"] is None and len(rest.json()["items"]) == 1
    table = cli("feedback", "themes", "list", "--limit", "1")
    assert table.code == 0 and seeded["theme"] in table.out and "1 more" in table.err
    streamed = cli("feedback", "themes", "list", "--all", "--json").out.splitlines()
    assert [json.loads(line)["id"] for line in streamed] == [
        seeded["theme"], rest.json()["items"][0]["id"]]
    queued = api.get("/api/v1/feedback/themes", params={"state": "queued"}, headers=who)
    assert queued.json()["items"] == []
    other = api.get("/api/v1/feedback/themes", params={"project": "P-OTHER"}, headers=who)
    assert other.status_code == 200 and other.json()["items"] == []
    assert_envelope(api.get("/api/v1/feedback/themes", params={"project": "P-TEST"},
                            headers=principals["outsider"]), 403)
    shown = api.get(f"/api/v1/feedback/themes/{seeded['theme']}", headers=who)
    assert shown.json() == cli("feedback", "themes", "show", seeded["theme"], "--json").json()
    assert_envelope(api.get("/api/v1/feedback/themes/TH-9999", headers=who), 404, "TH-9999")


def test_reads_answer_what_the_cli_prints(
        api: TestClient, cli: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    who = principals["quality-evaluator"]
    event = seeded["event"]
    triage = api.get("/api/v1/feedback/triage", headers=who)
    assert [e["id"] for e in triage.json()["items"]] == [event]
    assert triage.json()["items"] == cli("feedback", "triage", "list", "--json").json()
    explained = api.get(f"/api/v1/feedback/events/{event}/explain", headers=who)
    assert explained.json() == cli("feedback", "route", "--explain", event, "--json").json()
    assert explained.json()["outcome"] == "triage"
    bad = api.post("/api/v1/feedback/events", json=[{"id": "FB-BAD"}], headers=who)
    assert bad.json()["rejected"] == 1
    listed = api.get("/api/v1/feedback/rejections", headers=who)
    assert listed.status_code == 200, listed.text
    rejections = listed.json()["items"]
    assert rejections == cli("feedback", "rejections", "--json").json() and len(rejections) == 1
    assert "excerpt" not in rejections[0]
    metrics = api.get("/api/v1/feedback/metrics", headers=principals["admin"])
    assert metrics.status_code == 200
    assert metrics.json() == cli("feedback", "metrics", "--json").json()
    assert_envelope(api.get("/api/v1/feedback/triage", headers=principals["outsider"]), 403)


def test_triage_assign_through_the_server(
        cli: Any, team: Any, seeded: dict[str, str], live_server: Any,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    event = seeded["event"]
    _through(monkeypatch, live_server, _token(principals, "outsider"))
    refused = cli("feedback", "triage", "assign", event, "--project", "P-TEST", "--reason", "x")
    assert refused.code == 2 and "a member of the event's project" in refused.err
    _through(monkeypatch, live_server, _token(principals, "data-engineer"))
    blank = cli("feedback", "triage", "assign", event, "--project", "P-TEST", "--reason", "  ")
    assert blank.code == 2 and "routing an event by hand needs a reason" in blank.err
    nowhere = cli("feedback", "triage", "assign", event, "--project", "P-NONE", "--reason", "r")
    assert nowhere.code == 2 and "P-NONE" in nowhere.err
    assert _event(team, event).state.value == "triage"
    done = cli("feedback", "triage", "assign", event, "--project", "P-TEST", "--reason",
               "fractions belong to the K-12 set", "--json")
    assert done.code == 0, done.err
    _local(monkeypatch)
    stored = _event(team, event)
    assert stored.state.value == "routed" and stored.project_id == "P-TEST"
    assert done.json() == stored.model_dump(mode="json")
    assert _actor(team, "feedback_event.routed", event) == "data-engineer"


def test_route_with_a_rules_file_through_the_server(
        api: TestClient, cli: Any, team: Any, live_server: Any, tmp_path: Path,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    who = principals["data-engineer"]
    event = feedback_event("FB-API-4", "a fresh gap")
    assert api.post("/api/v1/feedback/events", json=event, headers=who).status_code == 200
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: 3\n")
    _through(monkeypatch, live_server, _token(principals, "data-engineer"))
    refused = cli("feedback", "route", "--rules", str(broken))
    assert refused.code == 2 and "broken.yaml" in refused.err and "`rules:` list" in refused.err
    assert _event(team, "FB-API-4").state.value == "received"
    missing = cli("feedback", "route", "--rules", str(tmp_path / "absent.yaml"))
    assert missing.code == 2 and "routing rule file not found" in missing.err
    rules = tmp_path / "routing.yaml"
    rules.write_text("rules:\n  - name: everything-to-test\n    when: {}\n"
                     "    route: {project: P-TEST}\n")
    routed = cli("feedback", "route", "--rules", str(rules), "--json")
    assert routed.code == 0, routed.err
    assert routed.json()["by_rule"] == {"everything-to-test": ["FB-API-4", "FB-SEED-2"]}
    assert _event(team, "FB-API-4").route_rule == "everything-to-test"
    assert _actor(team, "feedback_event.routed", "FB-API-4") == "data-engineer"


def test_theme_decisions_prioritise_promote_absorb_through_the_server(
        cli: Any, team: Any, seeded: dict[str, str], live_server: Any, tmp_path: Path,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    theme = seeded["theme"]
    _through(monkeypatch, live_server, _token(principals, "data-owner"))
    blank = cli("feedback", "themes", "decline", theme, "--reason", "   ")
    assert blank.code == 2 and "needs a reason" in blank.err
    assert _theme(team, theme).state.value == "open"
    queued = cli("feedback", "themes", "queue", theme, "--reason", "after the Q1 budget", "--json")
    assert queued.code == 0, queued.err
    assert queued.json() == _theme(team, theme).model_dump(mode="json")
    assert queued.json()["state"] == "queued"
    weights = tmp_path / "weights.yaml"
    weights.write_text("impact: 2\n")
    remote = cli("feedback", "prioritise", "--weights", str(weights), "--json")
    assert remote.code == 0, remote.err
    bad = tmp_path / "bad.yaml"
    bad.write_text("- 1\n")
    refused = cli("feedback", "prioritise", "--weights", str(bad))
    assert refused.code == 2 and "bad.yaml" in refused.err
    promoted = cli("feedback", "promote", "--requester", "algorithm-engineer", "--top", "1",
                   "--json")
    assert promoted.code == 0, promoted.err
    target = promoted.json()["promoted"][theme]
    assert _theme(team, theme).state.value == "promoted"
    absorbed = cli("feedback", "absorb", "--json")
    assert absorbed.code == 0 and absorbed.json() == {"absorbed": {}}
    _through(monkeypatch, live_server, _token(principals, "outsider"))
    outsider = cli("feedback", "themes", "decline", theme, "--reason", "no")
    assert outsider.code == 2 and "a member of the theme's project" in outsider.err
    _local(monkeypatch)
    local = cli("feedback", "prioritise", "--weights", str(weights), "--json")
    assert local.json()["formula"] == remote.json()["formula"]
    assert target.startswith(("REQ-", "ISS-"))
    assert _actor(team, "theme.queued", theme) == "data-owner"


def _gsm_file(path: Path) -> Path:
    lines = [{"question": "What is 10% of 50?", "ground_truth": "A: 5",
              "sft-7b": {"is_correct": False, "solution": "A: 6"}},
             {"question": "What is 2 + 2?", "ground_truth": "A: 4",
              "sft-7b": {"is_correct": True, "solution": "A: 4"}}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines) + "not json\n")
    return path


def test_imports_and_ingest_upload_the_file_through_the_server(
        api: TestClient, cli: Any, team: Any, live_server: Any, tmp_path: Path,
        principals: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.integrations.evalresults import file_time

    results = _gsm_file(tmp_path / "results.jsonl")
    _through(monkeypatch, live_server, _token(principals, "quality-evaluator"))
    imported = cli("feedback", "import-eval", str(results), "--project", "P-TEST", "--json")
    assert imported.code == 0, imported.err
    data = imported.json()
    assert (data["lines"], data["items_checked"], data["flagged"], data["received"],
            data["rejected"]) == (3, 2, 1, 1, 1)
    assert data["origin"] == "api:quality-evaluator/results.jsonl"
    predictions = tmp_path / "self_instruct_predictions_davinci.jsonl"
    predictions.write_text(json.dumps({"instruction": "Summarise", "input": "x",
                                       "response": "y", "rating": "D"}) + "\n")
    rated = cli("feedback", "import-predictions", str(predictions), "--project", "P-TEST",
                "--json")
    assert rated.code == 0 and rated.json()["flagged"] == 1, rated.err
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(feedback_event("FB-API-5", "one more")) + "\n{broken\n")
    ingested = cli("feedback", "ingest", str(events), "--json")
    assert ingested.code == 0, ingested.err
    assert (ingested.json()["received"], ingested.json()["rejected"]) == (1, 1)
    assert ingested.json()["rejections"][0]["line"] == 2
    absent = cli("feedback", "ingest", str(tmp_path / "absent.jsonl"))
    assert absent.code == 2 and "file not found" in absent.err
    _local(monkeypatch)
    from dataflywheel.flows.feedback.listing import events as listing

    made = [e for e in listing(team, project_id="P-TEST").stream()
            if str(e.origin).startswith("api:quality-evaluator/results.jsonl")]
    assert len(made) == 1 and made[0].occurred_at == file_time(results)
    assert _actor(team, "feedback_event.add", made[0].id) == "quality-evaluator"
    before = _events(team)
    sneaky = api.post("/api/v1/feedback/import-eval", params={"name": "../x.jsonl"},
                      content=results.read_bytes(),
                      headers={**principals["quality-evaluator"],
                               "content-type": "application/x-ndjson"})
    assert_envelope(sneaky, 400, "name")
    flag = api.post("/api/v1/feedback/import-predictions", params={"flag_below": "Z"},
                    content=predictions.read_bytes(),
                    headers={**principals["quality-evaluator"],
                             "content-type": "application/x-ndjson"})
    assert_envelope(flag, 400, "unknown rating")
    naive = api.post("/api/v1/feedback/import-eval", params={"occurred_at": "2026-11-02T09:00:00"},
                     content=results.read_bytes(),
                     headers={**principals["quality-evaluator"],
                              "content-type": "application/x-ndjson"})
    assert_envelope(naive, 400, "a time must carry a time zone")
    assert _events(team) == before
