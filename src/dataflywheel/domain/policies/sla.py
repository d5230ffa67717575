"""Demand SLAs (the chapter's Table 24-13) and the escalation rule for undelivered P0 work.

P0: cleaning 24 h, annotation 48 h (clock hours). P1: cleaning 3 and annotation 5 business days.
P2: 5 business days. Historical remediation: at most 2 weeks (P1/P2; a P0 remediation is a P0).
Exploration follows the cleaning clock of its priority.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from dataflywheel.domain.calendar import BusinessCalendar
from dataflywheel.domain.durations import humanize
from dataflywheel.domain.policies.delivery_schedule import LateDelivery
from dataflywheel.domain.records.data import Batch, ComplianceStatus, DatasetVersion
from dataflywheel.domain.records.demand import Priority, Requirement, RequirementKind
from dataflywheel.domain.states import BatchState, RequirementState, VersionState

P0_ESCALATE_AFTER = timedelta(hours=48)
_OPEN = frozenset({RequirementState.SUBMITTED, RequirementState.RETURNED, RequirementState.TRIAGED,
                   RequirementState.COMMITTED, RequirementState.IN_PROGRESS, RequirementState.REJECTED})


class SlaDimension(StrEnum):
    """The five dimensions an SLA covers, each with its measure (see `DIMENSION_MEASURES`)."""

    TIME = "time"
    QUALITY = "quality"
    AVAILABILITY = "availability"
    TRACEABILITY = "traceability"
    COMPLIANCE = "compliance"


DIMENSION_MEASURES: dict[SlaDimension, str] = {
    SlaDimension.TIME: "delivered (state delivered or later) no later than the SLA due time, "
                       "and no batch after its contract's delivery deadline",
    SlaDimension.QUALITY: "every batch delivered for the requirement passed its contract's gates",
    SlaDimension.AVAILABILITY: "a frozen dataset version containing the delivery is readable",
    SlaDimension.TRACEABILITY: "the delivered version links back to the requirement id",
    SlaDimension.COMPLIANCE: "the delivered version's compliance review is approved",
}


class SlaClock(BaseModel):
    hours: int | None = None
    business_days: int | None = None
    label: str


def sla_clock(priority: Priority, kind: RequirementKind) -> SlaClock:
    """The response clock for a requirement of this priority and kind."""
    annotation = kind is RequirementKind.ANNOTATION
    if priority is Priority.P0:
        return SlaClock(hours=48, label="P0 annotation: 48 h") if annotation else SlaClock(
            hours=24, label="P0 cleaning: 24 h")
    if kind is RequirementKind.REMEDIATION:
        return SlaClock(hours=14 * 24, label="historical remediation: 2 weeks")
    if priority is Priority.P1:
        return SlaClock(business_days=5, label="P1 annotation: 5 business days") if annotation else \
            SlaClock(business_days=3, label="P1 cleaning: 3 business days")
    return SlaClock(business_days=5, label="P2: 5 business days")


def sla_due(requirement: Requirement, calendar: BusinessCalendar) -> datetime:
    """When the requirement must be delivered, counted from its submission."""
    return due_from(requirement.priority, requirement.kind, requirement.created_at, calendar)


def due_from(priority: Priority, kind: RequirementKind, start: datetime,
             calendar: BusinessCalendar) -> datetime:
    """The end of the SLA clock of this priority and kind started at `start` (also the deadline a
    generated requirement gets, so that the Monday rule finds one)."""
    clock = sla_clock(priority, kind)
    if clock.hours is not None:
        return start + timedelta(hours=clock.hours)
    assert clock.business_days is not None
    return calendar.add_business_days(start, clock.business_days)


class DimensionResult(BaseModel):
    """One SLA dimension of one requirement: met, unmet or still pending, with its evidence."""

    dimension: SlaDimension
    status: Literal["met", "unmet", "pending"]
    evidence: str


class SlaStatus(BaseModel):
    requirement_id: str
    priority: Priority
    clock: str
    due: datetime
    delivered_at: datetime | None
    breached: bool
    overdue_by_hours: float
    escalate_to_data_owner: bool
    dimensions: list[DimensionResult] = Field(default_factory=list)


def sla_status(requirement: Requirement, calendar: BusinessCalendar, now: datetime,
               delivered_at: datetime | None = None) -> SlaStatus:
    """Whether the time dimension is breached at `now`, and whether the P0 escalation rule fires."""
    due = sla_due(requirement, calendar)
    end = delivered_at or now
    still_open = requirement.state in _OPEN and delivered_at is None
    late = end > due
    age = now - requirement.created_at
    return SlaStatus(
        requirement_id=requirement.id, priority=requirement.priority,
        clock=sla_clock(requirement.priority, requirement.kind).label, due=due,
        delivered_at=delivered_at, breached=late,
        overdue_by_hours=round(max(0.0, (end - due).total_seconds() / 3600), 2),
        escalate_to_data_owner=(requirement.priority is Priority.P0 and still_open
                                and age > P0_ESCALATE_AFTER),
    )


def sla_dimensions(status: SlaStatus, *, batches: Sequence[Batch],
                   versions: Sequence[DatasetVersion], members: Mapping[str, set[str]],
                   public: frozenset[str] = frozenset(),
                   late: Sequence[LateDelivery] = ()) -> list[DimensionResult]:
    """The five dimensions of a requirement's SLA from its records: `batches` delivered for it,
    the `versions` it was delivered in, `members` (version id → its batch ids), the `public`
    versions (of public datasets, which need no compliance review), and the batches that came
    after their contract's delivery deadline (`late`, see `delivery_schedule.late_deliveries`)."""
    return [_time(status, late), _quality(batches), _availability(versions),
            _traceability(status.requirement_id, versions, members), _compliance(versions, public)]


