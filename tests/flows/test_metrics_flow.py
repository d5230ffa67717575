"""`flows.metrics.measure` on a workspace built through the flows, on both backends: the moments
the flows record (commit, start, close) are the ones the metrics read, in the flows' clock; bad
input is refused naming what was expected, and nothing is written (a read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.demand.lifecycle import commit_week, start, triage
from dataflywheel.flows.demand.requirements import get_requirement, submit_requirement
from dataflywheel.flows.issues import lifecycle as issues
from dataflywheel.flows.metrics import measure
from dataflywheel.flows.workspace import Workspace

MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _requirement(ws: Workspace, at: datetime) -> str:
    rid = submit_requirement(ws, title="geometry items", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, deadline=at + timedelta(days=6),
                             acceptance_criteria="500 items", target_metric="geometry +3pt",
                             accountable_id="data-owner", now=at).id
    triage(ws, rid, now=at)
    return rid


def test_queue_wait_wip_and_closure_come_from_the_flows_moments(team: Workspace) -> None:
    first, second = _requirement(team, MON), _requirement(team, MON + H)
    commit_week(team, [first, second], week="2026-W48", now=MON + 2 * H)
    start(team, first, now=MON + 5 * H)
    kept = get_requirement(team, first)
    assert (kept.committed_at, kept.started_at) == (MON + 2 * H, MON + 5 * H)
    issue = issues.open_issue(team, title="late batch", severity="P2", source="manual",
                              project_id="P-TEST", now=MON)
    issues.acknowledge(team, issue.id, now=MON + H)
    issues.resolve(team, issue.id, resolution="re-sent", now=MON + 3 * H)
    issues.close(team, issue.id, now=MON + 6 * H)

    answer = measure(team, since=MON, until=MON + timedelta(days=7), by="project")
    got = {f.metric: f for f in answer.figures}
    assert (got["queue_wait_hours"].value, got["queue_wait_hours"].samples) == (5.0, 1)
    assert got["wip"].value == 2.0
    assert [(g.group, g.value) for g in got["wip"].breakdown] == [("P-TEST", 2.0)]
    assert (got["issue_closure_hours"].value, got["issue_closure_hours"].samples) == (6.0, 1)
    assert got["delivery_cycle_hours"].value is None  # nothing delivered: no figure, not 0
    earlier = measure(team, since=MON - timedelta(days=7), until=MON)
    assert {f.metric: f.value for f in earlier.figures}["wip"] is None


@pytest.mark.parametrize("args, field, expected", [
    ({"layer": "speed"}, "layer", "flow_efficiency, quality_stability"),
    ({"by": "planet"}, "by", "guide_version, key_metric, kind, priority, project"),
    ({"since": MON, "until": MON}, "since", "--since must be before --until"),
])
def test_bad_input_is_refused_naming_what_was_expected(
    team: Workspace, args: dict[str, object], field: str, expected: str,
) -> None:
    with pytest.raises(BadInput) as info:
        measure(team, **args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert expected in str(info.value)


def test_a_window_ending_in_the_first_weeks_of_the_calendar_starts_at_its_beginning(
    team: Workspace,
) -> None:
    until = datetime(1, 1, 8, tzinfo=UTC)
    answer = measure(team, until=until)
    assert (answer.since, answer.until) == (datetime.min.replace(tzinfo=UTC), until)
    assert all(f.value is None for f in answer.figures)


def test_one_projects_figures_leave_the_others_out(team: Workspace) -> None:
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    add_project(team, Project(id="P-TWO", name="Second", owner_id="data-owner"))
    first = _requirement(team, MON)
    commit_week(team, [first], week="2026-W48", now=MON + H)
    window = {"since": MON, "until": MON + timedelta(days=7)}
    wip = {p: {f.metric: f.value for f in measure(team, project=p, **window).figures}["wip"]
           for p in ("P-TEST", "P-TWO")}
    assert wip == {"P-TEST": 1.0, "P-TWO": None}
    from dataflywheel.errors import NotFound

    with pytest.raises(NotFound, match="P-NONE"):
        measure(team, project="P-NONE", **window)


def test_an_experiment_of_another_project_on_a_dataset_is_reuse(team: Workspace) -> None:
    from dataflywheel.domain.records.data import Dataset, DatasetVersion
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.states import VersionState
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.experiments.runs import ExperimentCreate, log_experiment
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    add_project(team, Project(id="P-TWO", name="Second", owner_id="data-owner"))
    with team.db.unit_of_work() as s:  # as the experiment tests' `lab` fixture writes a version
        Datasets(s).add(Dataset(id="gsm", name="gsm", project_id="P-TEST", owner_id="data-owner"))
        DatasetVersions(s).add(DatasetVersion(
            id="gsm-v1", dataset_id="gsm", number=1, state=VersionState.FROZEN,
            manifest_sha256="1" * 64, frozen_at=MON - 9 * 24 * H, created_by_id="data-engineer"))
    for project in ("P-TWO", "P-TEST", "P-TWO"):
        log_experiment(team, ExperimentCreate(
            title="probe", kind="exploratory", model_version="m", project_id=project,
            versions=[{"version_id": "gsm-v1"}], started_at=MON + H, ended_at=MON + 2 * H),
            now=MON + 2 * H)
    window = {"since": MON, "until": MON + timedelta(days=7)}
    got = {f.metric: f for f in measure(team, by="project", **window).figures}
    assert got["dataset_reuse_count"].value == 1.0  # P-TWO, once; P-TEST uses its own
    assert [(g.group, g.value) for g in got["reusing_projects"].breakdown] == [("P-TWO", 1.0)]
    mine = {f.metric: f.value for f in measure(team, project="P-TEST", **window).figures}
    assert mine["dataset_reuse_count"] is None


def test_the_scorecard_compares_two_periods_of_records(team: Workspace) -> None:
    from dataflywheel.flows.metrics import compare

    issue = issues.open_issue(team, title="dup source", severity="P2", source="manual",
                              project_id="P-TEST", now=MON)
    issues.acknowledge(team, issue.id, now=MON + H)
    issues.resolve(team, issue.id, resolution="deduplicated", root_cause="a mirrored source",
                   now=MON + 10 * H)
    week = timedelta(days=7)
    card = compare(team, before=(MON - week, MON), after=(MON, MON + week))
    row = {r.metric: r for r in card.rows}["root_cause_localization_hours"]
    assert (row.before.value, row.after.value, row.change) == (None, 10.0, None)
    with pytest.raises(BadInput, match="the period after is empty"):
        compare(team, before=(MON - week, MON), after=(MON, MON))


def _breaking_proposal(ws: Workspace, tmp_path: Path, **when: object) -> str:
    """cleaned-raw-pool registered for P-TEST at MON, then 2.0.0 (a removed field: breaking)
    proposed at MON through the contract flow, which sends its notices; the version id."""
    from contract_helpers import custom, dump, example_doc, example_path

    from dataflywheel.flows.contracts import lifecycle as contracts

    contracts.import_contract(ws, example_path("cleaned-raw-pool"), by="data-owner",
                              project_id="P-TEST", now=MON)
    doc = example_doc("cleaned-raw-pool")
    doc["version"] = "2.0.0"
    doc["schema"][0]["properties"] = [p for p in doc["schema"][0]["properties"]
                                      if p["name"] != "source"]
    custom(doc["customProperties"], "flywheelChange").update(
        {"changeClass": "breaking", "reason": "source moves to the manifest",
         "compatibilityPeriodDays": 30, "migrationNote": "read the source from the manifest"})
    path = tmp_path / "proposal.odcs.yaml"
    path.write_text(dump(doc), encoding="utf-8")
    return contracts.propose_version(ws, path, by="data-engineer", now=MON,
                                     **when).version.id  # type: ignore[arg-type]


@pytest.mark.parametrize("when, effect, expected", [
    ({}, MON + timedelta(days=14), 1.0),  # the contract's 14 days of notice
    ({"effective_from": MON + timedelta(days=3), "short_notice_reason": "legal takedown"},
     MON + timedelta(days=3), 0.0),
])
def test_the_advance_notice_rate_reads_the_contract_flows_versions_and_notices(
    team: Workspace, tmp_path: Path, when: dict[str, object], effect: datetime, expected: float,
) -> None:
    version = _breaking_proposal(team, tmp_path, **when)
    week = {"since": effect - timedelta(days=1), "until": effect + timedelta(days=6)}
    got = {f.metric: f for f in measure(team, by="contract", **week).figures}
    rate = got["advance_notice_rate"]
    assert (rate.value, rate.samples) == (expected, 1)
    assert [(g.group, g.value) for g in rate.breakdown] == [("cleaned-raw-pool", expected)]
    assert rate.examples == {"failing": [version] if expected == 0.0 else []}
    proposed_only = measure(team, since=MON, until=MON + timedelta(days=1)).figures
    assert {f.metric: f.value for f in proposed_only}["advance_notice_rate"] is None  # not yet
    from dataflywheel.domain.records.project import Project
    from dataflywheel.flows.demand.projects import add_project

    add_project(team, Project(id="P-TWO", name="Second", owner_id="data-owner"))
    theirs = {f.metric: f.value for f in measure(team, project="P-TWO", **week).figures}
    assert theirs["advance_notice_rate"] is None  # the contract is P-TEST's


def test_consultations_answered_and_left_open_through_the_raci_flow(team: Workspace) -> None:
    from dataflywheel.domain.records.raci import ConsultState
    from dataflywheel.flows.governance import consultations
    from dataflywheel.flows.workspace import acting_as

    asked = consultations.request(team, "training_set_version_release",
                                  record_kind="dataset_version", record_id="V-X",
                                  due_at=MON + 24 * H, now=MON)
    who = {c.person_id: c.id for c in asked}  # Table 24-7: C = DE, AE, QE, Legal
    assert len(who) == 4
    consultations.answer(acting_as(team, "data-engineer"), who["data-engineer"],
                         response="schema checked", now=MON + 3 * H)
    consultations.answer(acting_as(team, "quality-evaluator"), who["quality-evaluator"],
                         response="sample read", now=MON + 5 * H)
    got = {f.metric: f for f in measure(team, since=MON, until=MON + timedelta(days=7),
                                        by="raci_item").figures}
    hours = got["consultation_response_hours"]
    assert (hours.value, hours.samples) == (4.0, 2)  # 3 h and 5 h
    answered = got["consultation_answer_rate"]  # the deadline passed: two of four answered
    assert (answered.value, answered.samples) == (0.5, 4)
    assert answered.examples == {"failing": sorted([who["annotation-engineer"],
                                                    who["legal-compliance"]])}
    assert [(g.group, g.value) for g in answered.breakdown] == [
        ("training_set_version_release", 0.5)]
    with team.db.session() as s:  # a read: the open requests are not recorded unanswered
        from dataflywheel.store.repositories.people import Consultations

        assert Consultations(s).get(who["legal-compliance"]).state is ConsultState.REQUESTED
    mine = {f.metric: f.value for f in measure(team, project="P-TEST", since=MON,
                                               until=MON + timedelta(days=7)).figures}
    assert mine["consultation_answer_rate"] is None  # consultations belong to no project


def test_model_outcomes_and_reuse_read_the_experiment_pool(team: Workspace,
                                                           tmp_path: Path) -> None:
    from datapool_helpers import frozen_version

    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.data import Dataset, DatasetVersion
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.states import VersionState
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.experiments.runs import ExperimentCreate, log_experiment
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    pooled = frozen_version(team, tmp_path)  # P-TEST's raw-pool: one batch of 20 records
    add_project(team, Project(id="P-TWO", name="Second", owner_id="data-owner"))
    now = utcnow()
    with team.db.unit_of_work() as s:  # as the experiment tests' `lab` fixture writes a version
        Datasets(s).add(Dataset(id="gsm", name="gsm", project_id="P-TEST", owner_id="data-owner"))
        DatasetVersions(s).add(DatasetVersion(
            id="gsm-v1", dataset_id="gsm", number=1, state=VersionState.FROZEN,
            manifest_sha256="1" * 64, frozen_at=now - 9 * H, created_by_id="data-engineer"))

    def run(model: str, accuracy: float, versions: list[str], baseline: str | None = None,
            **params: object) -> str:
        return log_experiment(team, ExperimentCreate(
            title="probe", kind="exploratory", model_version=model, project_id="P-TWO",
            baseline_experiment_id=baseline, params={"lr": 1e-5, **params},
            metrics={"accuracy": accuracy, "loss": 1.0},
            versions=[{"version_id": v} for v in versions], started_at=now - 3 * H,
            ended_at=now - 2 * H), now=now - 2 * H).experiment.id

    base = run("m1", 0.50, [pooled], key_metric="accuracy")
    data_only = run("m1", 0.60, [pooled, "gsm-v1"], base)   # +20 %: only the data changed
    new_model = run("m2", 0.55, [pooled], base)             # +10 %: the model changed
    window = {"since": now - timedelta(days=1), "until": now + timedelta(days=1)}
    got = {f.metric: f for f in measure(team, by="project", **window).figures}
    key = got["key_evaluation_improvement"]
    assert (key.value, key.samples) == (0.15, 2)
    assert key.examples == {"lowest": [new_model, data_only], "highest": [data_only, new_model]}
    gain = got["data_gain_contribution"]
    assert (gain.value, gain.samples, gain.examples["highest"]) == (0.2, 1, [data_only])
    avoided = got["duplicate_collection_avoided"]  # P-TWO reused raw-pool (20) and gsm-v1 (0)
    assert (avoided.value, avoided.samples) == (20.0, 2)
    assert [(g.group, g.value) for g in avoided.breakdown] == [("P-TWO", 20.0)]
    theirs = {f.metric: f.value for f in measure(team, project="P-TEST", **window).figures}
    assert theirs["duplicate_collection_avoided"] is None  # P-TEST reused nobody's data


def test_weekly_is_measure_week_by_week_oldest_first(team: Workspace) -> None:
    from dataflywheel.errors import NotFound
    from dataflywheel.flows.metrics import weekly

    rid = _requirement(team, MON - 20 * 24 * H)
    commit_week(team, [rid], week="2026-W45", now=MON - 19 * 24 * H)
    start(team, rid, now=MON - 18 * 24 * H)
    weeks = weekly(team, weeks=3, until=MON, project="P-TEST")
    assert [(w.since, w.until) for w in weeks] == [
        (MON - 21 * 24 * H, MON - 14 * 24 * H), (MON - 14 * 24 * H, MON - 7 * 24 * H),
        (MON - 7 * 24 * H, MON)]
    for w in weeks:
        alone = measure(team, since=w.since, until=w.until, project="P-TEST")
        assert [(f.metric, f.value, f.samples) for f in w.figures] == \
               [(f.metric, f.value, f.samples) for f in alone.figures]
    for bad in (0, 53):
        with pytest.raises(BadInput, match="weeks out of range") as info:
            weekly(team, weeks=bad)
        assert info.value.field == "weeks"
    with pytest.raises(NotFound, match="P-NOPE"):
        weekly(team, weeks=2, project="P-NOPE")
