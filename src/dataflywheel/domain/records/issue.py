"""Issue Pool records: issues, their links to other records, and post-mortems.

Guarantees: deadlines never precede the opening of an issue, and remediation never precedes
response; an issue link names exactly one target; a post-mortem's process change, when its kind is
set, points at a record of that kind (a contract version or a RACI item by foreign key, a check or a
guide version by name). `PostMortem.missing()` names every section a P0/P1 close still needs.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.states import IssueState, PostMortemState


class Severity(StrEnum):
    """Risk tiers of the chapter's Table 24-19; P0 is the most severe."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def needs_post_mortem(self) -> bool:
        return self in (Severity.P0, Severity.P1)


class DiscoverySource(StrEnum):
    QUALITY_CHECK = "quality_check"
    EXPERIMENT = "experiment"
    FEEDBACK = "feedback"
    SPOT_CHECK = "spot_check"
    PLATFORM = "platform"
    MANUAL = "manual"


class IssueRelation(StrEnum):
    """How an issue relates to a linked record."""

    AFFECTS = "affects"
    KNOWN_DEFECT = "known_defect"
    EVIDENCE = "evidence"
    CAUSED_BY = "caused_by"


class ProcessChangeKind(StrEnum):
    CONTRACT_VERSION = "contract_version"
    RACI_CHANGE = "raci_change"
    CHECK = "check"
    GUIDE_VERSION = "guide_version"


class Issue(Record):
    """A problem in the Issue Pool with its tier, deadlines, owner and escalation level."""

    id: str = Field(pattern=r"^ISS-[0-9]{4,}$")
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    severity: Severity
    source: DiscoverySource
    state: IssueState = IssueState.NEW
    project_id: str | None = None
    owner_id: str | None = None
    reporter_id: str | None = None
    root_cause: str | None = None
    resolution: str | None = None
    opened_at: datetime = Field(default_factory=utcnow)
    respond_by: datetime | None = None
    remediate_by: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    escalation_level: int = Field(default=0, ge=0)
    escalated_at: datetime | None = None

    @model_validator(mode="after")
    def _deadlines_in_order(self) -> Issue:
        for name in ("respond_by", "remediate_by"):
            value = getattr(self, name)
            if value is not None and value < self.opened_at:
                raise ValueError(f"{name} {value.isoformat()} is before opened_at "
                                 f"{self.opened_at.isoformat()}")
        if self.respond_by and self.remediate_by and self.remediate_by < self.respond_by:
            raise ValueError("remediate_by is before respond_by")
        if self.state is IssueState.ASSIGNED and self.owner_id is None:
            raise ValueError("an assigned issue needs owner_id")
        if self.state is IssueState.CLOSED and self.closed_at is None:
            raise ValueError("a closed issue needs closed_at")
        return self


_TARGETS = ("batch_id", "version_id", "experiment_id", "requirement_id", "error_sample_id",
            "feedback_event_id")


class IssueLink(Record):
    """Issue `issue_id` relates to exactly one record (batch, version, experiment, …)."""

    id: str
    issue_id: str
    relation: IssueRelation = IssueRelation.AFFECTS
    batch_id: str | None = None
    version_id: str | None = None
    experiment_id: str | None = None
    requirement_id: str | None = None
    error_sample_id: str | None = None
    feedback_event_id: str | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> IssueLink:
        named = [t for t in _TARGETS if getattr(self, t) is not None]
        if len(named) != 1:
            raise ValueError(f"an issue link names exactly one of {', '.join(_TARGETS)}; "
                             f"got {len(named)}")
        return self

    @classmethod
    def to(cls, issue_id: str, relation: IssueRelation = IssueRelation.AFFECTS,
           **target: str) -> IssueLink:
        """A link whose id is derived from issue, relation and target (linking twice collides)."""
        parts = [f"{k.removesuffix('_id')}:{v}" for k, v in sorted(target.items())]
        return cls(id=":".join([issue_id, relation.value, *parts]), issue_id=issue_id,
                   relation=relation, **target)

    @property
    def target(self) -> tuple[str, str]:
        """(field name, id) of the linked record."""
        name = next(t for t in _TARGETS if getattr(self, t) is not None)
        return name, str(getattr(self, name))


class TimelineEntry(Record):
    at: datetime
    what: str = Field(min_length=1)


_PM_SECTIONS = ("event", "impact", "timeline", "root_cause", "remediation",
                "preventive_measures", "process_change")


class PostMortem(Record):
    """A blameless post-mortem: it asks why the process let the problem through, not who."""

    id: str = Field(pattern=r"^PM-[0-9]{4,}$")
    issue_id: str
    state: PostMortemState = PostMortemState.DRAFT
    author_id: str | None = None
    event: str = ""
    impact: str = ""
    timeline: list[TimelineEntry] = Field(default_factory=list)
    root_cause: str = ""
    remediation: str = ""
    preventive_measures: list[str] = Field(default_factory=list)
    process_change: str = ""
    change_kind: ProcessChangeKind | None = None
    change_ref: str | None = None
    change_contract_version_id: str | None = None
    change_raci_item_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None

    @model_validator(mode="after")
    def _change_link_matches_kind(self) -> PostMortem:
        kind = self.change_kind
        cv, raci = self.change_contract_version_id, self.change_raci_item_id
        if kind is None and (cv or raci or self.change_ref):
            raise ValueError("a process-change link needs change_kind")
        if kind is ProcessChangeKind.CONTRACT_VERSION and (cv is None or raci is not None):
            raise ValueError("change_kind contract_version links change_contract_version_id only")
        if kind is ProcessChangeKind.RACI_CHANGE and (raci is None or cv is not None):
            raise ValueError("change_kind raci_change links change_raci_item_id only")
        if kind in (ProcessChangeKind.CHECK, ProcessChangeKind.GUIDE_VERSION) and (
            not self.change_ref or cv or raci
        ):
            raise ValueError(f"change_kind {kind.value} names its record in change_ref only")
        if self.state is PostMortemState.PUBLISHED and self.missing():
            raise ValueError(f"a published post-mortem lacks {', '.join(self.missing())}")
        return self

    def missing(self) -> list[str]:
        """Sections still empty, and `change_link` when no implemented change is linked."""
        gaps = [s for s in _PM_SECTIONS if not _filled(getattr(self, s))]
        if self.change_kind is None:
            gaps.append("change_link")
        return gaps


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)
