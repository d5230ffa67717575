"""Who may decide an exception (chapter Table 24-9): approver slots per type, filled by role.

Each type names slots; each slot is filled by one distinct person holding any of its roles where
the exception's project applies (a project-scoped holder replaces team-wide ones). "On-call" is
the platform engineer, or the person a caller names as on-call; an on-call decision is recorded in
the platform engineer role.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.raci import role_holders
from dataflywheel.domain.records.governance import (
    ApprovalDecision,
    ExceptionApproval,
    ExceptionRecord,
    ExceptionType,
)
from dataflywheel.domain.roles import ROLE_TITLES, Role
from dataflywheel.store.repositories.people import RoleHoldings

ON_CALL = "on_call"

# Each inner tuple is one approver slot: any one of its roles fills it.
APPROVER_SLOTS: dict[ExceptionType, tuple[tuple[str, ...], ...]] = {
    ExceptionType.TIME: ((Role.DATA_OWNER.value, ON_CALL),),
    ExceptionType.QUALITY: ((Role.DATA_OWNER.value,), (Role.ALGORITHM_ENGINEER.value,)),
    ExceptionType.FORMAT: ((Role.DATA_ENGINEER.value,),),
    ExceptionType.COMPLIANCE: ((Role.LEGAL_COMPLIANCE.value,), (Role.DATA_OWNER.value,)),
}


def slot_title(slot: tuple[str, ...]) -> str:
    names = ["on-call" if r == ON_CALL else ROLE_TITLES[Role(r)] for r in slot]
    return " or ".join(names)


def holders(s: Session, role: str, project_id: str | None, on_call: str | None) -> set[str]:
    holdings = RoleHoldings(s).list()
    if role == ON_CALL:
        found = role_holders(Role.PLATFORM_ENGINEER, project_id, holdings)
        return found | ({on_call} if on_call else set())
    return role_holders(Role(role), project_id, holdings)


def eligible(s: Session, record: ExceptionRecord, *, on_call: str | None) -> set[str]:
    people: set[str] = set()
    for slot in APPROVER_SLOTS[record.type]:
        for role in slot:
            people |= holders(s, role, record.project_id, on_call)
    return people


def open_slots(record: ExceptionRecord, approvals: Sequence[ExceptionApproval]) -> list[int]:
    approved = [a for a in approvals if a.decision is ApprovalDecision.APPROVED]
    filled: set[int] = set()
    for a in approved:
        for i, _slot in enumerate(APPROVER_SLOTS[record.type]):
            if i not in filled and fills(a, i, record):
                filled.add(i)
                break
    return [i for i in range(len(APPROVER_SLOTS[record.type])) if i not in filled]


def fills(approval: ExceptionApproval, slot: int, record: ExceptionRecord) -> bool:
    roles = APPROVER_SLOTS[record.type][slot]
    on_call = ON_CALL in roles and approval.role is Role.PLATFORM_ENGINEER
    return approval.role.value in roles or on_call


def slot_for(s: Session, record: ExceptionRecord, approver: str, open_slots: list[int],
              on_call: str | None) -> Role | None:
    """The role in which `approver` fills the first open slot they may (on-call: platform)."""
    for i in open_slots:
        for role in APPROVER_SLOTS[record.type][i]:
            if approver in holders(s, role, record.project_id, on_call):
                return Role.PLATFORM_ENGINEER if role == ON_CALL else Role(role)
    return None
