"""The Monday requirement sync from records built through the flows: the week's commitment list
in priority order with owners (carried-over work marked), what is returned with what it lacks,
the latest conclusions, the deviations; Markdown pinned; the same records give the same bytes in
every format; a bad week or format is refused (exit 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.errors import BadInput
from dataflywheel.flows.cadence import monday_report
from dataflywheel.flows.demand.lifecycle import commit_week, start, triage
from dataflywheel.flows.demand.requirements import submit_requirement
from dataflywheel.flows.workspace import Workspace
from dataflywheel.reports.render import render

MON = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # the sync of 2026-W48
DAY = timedelta(days=1)


def _submit(ws: Workspace, title: str, at: datetime, priority: str = "P1",
            **fields: object) -> str:
    complete: dict[str, object] = dict(acceptance_criteria="500 items", target_metric="+3pt",
                                       accountable_id="data-owner", deadline=at + 9 * DAY,
                                       responsible_id="data-engineer")
    return submit_requirement(ws, title=title, project_id="P-TEST",
                              requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                              priority=Priority(priority), now=at,
                              **{**complete, **fields}).id  # type: ignore[arg-type]


def _conclude(ws: Workspace, at: datetime) -> str:
    from dataflywheel.domain.records.data import Dataset, DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.flows.experiments.runs import ExperimentCreate, log_experiment
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    with ws.db.unit_of_work() as s:  # as the experiment tests' `lab` fixture writes a version
        Datasets(s).add(Dataset(id="gsm", name="gsm", project_id="P-TEST", owner_id="data-owner"))
        DatasetVersions(s).add(DatasetVersion(
            id="gsm-v1", dataset_id="gsm", number=1, state=VersionState.FROZEN,
            manifest_sha256="1" * 64, frozen_at=at - 9 * DAY, created_by_id="data-engineer"))
    return log_experiment(ws, ExperimentCreate(
        title="more geometry helps", kind="exploratory", model_version="sft-7b",
        versions=[{"version_id": "gsm-v1"}], project_id="P-TEST", owner_id="algorithm-engineer",
        conclusion="geometry items lift the eval by 2 points", started_at=at - DAY,
        ended_at=at), now=at).experiment.id


@pytest.fixture
def week48(team: Workspace) -> dict[str, str]:
    ids = {"candidate": _submit(team, "Geometry items", MON - 3 * DAY, "P0"),
           "carried": _submit(team, "Algebra cleanup", MON - 10 * DAY),
           "returned": _submit(team, "Vague ask", MON - 2 * DAY, deadline=None),
           "impromptu": _submit(team, "Raised at the meeting", MON, "P2", responsible_id=None)}
    triage(team, ids["candidate"], approver="data-owner", now=MON - DAY)
    triage(team, ids["carried"], now=MON - 9 * DAY)
    triage(team, ids["returned"], now=MON - DAY)
    commit_week(team, [ids["carried"]], week="2026-W47", now=MON - 8 * DAY)
    start(team, ids["carried"], now=MON - 7 * DAY)
    triage(team, ids["impromptu"], now=MON)
    commit_week(team, [ids["impromptu"]], week="2026-W48", now=MON)
    ids["experiment"] = _conclude(team, MON - 2 * DAY)
    return ids


def test_the_week_is_made_from_the_records(team: Workspace, week48: dict[str, str]) -> None:
    report = monday_report(team, week="2026-W48")
    assert [(c.id, c.carried_over) for c in report.commitments] == [
        (week48["candidate"], False), (week48["carried"], True), (week48["impromptu"], False)]
    assert [(t.id, t.lacks) for t in report.to_triage] == [(week48["returned"], ["deadline"])]
    assert [e.id for e in report.conclusions] == [week48["experiment"]]
    assert [(d.kind, d.record_id) for d in report.deviations] == [
        ("impromptu", week48["impromptu"]), ("no_owner", week48["impromptu"])]
    markdown = render(report, "markdown")
    c, k, r, i = (week48[n] for n in ("candidate", "carried", "returned", "impromptu"))
    assert markdown == f"""# Monday requirement sync — 2026-W48

Monday 2026-11-23. Inputs: the Demand Pool's candidates, last week's unfinished commitments, the experiments concluded in the seven days before the sync (records digest `{report.inputs_sha256[:16]}`).

## The week's commitment list (3)

