"""OpenLineage over HTTP: with the standard `OPENLINEAGE_URL`, every run the product makes —
deliver, check, freeze, experiment, export, rollback, report — reaches a real HTTP receiver on
loopback (as Marquez receives them) through `OpenLineageClient`, each event valid against the
2-0-2 RunEvent schema, START at the run's start and its end at its end; the same events stay in
the workspace's file. A backend that is down is a warning, not a failed command."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from datapool_helpers import FULL_DATASHEET, frozen_version
from lineage_schema import valid_event

from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations.openlineage import read_events


class _Receiver(BaseHTTPRequestHandler):
    """POST /api/v1/lineage: each body validated as a 2-0-2 RunEvent, kept, answered 201."""

    events: list[dict[str, Any]] = []
    invalid: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - the handler's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        try:
            valid_event(body)
        except Exception as exc:  # noqa: BLE001 - kept for the test to report
            type(self).invalid.append(f"{self.path}: {exc}")
            self.send_response(400)
        else:
            type(self).events.append(body) if self.path == "/api/v1/lineage" else None
            self.send_response(201 if self.path == "/api/v1/lineage" else 404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[type[_Receiver]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Receiver.events, _Receiver.invalid = [], []
    monkeypatch.chdir(tmp_path)  # no openlineage.yml of the machine's in the way
    monkeypatch.setenv("OPENLINEAGE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield _Receiver
    server.shutdown()


def test_every_run_reaches_the_backend_valid_and_timed(team: Workspace, tmp_path: Path,
                                                       receiver: type[_Receiver]) -> None:
    from dataflywheel.flows.cadence import monday_report, send
    from dataflywheel.flows.data import version_release as release
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.export import export_version
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.issues.lifecycle import open_issue

    v1 = frozen_version(team, tmp_path)  # deliver, check, freeze
    label = versions.get_version(team, v1)[0].label
    for state in ("completed", "failed", "running"):
        log_experiment(team, parse_create({
            "title": f"eval {state}", "kind": "exploratory", "model_version": "m",
            "state": state, "versions": [{"version_id": v1, "role": "eval"}],
            "project_id": "P-TEST"}))
    export_version(team, v1, format="hf", out=tmp_path / "out")
    dataset = versions.get_version(team, v1)[0].dataset_id
    v2 = versions.create_version(team, dataset, by="data-engineer", batch_ids=["B-0001"])
    versions.set_datasheet(team, v2.id, FULL_DATASHEET, by="data-engineer")
    release.freeze(team, v2.id, by="data-owner")
    issue = open_issue(team, title="drift", severity="P2", source="manual", project_id="P-TEST")
    release.rollback(team, v2.id, by="data-owner", issue_id=issue.id, reason="drift")
    send(team, "monday", monday_report(team, week="2026-W47"))

    assert receiver.invalid == []
    sent = receiver.events
    def key(e: dict[str, Any]) -> tuple[str, str, str, str]:
        return e["run"]["runId"], e["eventType"], e["eventTime"], e["job"]["name"]

    # the file and the backend hold the same events (the client adds its own run facets)
    assert [key(e) for e in sent] == [key(e) for e in read_events(team.settings)]
    runs: dict[str, list[dict[str, Any]]] = {}
    for event in sent:
        runs.setdefault(event["run"]["runId"], []).append(event)
    by_job: dict[str, list[list[str]]] = {}
    for events in runs.values():
        by_job.setdefault(events[0]["job"]["name"], []).append([e["eventType"] for e in events])
        times = [datetime.fromisoformat(e["eventTime"]) for e in events]
        assert times == sorted(times)  # START first, at the run's start
    assert by_job["deliver"] == [["START", "COMPLETE"]]
    assert by_job["check"] == [["START", "COMPLETE"]]
    assert by_job["freeze"] == [["START", "COMPLETE"]] * 2
    assert sorted(by_job["experiment"]) == [["START"], ["START", "COMPLETE"], ["START", "FAIL"]]
    assert by_job["export"] == by_job["rollback"] == by_job["report"] == [["START", "COMPLETE"]]
    names = {d["name"] for e in sent for d in e.get("inputs", []) + e.get("outputs", [])}
    assert {f"dataset/{label}", f"export/hf/{label}", "report/monday/2026-W47"} <= names
    assert any(n.startswith("experiment/EXP-") for n in names)


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_a_backend_that_is_down_is_a_warning_and_the_events_are_kept(
        team: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "openlineage.yml"
    config.write_text("transport:\n  type: http\n  url: http://127.0.0.1:9\n"
                      "  retry:\n    total: 0\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENLINEAGE_CONFIG", str(config))
    with caplog.at_level(logging.WARNING, logger="dataflywheel.lineage"):
        version = frozen_version(team, tmp_path)  # the delivery and the freeze go through
    assert version
    warned = [r.getMessage() for r in caplog.records if r.name == "dataflywheel.lineage"]
    assert len(warned) == 3  # deliver, check, freeze
    assert "not sent to the configured backend" in warned[0]
    assert str(team.settings.workspace / "lineage" / "events.jsonl") in warned[0]
    assert [e["job"]["name"] for e in read_events(team.settings)][::2] == [
        "deliver", "check", "freeze"]
