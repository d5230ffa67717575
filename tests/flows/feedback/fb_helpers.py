"""Feedback test helpers: well-formed event dicts and a workspace with routable projects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ROUTE_PROJECTS = ("P-SFT-PREF", "P-MM-RAG", "P-AGENT-TOOLS", "P-PLATFORM-GOV", "P-PRIVACY")


def event(event_id: str, *, text: str = "the model got 15% of 80 wrong", days: int = 0,
          **fields: Any) -> dict[str, Any]:
    """An event dict that validates; `fields` override or add top-level fields."""
    base: dict[str, Any] = {
        "id": event_id,
        "occurred_at": (T0 + timedelta(days=days)).isoformat(),
        "source": "evaluation",
        "failure_type": "model_gap",
        "impact_scope": "sample",
        "project_id": "P-TEST",
        "payload": {"sample": text, "model_output": "12", "expected_behaviour": "answer 12"},
    }
    base.update(fields)
    return base


def add_route_projects(ws: Any) -> None:
    """The projects the default routing rules name, owned by the team's data owner."""
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    for pid in ROUTE_PROJECTS:
        add_project(ws, Project(id=pid, name=pid.lower(), owner_id="data-owner"))
