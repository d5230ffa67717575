"""Risk tiers of the Issue Pool (the chapter's Table 24-19): deadlines, escalation, failed deliveries.

Deadlines by severity, counted from the moment the issue is opened:

| tier | respond by                         | remediate (fix or mitigate) by             |
|------|------------------------------------|--------------------------------------------|
| P0   | at once: 15 minutes (clock)        | a conclusion within 24 h (clock)           |
| P1   | 4 h (clock)                        | 48 h (clock)                               |
| P2   | 1 business day                     | 5 business days                            |
| P3   | the end of the next cycle          | the end of the next cycle                  |

"Next cycle" is the end of the next ISO week in the business calendar's time zone: an issue
opened on Wednesday 2026-11-25 is due Sunday 2026-12-06 23:59:59 local time. Business days come
from the workspace calendar (time zone, workdays, holidays).

Escalation path (levels): 0 owner → 1 team lead → 2 Data Owner → 3 decision committee (P0 only).
An unacknowledged issue past its response deadline goes to level 1; an unresolved issue past its
remediation deadline goes to level 2; a P0 still unresolved one more remediation window later
(48 h after opening) goes to level 3. Escalation never goes down and never skips a level unnoticed:
the flow notifies every level it crosses.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import IntEnum

from pydantic import BaseModel, ConfigDict

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.records.data import DatasetPurpose
from dataflywheel.domain.records.issue import Issue, Severity
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import IssueState
from dataflywheel.errors import BadInput

RESPOND_AT_ONCE = timedelta(minutes=15)

# The decision committee a P0 reaches last: the Data Owner, Legal/Compliance and the platform
# engineers who run incident response (every holder of these roles, team-wide or in the project).
COMMITTEE_ROLES: tuple[Role, ...] = (Role.DATA_OWNER, Role.LEGAL_COMPLIANCE, Role.PLATFORM_ENGINEER)


class EscalationLevel(IntEnum):
    OWNER = 0
    TEAM_LEAD = 1
    DATA_OWNER = 2
    DECISION_COMMITTEE = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")


class Deadlines(BaseModel):
    """When an issue must be responded to and remediated, both UTC; `rule` says why."""

    model_config = ConfigDict(frozen=True)

    respond_by: datetime
    remediate_by: datetime
    rule: str


RULES: dict[Severity, str] = {
    Severity.P0: "P0: respond at once (15 min), conclusion within 24 h",
    Severity.P1: "P1: respond within 4 h, fix or mitigate within 48 h",
    Severity.P2: "P2: respond within 1 business day, fix within 5 business days",
    Severity.P3: "P3: next cycle (end of the next ISO week)",
}


def parse_severity(value: str) -> Severity:
    """`P1`, `p1` → Severity.P1; anything else is a clear error."""
    try:
        return Severity(value.strip().upper())
    except ValueError:
        raise BadInput(f"unknown severity {value!r}", field="severity",
                       expected="one of " + ", ".join(s.value for s in Severity)) from None


def end_of_next_cycle(opened_at: datetime, calendar: BusinessCalendar) -> datetime:
    """The last second of the ISO week after `opened_at`'s week, local to the calendar, in UTC."""
    local = opened_at.astimezone(calendar.zone).date()
    sunday = local + timedelta(days=6 - local.weekday() + 7)
    end = datetime.combine(sunday, time(23, 59, 59), tzinfo=calendar.zone)
    return end.astimezone(UTC)


def deadlines_for(severity: Severity, opened_at: datetime, calendar: BusinessCalendar) -> Deadlines:
    """Response and remediation deadlines of Table 24-19 for an issue opened at `opened_at`."""
    if opened_at.tzinfo is None:
        raise BadInput("opened_at must carry a time zone", field="opened_at", got=str(opened_at))
    rule = RULES[severity]
    if severity is Severity.P0:
        return Deadlines(respond_by=opened_at + RESPOND_AT_ONCE,
                         remediate_by=opened_at + timedelta(hours=24), rule=rule)
    if severity is Severity.P1:
        return Deadlines(respond_by=opened_at + timedelta(hours=4),
                         remediate_by=opened_at + timedelta(hours=48), rule=rule)
    if severity is Severity.P2:
        return Deadlines(respond_by=calendar.add_business_days(opened_at, 1),
                         remediate_by=calendar.add_business_days(opened_at, 5), rule=rule)
    end = end_of_next_cycle(opened_at, calendar)
    return Deadlines(respond_by=end, remediate_by=end, rule=rule)


_UNACKNOWLEDGED = frozenset({IssueState.NEW})
_UNRESOLVED = frozenset({IssueState.NEW, IssueState.ACKNOWLEDGED, IssueState.ASSIGNED})


