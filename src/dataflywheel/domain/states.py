"""Every lifecycle in one place: a `StrEnum` per record kind and one `TRANSITIONS` table.

A flow asks `move(record, current, target)` before it writes; an illegal move raises
`IllegalTransition` naming the record, both states and the moves that were allowed. Storage never
decides a state change on its own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from dataflywheel.errors import IllegalTransition


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    PAUSED = "paused"
    DONE = "done"
    RETIRED = "retired"


class RequirementState(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    TRIAGED = "triaged"
    COMMITTED = "committed"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class BatchState(StrEnum):
    RECEIVED = "received"
    CHECKING = "checking"
    AWAITING_REVIEW = "awaiting_review"  # only gates that need people's reviews are unmet
    PASSED = "passed"
    FAILED = "failed"


class VersionState(StrEnum):
    CANDIDATE = "candidate"
    FROZEN = "frozen"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"
    ABANDONED = "abandoned"


class ContractVersionState(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DEPRECATED = "deprecated"
    RETIRED = "retired"
    REJECTED = "rejected"


class ExperimentState(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class IssueState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    CLOSED = "closed"


class PostMortemState(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


class FeedbackState(StrEnum):
    RECEIVED = "received"
    REJECTED = "rejected"
    TRIAGE = "triage"
    ROUTED = "routed"
    THEMED = "themed"


class ThemeState(StrEnum):
    OPEN = "open"
    PROMOTED = "promoted"
    QUEUED = "queued"
    DECLINED = "declined"
    ABSORBED = "absorbed"


class ExceptionState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"


class GrantState(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DENIED = "denied"
    EXPIRED = "expired"
    REVOKED = "revoked"


class TokenState(StrEnum):
    """A personal API token: usable while active; it ends once, by expiry or revocation."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class MilestoneState(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SLIPPED = "slipped"


