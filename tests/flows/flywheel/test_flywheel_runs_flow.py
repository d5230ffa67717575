"""The stage plan and flywheel runs through the flows, on both backends: each stage's status and
score is the records' (window edges included), the completion rate and average score are the
chapter's, owners come from the RACI matrix, and bad input is refused with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from datapool_helpers import audit_count, frozen_version

from dataflywheel.domain.policies.flywheel_plan import parse_plan
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.flywheel import StageStatus
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.flywheel.plan import default_plan, load_plan, read_plan_file, show_plan
from dataflywheel.flows.flywheel.runs import board, list_runs, record_run
from dataflywheel.flows.workspace import Workspace

HOUR = timedelta(hours=1)


def _experiment(ws: Workspace, version: str, *, state: str = "completed") -> None:
    log_experiment(ws, parse_create({
        "title": "eval on the pool", "kind": "exploratory", "model_version": "sft-7b",
        "versions": [{"version_id": version, "role": "eval"}], "project_id": "P-TEST",
        "state": state, "params": {"compute_cost": 12.5}}))


def test_the_shipped_plan_loads_with_owners_from_the_raci_matrix(team: Workspace) -> None:
    load_plan(team, "P-TEST", default_plan(), today=date(2026, 12, 1))
    view = show_plan(team, "P-TEST")
    owners = {s.name: (s.accountable, s.responsible) for s in view.stages}
    assert [s.name for s in view.stages] == ["ingestion", "quality_inspection", "release",
                                            "training", "feedback"]
    assert owners["ingestion"] == ("data-engineer", ["data-engineer"])
    assert owners["release"] == ("data-owner", ["algorithm-engineer"])
    assert owners["quality_inspection"] == ("quality-evaluator", ["quality-evaluator"])
    assert [m["due"] for m in view.milestones] == ["2026-12-15", "2026-12-31", "2027-01-30"]
    assert audit_count(team, "flywheel_plan.load", "P-TEST") == 1
    load_plan(team, "P-TEST", default_plan(), today=date(2026, 12, 1))  # reloading replaces
    assert len(show_plan(team, "P-TEST").stages) == 5


def test_a_run_judges_each_stage_from_the_records_of_its_window(team: Workspace,
                                                                 tmp_path: Path) -> None:
    load_plan(team, "P-TEST", default_plan())
    start = utcnow() - HOUR
    version = frozen_version(team, tmp_path)  # one batch passed, one version frozen
    _experiment(team, version)
    _experiment(team, version, state="failed")
    run = record_run(team, "P-TEST", since=start, until=utcnow() + HOUR)
    by_stage = {s.stage: s for s in run.stages}
    assert by_stage["ingestion"].status is StageStatus.COMPLETED
    assert (by_stage["ingestion"].passed, by_stage["ingestion"].total) == (1, 1)
    assert by_stage["release"].status is StageStatus.COMPLETED
    assert by_stage["quality_inspection"].status is StageStatus.NOT_STARTED
    assert by_stage["feedback"].status is StageStatus.NOT_STARTED
    # one of the two experiments completed on a frozen version: complete, score 1/2
    assert by_stage["training"].status is StageStatus.COMPLETED
    assert (by_stage["training"].score, by_stage["training"].evidence) == (0.5, 1)
    # 3 of 5 stages complete; scores 1 + 0 + 1 + 0.5 + 0 over 5 stages
    assert (run.completion_rate, run.average_score) == (0.6, 0.5)
    assert run.id == "FWR-0001"
    assert audit_count(team, "flywheel_run.add", "FWR-0001") == 1
    assert [r.id for r in list_runs(team, "P-TEST")] == ["FWR-0001"]


def test_records_outside_the_window_do_not_count(team: Workspace, tmp_path: Path) -> None:
    load_plan(team, "P-TEST", default_plan())
    frozen_version(team, tmp_path)
    before = datetime(2026, 1, 1, tzinfo=UTC)
    run = record_run(team, "P-TEST", since=before, until=before + HOUR)
    assert {s.status for s in run.stages} == {StageStatus.NOT_STARTED}
    assert (run.completion_rate, run.average_score) == (0.0, 0.0)
    # the next run starts where the last one ended
    assert record_run(team, "P-TEST", until=before + 2 * HOUR).since == before + HOUR


def test_a_reversed_window_is_refused_and_nothing_is_written(team: Workspace) -> None:
    load_plan(team, "P-TEST", default_plan())
    at = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(BadInput) as info:
        record_run(team, "P-TEST", since=at, until=at)
    assert str(info.value) == ("a run's window must end after it starts; field 'since'; expected "
                               "a time before until (2026-12-01T00:00:00+00:00); got "
                               "'2026-12-01T00:00:00+00:00'. Kept: no run was recorded")
    assert list_runs(team) == []
    assert audit_count(team, "flywheel_run.add") == 0


def test_a_run_needs_a_plan(team: Workspace) -> None:
    with pytest.raises(NotFound, match="project 'P-TEST' has no flywheel plan.*"
                                       "flywheel system plan load --project P-TEST"):
        record_run(team, "P-TEST")


def test_an_invalid_plan_is_refused_whole(team: Workspace, tmp_path: Path) -> None:
    load_plan(team, "P-TEST", default_plan())
    bad = tmp_path / "plan.yaml"
    bad.write_text("stages:\n  - {name: ingest, goal: g, outputs: [x], gate: {kind: vibes},"
                   " raci_item: data_collection_and_cleaning}\n")
    with pytest.raises(BadInput) as info:
        read_plan_file(bad)
    assert str(info.value).startswith(f"{bad}: invalid flywheel plan; field 'stages.0.gate.kind'; "
                                      "expected Input should be 'batches_passed', ")
    unknown_item = parse_plan({"stages": [{"name": "ingest", "goal": "g", "outputs": ["x"],
                                           "gate": {"kind": "batches_passed"},
                                           "raci_item": "nobody_owns_this"}]}, source="p.yaml")
    with pytest.raises(BadInput, match="stage 'ingest' names RACI item 'nobody_owns_this', which "
                                       "the matrix does not have; field 'stages.0.raci_item'"):
        load_plan(team, "P-TEST", unknown_item)
    assert [s.name for s in show_plan(team, "P-TEST").stages][0] == "ingestion"  # unchanged
    with pytest.raises(BadInput, match="milestone names unknown stage nowhere"):
        parse_plan({"stages": [{"name": "a", "goal": "g", "outputs": ["x"],
                                "gate": {"kind": "batches_passed"}, "raci_item": "r"}],
                    "milestones": [{"title": "t", "stage": "nowhere", "due_days": 1,
                                    "evidence": {"kind": "batches_passed"}}]}, source="p.yaml")


def test_the_milestone_board_says_done_late_and_due_from_records(team: Workspace,
                                                                 tmp_path: Path) -> None:
    today = utcnow().date()
    stage = {"name": "release", "goal": "g", "outputs": ["x"], "gate": {"kind": "version_frozen"},
             "raci_item": "training_set_version_release"}

    def milestone(title: str, due: date, kind: str) -> dict[str, object]:
        return {"title": title, "stage": "release", "due": due.isoformat(),
                "evidence": {"kind": kind}}

    plan = parse_plan({"stages": [stage], "milestones": [
        milestone("frozen early", today + timedelta(days=3), "version_frozen"),
        milestone("frozen late", today - timedelta(days=2), "version_frozen"),
        milestone("feedback overdue", today - timedelta(days=1), "feedback_promoted"),
        milestone("feedback ahead", today + timedelta(days=5), "feedback_promoted")]},
        source="p.yaml")
    load_plan(team, "P-TEST", plan)
    frozen_version(team, tmp_path)
    found = {r.title: (r.state.value, r.done_on) for r in board(team, "P-TEST").rows}
    assert found == {"frozen early": ("done", today), "frozen late": ("done_late", today),
                     "feedback overdue": ("late", None), "feedback ahead": ("due", None)}


def test_the_feedback_stage_completes_when_a_theme_is_promoted(team: Workspace) -> None:
    from dataflywheel.domain.policies.routing import parse_rules as routing_rules
    from dataflywheel.flows.feedback.ingest import ingest_events
    from dataflywheel.flows.feedback.reflux import promote
    from dataflywheel.flows.feedback.routing import route_pending
    from dataflywheel.flows.feedback.themes import form_themes
    from dataflywheel.reports.system_evidence import bottleneck_facts

    load_plan(team, "P-TEST", default_plan())
    start = utcnow() - HOUR

    def event(eid: str, text: str, failure: str) -> dict[str, object]:
        return {"id": eid, "occurred_at": start.isoformat(), "source": "evaluation",
                "failure_type": failure, "impact_scope": "sample", "project_id": "P-TEST",
                "payload": {"sample": text, "model_output": "12", "expected_behaviour": "13"}}

    ingest_events(team, [event("PCT-0", "percent discount price markup", "model_gap"),
                         event("PCT-1", "percent discount price markup", "model_gap"),
                         event("REG-0", "accuracy dropped after the checkpoint", "regression")])
    routed = routing_rules({"rules": [{"name": "own", "route": {"project": "$event"}}]})
    route_pending(team, rules=routed)
    form_themes(team)
    before = record_run(team, "P-TEST", since=start, until=utcnow())
    feedback = before.stages[-1]
    # 3 events received, all routed into themes; no theme promoted yet: in progress
    assert (feedback.status, feedback.score, feedback.evidence) == (
        StageStatus.IN_PROGRESS, 1.0, 0)
    promote(team, top=1, requester_id="algorithm-engineer")
    after = record_run(team, "P-TEST", since=start, until=utcnow() + HOUR).stages[-1]
    assert (after.status, after.passed, after.total, after.evidence) == (
        StageStatus.COMPLETED, 3, 3, 1)
    with team.db.session() as s:
        facts = bottleneck_facts(s, since=start, until=utcnow() + HOUR, now=utcnow())
    assert facts.regressions == {"P-TEST": 1}  # the regression feedback event