| # | requirement | priority | kind | state | deadline | Responsible | Accountable | title |
|---|---|---|---|---|---|---|---|---|
| 1 | {c} | P0 | new_data | triaged | 2026-11-29 09:30 | data-engineer | data-owner | Geometry items |
| 2 | {k} | P1 | new_data | in_progress (carried over) | 2026-11-22 09:30 | data-engineer | data-owner | Algebra cleanup |
| 3 | {i} | P2 | new_data | committed | 2026-12-02 09:30 | — | data-owner | Raised at the meeting |

## Returned or waiting for triage (1)

- {r} (P1, returned) Vague ask: lacks deadline; returned: incomplete: no deadline

## Latest algorithm-side conclusions (1)

- {week48["experiment"]} more geometry helps (ended 2026-11-21): geometry items lift the eval by 2 points

## Deviations (2)

- impromptu: {i} — created on the sync day (2026-11-23) and committed to 2026-W48 without a Demand Pool entry before the meeting
- no_owner: {i} — no Responsible person: who does it is not clear
"""


def test_the_same_records_give_the_same_bytes_in_every_format(
        team: Workspace, week48: dict[str, str]) -> None:
    for fmt in ("markdown", "html", "json"):
        first = render(monday_report(team, week="2026-W48"), fmt)  # type: ignore[arg-type]
        assert render(monday_report(team, week="2026-W48"), fmt) == first  # type: ignore[arg-type]
    html = render(monday_report(team, week="2026-W48"), "html")
    assert 'id="commitments"' in html and week48["candidate"] in html


def test_a_later_week_has_other_inputs(team: Workspace, week48: dict[str, str]) -> None:
    later = monday_report(team, week="2026-W49")
    assert all(c.carried_over for c in later.commitments if c.state != "triaged")
    assert later.conclusions == []  # concluded two days before W48's sync, not W49's
    assert [(d.kind, d.record_id) for d in later.deviations] == [  # still nobody on it
        ("no_owner", week48["impromptu"])]


def test_bad_input_is_refused(team: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput, match="not an ISO week"):
        monday_report(team, week="2026-48")
    for args, expected in ((("--week", "2026-W60"), "not an ISO week"),
                           (("--format", "pdf"), "unknown report format")):
        result = cli("report", "monday", *args)
        assert result.code == 2, result.err
        assert expected in result.err
    unknown = cli("report", "monday", "--project", "P-NONE")
    assert unknown.code != 0 and "P-NONE" in unknown.err
    written = cli("report", "monday", "--week", "2026-W48", "--format", "json", "--out",
                  str(team.settings.home / "monday.json"))
    assert written.code == 0, written.err
    assert '"week": "2026-W48"' in (team.settings.home / "monday.json").read_text()


def test_send_stores_the_report_and_tells_the_tables_participants_once(
        team: Workspace, week48: dict[str, str], cli) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.cadence import send
    from dataflywheel.flows.notifications import inbox

    report = monday_report(team, week="2026-W48")
    sent = send(team, "monday", report)
    assert sent.recipients == ["algorithm-engineer", "data-owner"]  # Owner + Algorithm
    with team.blobs.open(sent.sha256) as fh:
        assert fh.read().decode("utf-8") == render(report, "markdown")
    notices = [n for n in inbox(team) if n.kind == "report"]
    assert sorted(n.to_person_id for n in notices) == sent.recipients
    assert notices[0].subject == "Monday requirement sync — 2026-W48"
    again = send(team, "monday", monday_report(team, week="2026-W48"))
    assert (again.already_sent, again.recipients, again.sha256) == (True, [], sent.sha256)
    assert len([n for n in inbox(team) if n.kind == "report"]) == 2
    shown = cli("report", "wednesday", "--week", "2026-W48", "--send", "--format", "json")
    assert shown.code == 0 and shown.out.startswith("{")  # the status goes to stderr
    assert "sent to" in shown.err and "quality-evaluator" in shown.err


@pytest.mark.parametrize("args, expected", [
    (("monday", "--week", "0001-W01"), "not an ISO week"),
    (("wednesday", "--week", "9999-W52"), "not an ISO week"),
    (("monthly", "--month", "0001-01"), "not a month"),
    (("quarterly", "--quarter", "0001-Q1"), "not a quarter"),
])
def test_periods_at_the_calendars_ends_are_refused(team: Workspace, cli, args: tuple[str, ...],  # type: ignore[no-untyped-def]
                                                   expected: str) -> None:
    result = cli("report", *args)
    assert result.code == 2 and expected in result.err, result.err
