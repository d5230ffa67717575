"""Feedback records through the store on both backends: events (every state), kept rejections,
themes with their promotion links; and foreign keys refusing events about missing records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pools_seed import NOW, refused, seed_data
from sqlalchemy import update

from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.domain.records.feedback import (
    FeedbackEvent, FeedbackRejection, FeedbackType, ImpactScope, Theme,
)
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.records.plan import Stage
from dataflywheel.domain.states import FeedbackState, ThemeState
from dataflywheel.store.repositories.experiments import Experiments
from dataflywheel.store.repositories.feedback import FeedbackEvents, FeedbackRejections, Themes
from dataflywheel.store.repositories.issues import Issues
from dataflywheel.store.repositories.people import Requirements
from dataflywheel.store.repositories.plans import Stages
from dataflywheel.store.session import Database
from dataflywheel.store.tables.feedback import FeedbackEventRow, ThemeRow


def _event(event_id: str = "FB-1", **changes: Any) -> FeedbackEvent:
    fields: dict[str, Any] = dict(
        id=event_id, occurred_at=NOW - timedelta(hours=1), received_at=NOW, source="evaluation",
        failure_type=FeedbackType.DATA_GAP, impact_scope=ImpactScope.TASK_FAMILY,
        payload={"sample": {"question": "area of a 3x4 rectangle?"}, "model_output": "7",
                 "expected_behaviour": "12", "attributes": {"question_type": "geometry"}},
        origin="eval.jsonl:3",
    )
    return FeedbackEvent.model_validate(fields | changes)


def _seed(db: Database) -> None:
    seed_data(db)
    with db.unit_of_work() as s:
        Stages(s).add(Stage(id="S-K12-SFT", project_id="P-K12", name="sft data", position=0))
        Experiments(s).add(Experiment(id="EXP-0001", title="eval", kind="formal",
                                      model_version="m1", started_at=NOW))
        Issues(s).add(Issue(id="ISS-0001", title="gap", severity="P2", source="feedback",
                            opened_at=NOW))


def test_every_feedback_record_round_trips(database: Database) -> None:
    _seed(database)
    theme = Theme(
        id="TH-1", title="geometry area questions", state=ThemeState.ABSORBED, project_id="P-K12",
        stage_id="S-K12-SFT", failure_type=FeedbackType.DATA_GAP,
        signature={"terms": ["area", "rectangle"], "minhash": [1, 2, 3]}, event_count=2,
        first_seen=NOW - timedelta(days=3), last_seen=NOW, impact=0.8, reusability=0.5, risk=0.2,
        cost=0.3, leverage_score=1.37, requirement_id="REQ-0001", absorbed_version_id="V-1",
        absorbed_at=NOW, created_at=NOW, updated_at=NOW,
    )
    records: list[tuple[Any, Any]] = [
        (Themes, theme),
        (FeedbackEvents, _event(
            state=FeedbackState.THEMED, project_id="P-K12", stage_id="S-K12-SFT", theme_id="TH-1",
            model_version="tutor-7b-r4", version_id="V-1", experiment_id="EXP-0001",
            recommended_action="add geometry items", route_rule="math-gaps")),
        (FeedbackRejections, FeedbackRejection(
            id="FBR-1", origin="eval.jsonl", line=9, raw_sha256="f" * 64, raw_size=5,
            excerpt="\ufffd{bad", reason="invalid UTF-8 at byte 0", field=None, received_at=NOW)),
    ]
    for repo_type, record in records:
        with database.unit_of_work() as s:
            repo_type(s).add(record)
        with database.session() as s:
            repo = repo_type(s)
            assert repo.get(repo.key_of(record)) == record
    with database.session() as s:
        assert [e.id for e in Themes(s).events("TH-1")] == ["FB-1"]
        assert FeedbackEvents(s).get("FB-1").payload.attributes == {"question_type": "geometry"}


def test_every_event_and_theme_state_is_kept(database: Database) -> None:
    _seed(database)
    with database.unit_of_work() as s:
        for n, theme_state in enumerate(ThemeState):
            Themes(s).add(Theme(id=f"TH-{n}", title="t", state=theme_state, issue_id="ISS-0001",
                                decision_reason="low leverage", absorbed_version_id="V-1",
                                absorbed_at=NOW))
        for n, state in enumerate(FeedbackState):
            FeedbackEvents(s).add(_event(f"FB-{n}", state=state, project_id="P-K12",
                                         theme_id="TH-0", reject_reason="unknown project 'P-X'"))
    with database.session() as s:
        assert [Themes(s).get(f"TH-{n}").state for n in range(len(ThemeState))] == list(ThemeState)
        kept = [FeedbackEvents(s).get(f"FB-{n}").state for n in range(len(FeedbackState))]
        assert kept == list(FeedbackState)


def test_triage_queue_and_counts(database: Database) -> None:
    _seed(database)
    with database.unit_of_work() as s:
        events = FeedbackEvents(s)
        events.add(_event("FB-1", state="triage"))
        events.add(_event("FB-2", state="routed", project_id="P-K12"))
        events.add(_event("FB-3", state="triage"))
        events.add(_event("FB-4", state="rejected", reject_reason="no rule matched and no project"))
    with database.session() as s:
        assert [e.id for e in FeedbackEvents(s).triage_queue()] == ["FB-1", "FB-3"]
        assert FeedbackEvents(s).count_by_state() == {"triage": 2, "routed": 1, "rejected": 1}


def test_an_event_about_a_missing_record_is_refused(database: Database) -> None:
    _seed(database)
    for changes in ({"project_id": "P-404"}, {"stage_id": "S-404"}, {"version_id": "V-404"},
                    {"experiment_id": "EXP-0404"}, {"theme_id": "TH-404"}):
        refused(database, lambda s, c=changes: FeedbackEvents(s).add(_event(**c)))
    with database.session() as s:
        assert FeedbackEvents(s).list() == []


def test_theme_links_and_enums_are_enforced(database: Database) -> None:
    _seed(database)
    for bad in ({"requirement_id": "REQ-9999"}, {"issue_id": "ISS-9999"},
                {"absorbed_version_id": "V-404"}, {"project_id": "P-404"}):
        refused(database, lambda s, bad=bad: Themes(s).add(Theme(id="TH-9", title="t", **bad)))
    with database.unit_of_work() as s:
        Themes(s).add(Theme(id="TH-1", title="t"))
        FeedbackEvents(s).add(_event())
    refused(database, lambda s: s.execute(update(ThemeRow).values(failure_type="vibes")))
    refused(database, lambda s: s.execute(update(FeedbackEventRow).values(source="twitter")))
    refused(database, lambda s: s.execute(update(FeedbackEventRow).values(impact_scope="galaxy")))
    refused(database, lambda s: s.execute(update(FeedbackEventRow).values(failure_type="vibes")))
    with database.session() as s:
        assert [t.id for t in Themes(s).list()] == ["TH-1"]
        assert FeedbackEvents(s).get("FB-1").source.value == "evaluation"


def test_a_promoted_theme_links_its_requirement(database: Database) -> None:
    _seed(database)
    with database.unit_of_work() as s:
        Requirements(s).add(Requirement(
            id="REQ-0002", title="geometry", project_id="P-K12", requester_id="ann",
            kind="remediation", priority="P1", created_at=NOW, updated_at=NOW))
        Themes(s).add(Theme(id="TH-1", title="t", state="promoted", requirement_id="REQ-0002"))
    with database.session() as s:
        assert Themes(s).list(requirement_id="REQ-0002")[0].id == "TH-1"
