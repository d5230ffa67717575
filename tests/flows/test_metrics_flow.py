"""`flows.metrics.measure` on a workspace built through the flows, on both backends: the moments
the flows record (commit, start, close) are the ones the metrics read, in the flows' clock; bad
input is refused naming what was expected, and nothing is written (a read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
    ({"by": "planet"}, "by", "guide_version, kind, priority, project"),
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