def _result(dimension: SlaDimension, status: Literal["met", "unmet", "pending"],
            evidence: str) -> DimensionResult:
    return DimensionResult(dimension=dimension, status=status, evidence=evidence)


def _time(st: SlaStatus, late: Sequence[LateDelivery]) -> DimensionResult:
    if late:  # a batch after its contract's deadline is late whatever the requirement's clock says
        return _result(SlaDimension.TIME, "unmet",
                       "late deliveries: " + "; ".join(d.describe() for d in late))
    if st.breached:
        overdue = humanize(timedelta(hours=st.overdue_by_hours))
        return _result(SlaDimension.TIME, "unmet", f"{overdue} past due ({st.due.isoformat()})")
    if st.delivered_at is None:
        return _result(SlaDimension.TIME, "pending", f"due {st.due.isoformat()}")
    return _result(SlaDimension.TIME, "met", f"delivered {st.delivered_at.isoformat()}")


def _quality(batches: Sequence[Batch]) -> DimensionResult:
    failed = sorted(b.id for b in batches if b.state is BatchState.FAILED)
    open_ = sorted(b.id for b in batches if b.state not in (BatchState.PASSED, BatchState.FAILED))
    if failed:
        return _result(SlaDimension.QUALITY, "unmet", "failed batches: " + ", ".join(failed))
    if not batches or open_:
        return _result(SlaDimension.QUALITY, "pending", "no batch checked yet" if not batches
                       else "still checking: " + ", ".join(open_))
    return _result(SlaDimension.QUALITY, "met", f"{len(batches)} batch(es) passed their gates")


def _availability(versions: Sequence[DatasetVersion]) -> DimensionResult:
    if not versions:
        return _result(SlaDimension.AVAILABILITY, "pending", "not delivered in a version yet")
    frozen = sorted(v.id for v in versions if v.state is VersionState.FROZEN)
    if frozen:
        return _result(SlaDimension.AVAILABILITY, "met", "frozen: " + ", ".join(frozen))
    states = ", ".join(f"{v.id} {v.state.value}" for v in versions)
    return _result(SlaDimension.AVAILABILITY, "unmet", f"no readable frozen version ({states})")


def _traceability(requirement_id: str, versions: Sequence[DatasetVersion],
                  members: Mapping[str, set[str]]) -> DimensionResult:
    if not versions:
        return _result(SlaDimension.TRACEABILITY, "pending", "not delivered in a version yet")
    unlinked = sorted(v.id for v in versions if not members.get(v.id))
    if unlinked:
        return _result(SlaDimension.TRACEABILITY, "unmet",
                       f"no batch of {requirement_id} in " + ", ".join(unlinked))
    return _result(SlaDimension.TRACEABILITY, "met",
                   "; ".join(f"{v.id} ← {', '.join(sorted(members[v.id]))}" for v in versions))


def _compliance(versions: Sequence[DatasetVersion], public: frozenset[str]) -> DimensionResult:
    if not versions:
        return _result(SlaDimension.COMPLIANCE, "pending", "not delivered in a version yet")
    ok = (ComplianceStatus.APPROVED, ComplianceStatus.NOT_REQUIRED)
    rejected = sorted(v.id for v in versions if v.compliance is ComplianceStatus.REJECTED)
    waiting = sorted(v.id for v in versions if v.compliance not in ok and v.id not in rejected
                     and v.id not in public)
    if rejected:
        return _result(SlaDimension.COMPLIANCE, "unmet", "rejected: " + ", ".join(rejected))
    if waiting:
        return _result(SlaDimension.COMPLIANCE, "pending", "review pending: " + ", ".join(waiting))
    return _result(SlaDimension.COMPLIANCE, "met", "approved, or public data needing no review")


def missing_for_triage(requirement: Requirement) -> list[str]:
    """The Monday rule: what an incomplete requirement lacks (empty when it may be triaged).

    The deadline is a key field of the Demand Pool (Table 24-10) and the Monday sync's task list
    names each task's deadline (Table 24-11), so a requirement without one is not actionable.
    """
    missing = []
    if not (requirement.acceptance_criteria or "").strip():
        missing.append("acceptance criteria")
    if not (requirement.target_metric or "").strip():
        missing.append("target metric")
    if requirement.accountable_id is None:
        missing.append("Accountable person")
    if requirement.deadline is None:
        missing.append("deadline")
    return missing


def deadline_passed(requirement: Requirement, now: datetime) -> str | None:
    """Why a requirement whose deadline is already behind `now` cannot be committed, else None."""
    if requirement.deadline is None or requirement.deadline > now:
        return None
    return (f"deadline {requirement.deadline.isoformat()} has passed; set a new one: "
            f"flywheel requirements amend {requirement.id} --deadline ISO")