class StageState(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"


_P, _R, _B, _V = ProjectStatus, RequirementState, BatchState, VersionState
_C, _E, _I, _M = ContractVersionState, ExperimentState, IssueState, PostMortemState
_F, _T, _X, _G = FeedbackState, ThemeState, ExceptionState, GrantState
_MS, _S, _TK = MilestoneState, StageState, TokenState

TRANSITIONS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    ProjectStatus: {
        _P.PLANNED: frozenset({_P.ACTIVE, _P.RETIRED}),
        _P.ACTIVE: frozenset({_P.PAUSED, _P.DONE, _P.RETIRED}),
        _P.PAUSED: frozenset({_P.ACTIVE, _P.RETIRED}),
        _P.DONE: frozenset({_P.RETIRED}),
        _P.RETIRED: frozenset(),
    },
    RequirementState: {
        _R.SUBMITTED: frozenset({_R.RETURNED, _R.TRIAGED, _R.WITHDRAWN}),
        _R.RETURNED: frozenset({_R.SUBMITTED, _R.WITHDRAWN}),
        _R.TRIAGED: frozenset({_R.COMMITTED, _R.RETURNED, _R.WITHDRAWN}),
        _R.COMMITTED: frozenset({_R.IN_PROGRESS, _R.WITHDRAWN}),
        _R.IN_PROGRESS: frozenset({_R.DELIVERED, _R.WITHDRAWN}),
        _R.DELIVERED: frozenset({_R.ACCEPTED, _R.REJECTED}),
        _R.REJECTED: frozenset({_R.IN_PROGRESS, _R.WITHDRAWN}),
        _R.ACCEPTED: frozenset(),
        _R.WITHDRAWN: frozenset(),
    },
    BatchState: {
        _B.RECEIVED: frozenset({_B.CHECKING, _B.FAILED}),
        _B.CHECKING: frozenset({_B.PASSED, _B.FAILED, _B.AWAITING_REVIEW}),
        _B.AWAITING_REVIEW: frozenset({_B.PASSED, _B.FAILED}),
        _B.PASSED: frozenset(),
        _B.FAILED: frozenset(),
    },
    VersionState: {
        _V.CANDIDATE: frozenset({_V.FROZEN, _V.ABANDONED}),
        _V.FROZEN: frozenset({_V.ARCHIVED, _V.WITHDRAWN}),
        _V.ARCHIVED: frozenset(),
        _V.WITHDRAWN: frozenset({_V.ARCHIVED}),
        _V.ABANDONED: frozenset(),
    },
    ContractVersionState: {
        _C.PROPOSED: frozenset({_C.ACTIVE, _C.REJECTED}),
        _C.ACTIVE: frozenset({_C.DEPRECATED}),
        _C.DEPRECATED: frozenset({_C.RETIRED}),
        _C.RETIRED: frozenset(),
        _C.REJECTED: frozenset(),
    },
    ExperimentState: {
        _E.RUNNING: frozenset({_E.COMPLETED, _E.FAILED}),
        _E.COMPLETED: frozenset(),
        _E.FAILED: frozenset(),
    },
    IssueState: {
        _I.NEW: frozenset({_I.ACKNOWLEDGED, _I.ASSIGNED, _I.CLOSED}),
        _I.ACKNOWLEDGED: frozenset({_I.ASSIGNED, _I.RESOLVED}),
        _I.ASSIGNED: frozenset({_I.RESOLVED}),
        _I.RESOLVED: frozenset({_I.CLOSED, _I.ASSIGNED}),
        _I.CLOSED: frozenset({_I.ACKNOWLEDGED}),
    },
    PostMortemState: {
        _M.DRAFT: frozenset({_M.REVIEW}),
        _M.REVIEW: frozenset({_M.DRAFT, _M.PUBLISHED}),
        _M.PUBLISHED: frozenset(),
    },
    FeedbackState: {
        _F.RECEIVED: frozenset({_F.REJECTED, _F.TRIAGE, _F.ROUTED}),
        _F.TRIAGE: frozenset({_F.ROUTED, _F.REJECTED}),
        _F.ROUTED: frozenset({_F.THEMED, _F.TRIAGE}),
        _F.THEMED: frozenset(),
        _F.REJECTED: frozenset(),
    },
    ThemeState: {
        _T.OPEN: frozenset({_T.PROMOTED, _T.QUEUED, _T.DECLINED}),
        _T.QUEUED: frozenset({_T.PROMOTED, _T.DECLINED}),
        _T.PROMOTED: frozenset({_T.ABSORBED, _T.QUEUED}),
        _T.DECLINED: frozenset({_T.OPEN}),
        _T.ABSORBED: frozenset({_T.OPEN}),
    },
    ExceptionState: {
        _X.REQUESTED: frozenset({_X.APPROVED, _X.REJECTED, _X.WITHDRAWN}),
        _X.APPROVED: frozenset({_X.EXPIRED, _X.REVOKED}),
        _X.REJECTED: frozenset(),
        _X.EXPIRED: frozenset(),
        _X.REVOKED: frozenset(),
        _X.WITHDRAWN: frozenset(),
    },
    TokenState: {
        _TK.ACTIVE: frozenset({_TK.EXPIRED, _TK.REVOKED}),
        _TK.EXPIRED: frozenset(),
        _TK.REVOKED: frozenset(),
    },
    GrantState: {
        _G.REQUESTED: frozenset({_G.ACTIVE, _G.DENIED}),
        _G.ACTIVE: frozenset({_G.EXPIRED, _G.REVOKED}),
        _G.DENIED: frozenset(),
        _G.EXPIRED: frozenset(),
        _G.REVOKED: frozenset(),
    },
    MilestoneState: {
        _MS.PLANNED: frozenset({_MS.IN_PROGRESS, _MS.SLIPPED}),
        _MS.IN_PROGRESS: frozenset({_MS.DONE, _MS.SLIPPED}),
        _MS.SLIPPED: frozenset({_MS.IN_PROGRESS, _MS.DONE}),
        _MS.DONE: frozenset(),
    },
    StageState: {
        _S.PLANNED: frozenset({_S.ACTIVE}),
        _S.ACTIVE: frozenset({_S.DONE}),
        _S.DONE: frozenset(),
    },
}

S = TypeVar("S", bound=StrEnum)


def allowed(current: StrEnum) -> list[str]:
    """The states `current` may move to, in declaration order."""
    targets = TRANSITIONS[type(current)][current]
    return [s.value for s in type(current) if s in targets]


def move(record: str, current: S, target: S) -> S:
    """Return `target` if the move is legal for this record kind, else raise `IllegalTransition`."""
    if type(current) is not type(target):
        raise TypeError(f"{record}: {type(current).__name__} vs {type(target).__name__}")
    if target not in TRANSITIONS[type(current)][current]:
        raise IllegalTransition(record, current.value, target.value, allowed=allowed(current))
    return target
