"""The two Table 24-30 questions answered from trends: this month's quality against the month
before with the changes the month recorded, and how new members fare with the onboarding guides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contract_fixtures import contract_text

from dataflywheel.flows.trace import Status, trace
from dataflywheel.flows.workspace import Workspace

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _answer(ws: Workspace, key: str):  # type: ignore[no-untyped-def]
    [answer] = trace(ws, now=NOW, only=key)
    return answer


def _batches(ws: Workspace, bad_now: int, *, vendor: str | None = None) -> None:
    from dataflywheel.domain.records.data import Batch, Dataset
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.domain.states import BatchState
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories import data

    text = contract_text("sft-instructions")
    cv = register_contract(ws, parse_odcs(text, source="x"), text, by="data-owner")
    req = submit_requirement(ws, title="t", project_id="P-TEST", requester_id="data-owner",
                             kind=RequirementKind.ANNOTATION, priority=Priority.P1)
    with ws.db.unit_of_work() as s:  # as tests/flows/issues/test_trace.py seeds its batches
        data.Datasets(s).add(Dataset(id="sft", name="sft", project_id="P-TEST",
                                     owner_id="data-owner"))
        for i, (at, bad, who) in enumerate([(NOW - 45 * DAY, 0, None),
                                            (NOW - 5 * DAY, bad_now, vendor)], start=1):
            data.Batches(s).add(Batch(
                id=f"B-{i}", dataset_id="sft", contract_version_id=cv.id, requirement_id=req.id,
                delivered_by_person_id=None if who else "annotation-engineer",
                delivered_by_vendor_id=who, state=BatchState.PASSED, report_sha256="a" * 64,
                row_count=100, nonconforming_count=bad, received_at=at, checked_at=at))


def test_a_fluctuation_is_told_with_the_months_process_changes(team: Workspace) -> None:
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.store.repositories.people import Vendors

    with team.db.unit_of_work() as s:
        Vendors(s).add(Vendor(id="v-new", name="New vendor"))
    _batches(team, 10, vendor="v-new")
    answer = _answer(team, "fluctuation")
    assert answer.status is Status.ANSWERED
    assert answer.answer == ("quality moved (anomaly_rate 0.0% → 10.0%; batch_pass_rate 100.0% "
                             "→ 100.0%); the month recorded process changes (0 data-structure, "
                             "1 process)")
    assert "process change: vendor v-new first delivered 2026-11-20" in answer.evidence


def test_a_fluctuation_without_any_change_recorded_is_a_gap(team: Workspace) -> None:
    _batches(team, 10)
    answer = _answer(team, "fluctuation")
    assert answer.status is Status.GAPS and "no change recorded in the month" in answer.answer


def test_a_steady_month_needs_no_explanation(team: Workspace) -> None:
    _batches(team, 1)
    answer = _answer(team, "fluctuation")
    assert (answer.status, answer.answer.split(" (")[0]) == (
        Status.ANSWERED, "no fluctuation to explain this month")


def test_onboarding_guides_and_new_members(team: Workspace) -> None:
    from dataflywheel.flows.issues.kb import add_document

    assert _answer(team, "onboarding").status is Status.NO_RECORDS  # the team joined after NOW
    add_document(team, kind="template", title="Dataset specification", body="…")
    assert _answer(team, "onboarding").status is Status.GAPS
    add_document(team, kind="onboarding", title="Your first week", body="Read the contracts.")
    later = trace(team, now=datetime.now(UTC) + timedelta(days=1), only="onboarding")[0]
    assert later.status is Status.ANSWERED
    assert later.answer.startswith("1 onboarding guide(s), 1 template(s); new members acted "
                                   "within a week")
