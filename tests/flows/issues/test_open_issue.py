"""Opening issues: Table 24-19 deadlines, links that must exist, bad input that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.issues.lifecycle import open_issue
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.tables.audit import AuditEntryRow
from dataflywheel.store.tables.issues import IssueLinkRow, IssueRow

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday


def _counts(ws: Workspace) -> tuple[int, int, int]:
    with ws.db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0  # type: ignore[return-value]
                     for t in (IssueRow, IssueLinkRow, AuditEntryRow))


def test_p1_gets_4h_and_48h_and_notifies_owner(team: Workspace) -> None:
    from dataflywheel.flows.notifications import inbox

    issue = open_issue(team, title="dup spike", severity="P1", source="quality_check",
                       project_id="P-TEST", owner_id="data-engineer", now=NOW)
    assert issue.id == "ISS-0001"
    assert issue.respond_by == NOW + timedelta(hours=4)
    assert issue.remediate_by == NOW + timedelta(hours=48)
    notes = inbox(team, "data-engineer")
    assert [n.record_id for n in notes] == ["ISS-0001"]


def test_open_inside_callers_transaction_rolls_back_with_it(team: Workspace) -> None:
    from dataflywheel.flows.issues.lifecycle import calendar_of, open_issue_in

    before = _counts(team)
    with pytest.raises(RuntimeError), team.db.unit_of_work() as s:
        open_issue_in(s, actor="tester", calendar=calendar_of(team), title="x",
                      severity="P2", source="experiment", project_id="P-TEST", now=NOW)
        raise RuntimeError("the caller fails after opening")
    assert _counts(team) == before


@pytest.mark.parametrize(("fields", "message"), [
    ({"severity": "P5"}, "unknown severity 'P5'; field 'severity'; expected one of P0, P1, P2, P3"),
    ({"source": "rumour"}, ("unknown discovery source 'rumour'; field 'source'; expected one of "
                           "quality_check, experiment, feedback, spot_check, platform, manual")),
    ({"links": [("batch", "B-404")]}, ("linked batch B-404 does not exist; field 'links'. "
                                      "Kept: no issue was opened")),
    ({"links": [("invoice", "X")]}, ("unknown linked record kind 'invoice'; field 'links'; expected "
                                    "one of batch, version, experiment, requirement, error_sample, "
                                    "feedback")),
    ({"remediate_by": NOW - timedelta(hours=1)},
     ("the remediation deadline is in the past; field 'remediate_by'; expected a time after "
     "2026-11-25T10:00:00+00:00; got '2026-11-25T09:00:00+00:00'. Kept: no issue was opened")),
    ({"project_id": "P-NONE"}, ("project P-NONE does not exist; field 'project'. Kept: no issue was "
                               "opened. Next: flywheel projects list")),
    ({"owner_id": "ghost"}, ("person ghost does not exist; field 'owner'. Kept: no issue was opened. "
                            "Next: flywheel people list")),
])
def test_bad_input_is_refused_and_nothing_written(team: Workspace, fields: dict[str, object],
                                                  message: str) -> None:
    base: dict[str, object] = {"title": "t", "severity": "P2", "source": "manual",
                               "project_id": "P-TEST", "now": NOW}
    before = _counts(team)
    with pytest.raises((BadInput, NotFound)) as err:
        open_issue(team, **{**base, **fields})
    assert str(err.value) == message
    assert _counts(team) == before
