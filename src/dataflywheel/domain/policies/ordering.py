"""The order in which the Demand Pool and the Issue Pool are listed to people.

The chapter's Demand Pool "sorts them by priority into an executable task list", and its Monday
sync works from that list (Tables 24-10, 24-11): most urgent tier first (P0 before P1 …), then the
nearest deadline (a record without one after those with one), then the oldest, then the id so that
equal records always come out in the same order. Issues follow the same rule with their severity
and their remediation deadline. One key for both pools, so the two lists never disagree on what
"most urgent" means.

A list read a page at a time sorts in the database, not here: `REQUIREMENT_ORDER` and
`ISSUE_ORDER` name the same key as stored fields (a missing deadline sorts last there: `NULLS
LAST`), and the store pages on them (`store.paging`). The tests hold the two spellings equal.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.records.issue import Issue

_LAST = datetime.max.replace(tzinfo=UTC)

PoolKey = tuple[str, bool, datetime, datetime, str]

REQUIREMENT_ORDER = ("priority", "deadline", "created_at", "id")
"""`requirement_order` as the stored fields a database sorts by (a NULL deadline last)."""
ISSUE_ORDER = ("severity", "remediate_by", "opened_at", "id")
"""`issue_order` as the stored fields a database sorts by (a NULL remediation deadline last)."""


def _key(tier: str, deadline: datetime | None, since: datetime, record_id: str) -> PoolKey:
    """(tier, no deadline?, deadline, age, id); the tiers `P0` < `P1` < … sort as strings."""
    return (tier, deadline is None, _aware(deadline) if deadline else _LAST, _aware(since), record_id)


def _aware(moment: datetime) -> datetime:
    """A naive time is UTC (every timestamp in the product is), so naive and aware compare."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def requirement_order(requirement: Requirement) -> PoolKey:
    """Sort key of the Demand Pool: priority, deadline, age, id."""
    return _key(requirement.priority.value, requirement.deadline, requirement.created_at,
                requirement.id)


def issue_order(issue: Issue) -> PoolKey:
    """Sort key of the Issue Pool: severity, remediation deadline, age, id."""
    return _key(issue.severity.value, issue.remediate_by, issue.opened_at, issue.id)
