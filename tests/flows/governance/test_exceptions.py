"""Exceptions (Table 24-9): required records, the approvers each type needs, expiry that revokes
itself, and coverage as the freeze gate asks it; bad input stores nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from gov_helpers import T0, Pool

from dataflywheel.domain.records.governance import ExceptionType
from dataflywheel.domain.states import ExceptionState
from dataflywheel.errors import BadInput, IllegalTransition, NotFound, PolicyViolation
from dataflywheel.flows.governance import exceptions as ex
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.governance import ExceptionCovers, Exceptions


def _req(type_: str = "time", **changes: object) -> ex.ExceptionRequest:
    base = ex.ExceptionRequest(
        type=type_, scope="batch B-bad of raw-pool", reason="vendor fix lands next week",
        usage_restriction="exploration only, no formal training", isolation_label="quarantine/B-bad",
        outstanding_checks=["duplicates", "blanks"], expires_at=T0 + timedelta(days=3),
        batch_ids=["B-bad"], project_id="P-TEST")
    if type_ == "compliance":  # Table 24-9: source description, risk level, access list
        base = replace(base, source_description="vendor crawl, licence under review",
                       risk_level="medium", access_list=["algorithm-engineer"])
    return replace(base, **changes)  # type: ignore[arg-type]


def _count(ws: Workspace) -> tuple[int, int]:
    with ws.db.session() as s:
        return len(Exceptions(s).list()), len(ExceptionCovers(s).list())


def _audits(ws: Workspace, action: str) -> int:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        stmt = select(func.count()).select_from(AuditEntryRow).where(AuditEntryRow.action == action)
        return s.scalar(stmt) or 0


def _covered(ws: Workspace, kind: str, rid: str, at: object) -> str | None:
    with ws.db.unit_of_work() as s:
        found = ex.active_exception_covering(s, kind, rid, at)  # type: ignore[arg-type]
        return None if found is None else found.id


def test_time_exception_covers_until_it_expires_then_blocks_again(pool: Pool) -> None:
    ws = pool.ws
    record = ex.request(ws, _req(), requested_by="data-engineer", now=T0)
    assert record.state is ExceptionState.REQUESTED and record.id == "EXC-0001"
    assert _covered(ws, "batch", "B-bad", T0 + timedelta(hours=1)) is None
    view = ex.approve(ws, record.id, approver="data-owner", now=T0 + timedelta(hours=1))
    assert view.exception.state is ExceptionState.APPROVED and view.open_slots == []
    assert _covered(ws, "batch", "B-bad", T0 + timedelta(days=1)) == record.id
    assert _covered(ws, "batch", "B-ok", T0 + timedelta(days=1)) is None
    # at expiry (exclusive) the exception revokes itself, lazily, audited once
    assert _covered(ws, "batch", "B-bad", T0 + timedelta(days=3)) is None
    shown = ex.show(ws, record.id, now=T0 + timedelta(days=4)).exception
    assert shown.state is ExceptionState.EXPIRED and shown.ended_at == record.expires_at
    assert _audits(ws, "exception.expire") == 1
    assert ex.sweep_expired(ws, T0 + timedelta(days=5)) == []


def test_sweep_expires_every_due_exception_and_tells_the_requester(pool: Pool) -> None:
    from dataflywheel.flows.notifications import inbox

    ws = pool.ws
    a = ex.request(ws, _req(), requested_by="data-engineer", now=T0)
    b = ex.request(ws, _req(expires_at=T0 + timedelta(days=9)), requested_by="data-engineer",
                   now=T0)
    for rec in (a, b):
        ex.approve(ws, rec.id, approver="platform-engineer", now=T0)
    assert ex.sweep_expired(ws, T0 + timedelta(days=3)) == [a.id]
    assert [e.id for e in ex.list_exceptions(ws, state="approved", now=T0)] == [b.id]
    kinds = [n.kind for n in inbox(ws, "data-engineer")]
    assert kinds.count("exception.approved") == 2 and kinds.count("exception.expired") == 1


def test_quality_exception_needs_data_owner_and_algorithm_lead(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req("quality"), requested_by="data-engineer", now=T0)
    first = ex.approve(ws, rec.id, approver="algorithm-engineer", now=T0)
    assert first.exception.state is ExceptionState.REQUESTED
    assert first.open_slots == ["Data Owner"]
    with pytest.raises(PolicyViolation) as err:
        ex.approve(ws, rec.id, approver="quality-evaluator", now=T0)
    assert str(err.value) == (
        "quality-evaluator may not approve quality exception EXC-0001; expected a person "
        "holding: Data Owner in project P-TEST; got 'quality-evaluator'. Kept: EXC-0001 is "
        "still requested. Next: flywheel exceptions show EXC-0001")
    done = ex.approve(ws, rec.id, approver="data-owner", now=T0)
    assert done.exception.state is ExceptionState.APPROVED
    assert sorted(a.role.value for a in done.approvals) == ["algorithm_engineer", "data_owner"]
    with ws.db.unit_of_work() as s:
        kinds = ex.covering_exception_kinds(s, pool.candidate, T0 + timedelta(hours=2))
    assert kinds == {ExceptionType.QUALITY}


@pytest.mark.parametrize(("type_", "wrong", "right"), [
    ("time", "algorithm-engineer", ["platform-engineer"]),
    ("format", "data-owner", ["data-engineer"]),
    ("compliance", "data-engineer", ["legal-compliance", "data-owner"]),
])
def test_each_type_refuses_the_wrong_role_and_accepts_the_right_ones(
        pool: Pool, type_: str, wrong: str, right: list[str]) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req(type_), requested_by="annotation-engineer", now=T0)
    with pytest.raises(PolicyViolation, match=f"{wrong} may not approve {type_} exception"):
        ex.approve(ws, rec.id, approver=wrong, now=T0)
    for person in right:
        view = ex.approve(ws, rec.id, approver=person, now=T0)
    assert view.exception.state is ExceptionState.APPROVED
    assert _audits(ws, "exception_approval.add") == len(right)


def test_configured_on_call_person_may_approve_a_time_exception(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req(), requested_by="data-engineer", now=T0)
    with pytest.raises(PolicyViolation):
        ex.approve(ws, rec.id, approver="quality-evaluator", now=T0)
    view = ex.approve(ws, rec.id, approver="quality-evaluator", on_call="quality-evaluator",
                      now=T0)
    assert view.exception.state is ExceptionState.APPROVED
    assert view.approvals[0].role.value == "platform_engineer"
    assert view.approvals[0].note == "as the configured on-call person"


def test_one_person_decides_once_and_decided_exceptions_stay_decided(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req("quality"), requested_by="data-engineer", now=T0)
    ex.approve(ws, rec.id, approver="data-owner", now=T0)
    with pytest.raises(PolicyViolation, match="data-owner has already decided on exception"):
        ex.approve(ws, rec.id, approver="data-owner", now=T0)
    rejected = ex.reject(ws, rec.id, approver="algorithm-engineer", reason="too broad", now=T0)
    assert rejected.exception.state is ExceptionState.REJECTED
    with pytest.raises(IllegalTransition, match="cannot move from 'rejected' to 'approved'"):
        ex.approve(ws, rec.id, approver="legal-compliance", now=T0)
    assert _covered(ws, "batch", "B-bad", T0) is None


def test_a_request_past_its_expiry_cannot_be_approved(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req(), requested_by="data-engineer", now=T0)
    with pytest.raises(PolicyViolation) as err:
        ex.approve(ws, rec.id, approver="data-owner", now=T0 + timedelta(days=3))
    assert "expired at 2026-11-23T09:00:00+00:00 before it was decided" in str(err.value)
    assert ex.show(ws, rec.id, now=T0).exception.state is ExceptionState.REQUESTED


def test_dataset_cover_covers_its_batches_and_versions(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req("format", batch_ids=[], dataset_ids=["raw-pool"]),
                     requested_by="data-engineer", now=T0)
    with pytest.raises(PolicyViolation, match="data-engineer requested exception EXC-0001 and "
                       "may not decide it"):
        ex.approve(ws, rec.id, approver="data-engineer", now=T0)
    from dataflywheel.domain.records.people import Person
    from dataflywheel.domain.roles import Role
    from dataflywheel.flows.governance.people import add_person

    add_person(ws, Person(id="de-lead", name="DE lead"), roles=[Role.DATA_ENGINEER])
    ex.approve(ws, rec.id, approver="de-lead", now=T0)
    at = T0 + timedelta(hours=1)
    assert _covered(ws, "batch", "B-ok", at) == rec.id
    assert _covered(ws, "version", pool.candidate, at) == rec.id
    assert _covered(ws, "dataset", "raw-pool", at) == rec.id


BAD_REQUESTS: list[tuple[dict[str, object], str]] = [
    ({"scope": "  "}, ("a time exception needs its scope; field 'scope'; expected a non-empty "
     "statement. Kept: nothing was stored. Next: --scope TEXT")),
    ({"reason": ""}, "a time exception needs its reason; field 'reason'"),
    ({"usage_restriction": ""}, "a time exception needs its usage restriction"),
    ({"isolation_label": ""}, "a time exception needs its isolation label"),
    ({"outstanding_checks": []}, ("a time exception needs its outstanding checks; field "
     "'outstanding_checks'; expected at least one named check still to be done. Kept: nothing "
     "was stored. Next: --outstanding CHECK (repeatable)")),
    ({"expires_at": T0 - timedelta(seconds=1)}, ("the expiry is not in the future; field "
     "'expires_at'; expected a time after 2026-11-20T09:00:00+00:00; got "
     "'2026-11-20T08:59:59+00:00'. Kept: nothing was stored")),
    ({"type": "mood"}, ("unknown exception type 'mood'; field 'type'; expected one of time, "
     "quality, format, compliance. Kept: nothing was stored")),
    ({"batch_ids": []}, "an exception must cover at least one batch, version or dataset"),
    ({"expires_at": T0.replace(tzinfo=None) + timedelta(days=1)}, (
        "the expiry needs a time zone; field 'expires_at'; expected an aware time such as "
        "2026-12-01T18:00:00+00:00; got '2026-11-21T09:00:00'. Kept: nothing was stored")),
]


def test_bad_requests_store_nothing(pool: Pool) -> None:
    # one workspace for every case (setup dominates the cost); each case must write nothing
    for changes, message in BAD_REQUESTS:
        with pytest.raises(BadInput) as err:
            ex.request(pool.ws, _req(**changes), requested_by="data-engineer", now=T0)
        assert str(err.value).startswith(message), (changes, str(err.value))
        assert _count(pool.ws) == (0, 0)


def test_unknown_targets_and_people_store_nothing(pool: Pool) -> None:
    with pytest.raises(NotFound, match="batch B-nope does not exist; field 'batch'. Kept: "
                       "nothing was stored"):
        ex.request(pool.ws, _req(batch_ids=["B-bad", "B-nope"]), requested_by="data-engineer",
                   now=T0)
    with pytest.raises(NotFound, match="person ghost does not exist"):
        ex.request(pool.ws, _req(), requested_by="ghost", now=T0)
    assert _count(pool.ws) == (0, 0)


def test_coverage_refuses_an_unknown_record_kind(pool: Pool) -> None:
    with pytest.raises(BadInput, match="unknown record kind 'issue' for exception coverage"):
        _covered(pool.ws, "issue", "ISS-0001", T0)


def test_revoke_ends_coverage_early_by_an_approver_only(pool: Pool) -> None:
    ws = pool.ws
    rec = ex.request(ws, _req("format"), requested_by="annotation-engineer", now=T0)
    ex.approve(ws, rec.id, approver="data-engineer", now=T0)
    at = T0 + timedelta(hours=2)
    assert _covered(ws, "batch", "B-bad", at) == rec.id
    with pytest.raises(PolicyViolation, match="algorithm-engineer may not revoke format exception"):
        ex.revoke(ws, rec.id, by="algorithm-engineer", reason="no", now=at)
    with pytest.raises(BadInput, match="a revocation needs a reason"):
        ex.revoke(ws, rec.id, by="data-engineer", reason=" ", now=at)
    done = ex.revoke(ws, rec.id, by="data-engineer", reason="vendor fixed it", now=at)
    assert done.state is ExceptionState.REVOKED and done.end_reason == "vendor fixed it"
    assert _covered(ws, "batch", "B-bad", at) is None
    assert _audits(ws, "exception.revoke") == 1
    with pytest.raises(IllegalTransition, match="cannot move from 'revoked' to 'revoked'"):
        ex.revoke(ws, rec.id, by="data-engineer", reason="again", now=at)
