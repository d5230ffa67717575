"""The loop rate over time and the routing summary, read with a few queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fb_helpers import event

from dataflywheel.domain.policies.routing import parse_rules
from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput
from dataflywheel.flows.feedback.ingest import ingest_events
from dataflywheel.flows.feedback.loop_trend import loop_trend, routing_summary
from dataflywheel.flows.feedback.reflux import loop_metrics
from dataflywheel.flows.feedback.routing import route_pending
from dataflywheel.flows.workspace import Workspace

OWN = parse_rules({"rules": [{"name": "own", "route": {"project": "$event"}}]})


def test_empty_workspace_has_no_rate(team: Workspace) -> None:
    points = loop_trend(team, weeks=3)
    assert len(points) == 3 and all(p.loop_rate is None and p.routed_events == 0 for p in points)
    assert points[0].until < points[1].until < points[2].until
    assert routing_summary(team) == []


def test_routed_events_count_from_their_receipt(team: Workspace) -> None:
    ingest_events(team, [event(f"E-{i}") for i in range(4)] + [event("X-1", project_id="P-NOPE")])
    route_pending(team, rules=OWN)
    now = utcnow() + timedelta(minutes=1)
    before, last = loop_trend(team, weeks=2, now=now)
    assert before.routed_events == 0 and before.loop_rate is None
    metrics = loop_metrics(team)
    assert (last.routed_events, last.absorbed_events) == (metrics.routed_events, 0)
    assert last.loop_rate == metrics.loop_rate == 0.0
    rows = routing_summary(team)
    assert rows[0].project_id == "P-TEST" and rows[0].by_state == {"routed": 4}
    assert rows[-1].project_id is None and rows[-1].events == 1


@pytest.mark.parametrize("weeks", [0, 105])
def test_weeks_out_of_range(team: Workspace, weeks: int) -> None:
    with pytest.raises(BadInput, match="weeks out of range"):
        loop_trend(team, weeks=weeks)


def test_theme_summary_is_the_theme_view(team: Workspace) -> None:
    from dataflywheel.flows.feedback.theme_page import theme_summary, week_start
    from dataflywheel.flows.feedback.themes import form_themes, theme_views

    ingest_events(team, [event(f"T-{i}", days=i * 3) for i in range(6)])
    route_pending(team, rules=OWN)
    form_themes(team)
    now = utcnow()
    for view in theme_views(team, now=now):
        summary = theme_summary(team, view.theme.id, now=now)
        assert summary.weekly == view.weekly and summary.theme == view.theme
        assert [e.model_dump() for e in summary.examples] == view.to_dict()["examples"]
        assert summary.ranked_among == view.theme.event_count
    assert week_start("2026-W48").isoformat() == "2026-11-23T00:00:00+00:00"