def escalation_due(issue: Issue, now: datetime) -> EscalationLevel:
    """The level the issue should have reached at `now` (never lower than its current level)."""
    level = EscalationLevel(min(issue.escalation_level, EscalationLevel.DECISION_COMMITTEE))
    if issue.state not in _UNRESOLVED:
        return level
    target = EscalationLevel.OWNER
    if issue.respond_by and issue.state in _UNACKNOWLEDGED and now > issue.respond_by:
        target = EscalationLevel.TEAM_LEAD
    if issue.remediate_by and now > issue.remediate_by:
        target = EscalationLevel.DATA_OWNER
        window = issue.remediate_by - issue.opened_at
        if issue.severity is Severity.P0 and now > issue.remediate_by + window:
            target = EscalationLevel.DECISION_COMMITTEE
    return max(level, target)


class EscalationTimer(BaseModel):
    """Where an issue stands on its escalation path at a moment: the level it has reached, the
    level the next `flywheel issues escalate` would move it to (`due_level`), and the next
    deadline that raises it further (`next_level` at `next_at`; none once resolved or at the
    top)."""

    model_config = ConfigDict(frozen=True)

    level: int
    level_label: str
    escalated_at: datetime | None
    respond_by: datetime | None
    remediate_by: datetime | None
    due_level: int
    due_label: str
    next_level: int | None
    next_label: str | None
    next_at: datetime | None


def escalation_timer(issue: Issue, now: datetime) -> EscalationTimer:
    """The issue's escalation clock at `now`, by the same rules as `escalation_due`."""
    current = EscalationLevel(min(issue.escalation_level, EscalationLevel.DECISION_COMMITTEE))
    due = escalation_due(issue, now)
    steps: list[tuple[datetime, EscalationLevel]] = []
    if issue.state in _UNRESOLVED:
        if issue.respond_by and issue.state in _UNACKNOWLEDGED:
            steps.append((issue.respond_by, EscalationLevel.TEAM_LEAD))
        if issue.remediate_by:
            steps.append((issue.remediate_by, EscalationLevel.DATA_OWNER))
            if issue.severity is Severity.P0:
                window = issue.remediate_by - issue.opened_at
                steps.append((issue.remediate_by + window, EscalationLevel.DECISION_COMMITTEE))
    upcoming = sorted((at, lvl) for at, lvl in steps if at >= now and lvl > due)
    nxt = upcoming[0] if upcoming else None
    return EscalationTimer(
        level=int(current), level_label=current.label, escalated_at=issue.escalated_at,
        respond_by=issue.respond_by, remediate_by=issue.remediate_by, due_level=int(due),
        due_label=due.label, next_level=int(nxt[1]) if nxt else None,
        next_label=nxt[1].label if nxt else None, next_at=nxt[0] if nxt else None)


# Table 24-19 for failed deliveries: share of non-conforming records × dataset purpose → tier.
# Each row lists (lower bound exclusive, tier) from the most severe down; below every bound → P3.
FAILED_BATCH_TIERS: dict[DatasetPurpose, tuple[tuple[float, Severity], ...]] = {
    DatasetPurpose.TRAINING: ((0.30, Severity.P0), (0.10, Severity.P1), (0.02, Severity.P2)),
    DatasetPurpose.EVALUATION: ((0.05, Severity.P0), (0.01, Severity.P1), (0.0, Severity.P2)),
    DatasetPurpose.EXPLORATION: ((0.30, Severity.P2),),
}


def tier_for_failed_batch(nonconforming_share: float, purpose: DatasetPurpose | str, *,
                          contamination: bool = False, pii: bool = False) -> Severity:
    """The severity of an issue for a failed delivery.

    Formal training set: > 30 % non-conforming → P0, > 10 % → P1, > 2 % → P2, else P3.
    Evaluation set (a wrong benchmark misleads every decision): > 5 % → P0, > 1 % → P1, any → P2.
    Exploratory set: > 30 % → P2, else P3. Personal data found in any set is at least P1;
    benchmark contamination of an evaluation set is P0 and of a training set at least P1.
    """
    if not 0.0 <= nonconforming_share <= 1.0:
        raise BadInput("the share of non-conforming records must be between 0 and 1",
                       field="nonconforming_share", expected="0.0 … 1.0", got=nonconforming_share)
    try:
        purpose = DatasetPurpose(purpose)
    except ValueError:
        raise BadInput(f"unknown dataset purpose {purpose!r}", field="purpose",
                       expected="one of " + ", ".join(p.value for p in DatasetPurpose)) from None
    tier = next((sev for bound, sev in FAILED_BATCH_TIERS[purpose] if nonconforming_share > bound),
                Severity.P3)
    floor = Severity.P3
    if pii:
        floor = Severity.P1
    if contamination:
        floor = Severity.P0 if purpose is DatasetPurpose.EVALUATION else _most_severe(
            floor, Severity.P1 if purpose is DatasetPurpose.TRAINING else Severity.P2)
    return _most_severe(tier, floor)


def _most_severe(a: Severity, b: Severity) -> Severity:
    return min(a, b, key=lambda s: s.value)
