"""Seeded records for the Experiment Pool and feedback reflux routes (`{experiment}`, `{theme}`,
`{event}`), built through flows as the `team` workspace ("tester").

- a candidate version of dataset `expfb-gsm` (P-TEST), an exploratory experiment on it
  (completed, the baseline) and a running one with that baseline: `experiment` (so `finish`
  succeeds once and `compare` has a baseline);
- two feedback events of P-TEST: one routed to P-TEST and formed into a theme (`theme`), one left
  in the triage queue (`event`, so `assign` succeeds).
"""

from __future__ import annotations

import json
from typing import Any

from dataflywheel.flows.workspace import Workspace

EVENT_TIME = "2026-11-02T09:00:00+00:00"


def feedback_event(event_id: str, text: str, **fields: Any) -> dict[str, Any]:
    """A well-formed feedback event of P-TEST (a wrong answer seen in evaluation)."""
    return {"id": event_id, "occurred_at": EVENT_TIME, "source": "evaluation",
            "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-TEST",
            "payload": {"sample": text, "model_output": "12", "expected_behaviour": "answer 12"},
            **fields}


def seed_experiments(ws: Workspace) -> dict[str, str]:
    from dataflywheel.flows.data.versions import create_dataset, create_version
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.feedback.feedback_body import ingest_body
    from dataflywheel.flows.feedback.routing import load_rules, route_pending
    from dataflywheel.flows.feedback.themes import form_themes

    dataset = create_dataset(ws, "expfb-gsm", project_id="P-TEST", owner_id="data-owner",
                             purpose="evaluation")
    version = create_version(ws, dataset.id, by="data-engineer")
    spec: dict[str, Any] = {"title": "gsm8k baseline", "kind": "exploratory",
                            "model_version": "sft-7b@1", "project_id": "P-TEST",
                            "versions": [{"version_id": version.id, "role": "eval"}],
                            "metrics": {"accuracy": 0.8}}
    base = log_experiment(ws, parse_create(spec)).experiment
    running = log_experiment(ws, parse_create({
        **spec, "title": "gsm8k sft-7b@2", "model_version": "sft-7b@2", "state": "running",
        "baseline_experiment_id": base.id, "metrics": {}})).experiment

    body = json.dumps([feedback_event("FB-SEED-1", "15% of 80 answered 10"),
                       feedback_event("FB-SEED-2", "fractions of a whole misread",
                                      project_id=None)]).encode()
    ingest_body(ws, body, origin="seed")
    route_pending(ws, rules=load_rules(ws))  # FB-SEED-1 to P-TEST; FB-SEED-2 (no project) waits
    form_themes(ws)
    theme = _theme_of(ws, "FB-SEED-1")
    return {"experiment": running.id, "theme": theme, "event": "FB-SEED-2"}


def _theme_of(ws: Workspace, event_id: str) -> str:
    from dataflywheel.store.repositories.feedback import FeedbackEvents

    with ws.db.session() as s:
        theme = FeedbackEvents(s).get(event_id).theme_id
    assert theme is not None, f"{event_id} was not themed"
    return theme
