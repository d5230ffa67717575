"""The demo step on the demo team: import, route, themes, P1 requirement, loop closes on freeze."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.states import RequirementState, ThemeState



def _candidate_version(ws, tmp_path) -> str:
    """A P-K12 dataset version ready to freeze, built through the data-pool flows."""
    from datapool_helpers import CONTRACT, FULL_DATASHEET, records, write_jsonl

    from dataflywheel.demo.contracts import example_text
    from dataflywheel.domain.records.demand import RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.data import versions as flows
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.integrations.odcs import parse_odcs

    text = example_text("cleaned-raw-pool")
    register_contract(ws, parse_odcs(text, source="cleaned-raw-pool"), text, by="lin.wei",
                      project_id="P-K12")
    req = submit_requirement(ws, title="Raw pool", project_id="P-K12", requester_id="li.na",
                             kind=RequirementKind.NEW_DATA, priority=Priority.P1,
                             target_metric="coverage", acceptance_criteria="passes the contract",
                             responsible_id="chen.jie", accountable_id="lin.wei",
                             deadline=datetime.now(UTC) + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    flows.create_dataset(ws, "k12-pool", project_id="P-K12", owner_id="lin.wei",
                         purpose="training", sensitivity="public")
    path = write_jsonl(tmp_path / "a.jsonl", records("a", 20, seed=1))
    batch = deliver(ws, [path], dataset="k12-pool", contract_version_id=CONTRACT,
                    requirement_id=req.id, delivered_by="chen.jie", engine="single").batch
    version = flows.create_version(ws, "k12-pool", by="chen.jie", batch_ids=[batch.id])
    flows.set_datasheet(ws, version.id, FULL_DATASHEET, by="chen.jie")
    return version.id


def test_demo_step_closes_the_loop(ws, tmp_path):
    from dataflywheel.demo.feedback import demo_step
    from dataflywheel.demo.team import seed_team
    from dataflywheel.flows.demand.requirements import get_requirement
    from dataflywheel.flows.feedback.themes import theme_views

    seed_team(ws)
    version_id = _candidate_version(ws, tmp_path)
    out = io.StringIO()
    theme_id = demo_step(ws, Console(file=out, width=160), next_version_id=version_id)
    text = out.getvalue()
    [view] = theme_views(ws, theme_id=theme_id)
    assert view.theme.state is ThemeState.ABSORBED and view.theme.absorbed_version_id == version_id
    assert "percentage" in view.theme.title
    req = get_requirement(ws, view.theme.requirement_id)
    assert req.priority is Priority.P1 and req.state is RequirementState.ACCEPTED
    assert "wrong answers" in text and f"theme {theme_id} absorbed" in text
    assert "Feedback-loop rate" in text


def test_demo_step_without_a_version_stops_after_promotion(ws):
    from dataflywheel.demo.feedback import demo_step
    from dataflywheel.demo.team import seed_team

    seed_team(ws)
    out = io.StringIO()
    demo_step(ws, Console(file=out, width=160))
    assert "The loop closes when REQ-" in out.getvalue()
