"""Approver slots as a pure rule: order does not matter, outsiders never count, and an exception
is fully approved exactly when each slot has its own approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dataflywheel.domain.records.governance import (
    ApprovalDecision,
    ExceptionApproval,
    ExceptionRecord,
    ExceptionType,
)
from dataflywheel.domain.roles import Role
from dataflywheel.flows.governance.exception_approvers import APPROVER_SLOTS, ON_CALL, open_slots

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def _record(kind: ExceptionType) -> ExceptionRecord:
    return ExceptionRecord(id="EXC-0001", type=kind, scope="s", reason="r", usage_restriction="u",
                           isolation_label="i", outstanding_checks=["c"], requested_by_id="p",
                           requested_at=T0, expires_at=T0 + timedelta(days=1))


def _approval(n: int, role: Role, decision: ApprovalDecision = ApprovalDecision.APPROVED,
              ) -> ExceptionApproval:
    return ExceptionApproval(exception_id="EXC-0001", approver_id=f"p{n}", role=role,
                             decision=decision, decided_at=T0)


def _slot_roles(kind: ExceptionType) -> set[Role]:
    roles = {r for slot in APPROVER_SLOTS[kind] for r in slot if r != ON_CALL}
    on_call = any(ON_CALL in slot for slot in APPROVER_SLOTS[kind])
    return {Role(r) for r in roles} | ({Role.PLATFORM_ENGINEER} if on_call else set())


@given(kind=st.sampled_from(list(ExceptionType)),
       roles=st.lists(st.sampled_from(list(Role)), max_size=6), data=st.data())
def test_order_does_not_matter_and_outsiders_never_count(kind: ExceptionType, roles: list[Role],
                                                         data: st.DataObject) -> None:
    record = _record(kind)
    approvals = [_approval(i, r) for i, r in enumerate(roles)]
    shuffled = data.draw(st.permutations(approvals))
    assert len(open_slots(record, approvals)) == len(open_slots(record, shuffled))
    insiders = [a for a in approvals if a.role in _slot_roles(kind)]
    assert open_slots(record, approvals) == open_slots(record, insiders)
    rejected = [_approval(i, r, ApprovalDecision.REJECTED) for i, r in enumerate(roles)]
    assert len(open_slots(record, rejected)) == len(APPROVER_SLOTS[kind])


def test_each_type_is_approved_exactly_when_every_slot_has_its_own_approval() -> None:
    cases = {
        ExceptionType.TIME: [[Role.DATA_OWNER], [Role.PLATFORM_ENGINEER]],
        ExceptionType.QUALITY: [[Role.DATA_OWNER, Role.ALGORITHM_ENGINEER]],
        ExceptionType.FORMAT: [[Role.DATA_ENGINEER]],
        ExceptionType.COMPLIANCE: [[Role.LEGAL_COMPLIANCE, Role.DATA_OWNER]],
    }
    for kind, enough in cases.items():
        for roles in enough:
            approvals = [_approval(i, r) for i, r in enumerate(roles)]
            assert open_slots(_record(kind), approvals) == []
            assert open_slots(_record(kind), approvals[:-1]) != []
    two_owners = [_approval(0, Role.DATA_OWNER), _approval(1, Role.DATA_OWNER)]
    assert open_slots(_record(ExceptionType.QUALITY), two_owners) == [1]
