"""Governance records: exceptions (chapter Table 24-9), the data asset registry, access grants.

Guarantees: an exception states its scope, reason, usage restriction and isolation label and
always expires after it was requested; what it covers is one batch, version or dataset per cover
row; an access grant is always time-limited; an active grant names its approver. Which approvers an
exception type needs is policy (flows), not checked here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ExceptionState, GrantState


class Sensitivity(StrEnum):
    """Sensitivity levels, least to most sensitive; `rank` orders them."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"

    @property
    def rank(self) -> int:
        return list(Sensitivity).index(self)


class ExceptionType(StrEnum):
    TIME = "time"
    QUALITY = "quality"
    FORMAT = "format"
    COMPLIANCE = "compliance"


class RiskLevel(StrEnum):
    """A compliance exception's risk level (Table 24-9), by the chapter's tiering principle."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ApprovalDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class AssetKind(StrEnum):
    DATASET = "dataset"
    DATASET_VERSION = "dataset_version"
    CONTRACT = "contract"
    MODEL = "model"
    DOCUMENT = "document"


Statement = Annotated[str, Field(min_length=1, max_length=2000)]


class ExceptionRecord(Record):
    """A time-limited departure from a rule; covered things are listed as `ExceptionCover` rows."""

    id: str = Field(pattern=r"^EXC-[0-9]{4,}$")
    type: ExceptionType
    state: ExceptionState = ExceptionState.REQUESTED
    scope: Statement
    reason: Statement
    usage_restriction: Statement
    isolation_label: str = Field(min_length=1, max_length=200)
    outstanding_checks: list[str] = Field(default_factory=list)
    project_id: str | None = None
    # Table 24-9's required records of a compliance exception (None/empty for other types)
    source_description: str | None = Field(default=None, max_length=2000)
    risk_level: RiskLevel | None = None
    access_list: list[str] = Field(default_factory=list)
    requested_by_id: str
    requested_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    decided_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None

    @field_validator("access_list", mode="before")
    @classmethod
    def _no_list_is_empty(cls, value: object) -> object:
        return [] if value is None else value

    @model_validator(mode="after")
    def _expires_after_request(self) -> ExceptionRecord:
        if self.expires_at <= self.requested_at:
            raise ValueError(
                f"expires_at {self.expires_at.isoformat()} must be after "
                f"requested_at {self.requested_at.isoformat()}"
            )
        if self.state is not ExceptionState.REQUESTED and self.decided_at is None:
            raise ValueError(f"a {self.state.value} exception needs decided_at")
        return self

    def is_active(self, at: datetime) -> bool:
        """Approved and not yet expired at `at` (expiry is exclusive)."""
        return self.state is ExceptionState.APPROVED and at < self.expires_at


class ExceptionCover(Record):
    """Exception `exception_id` covers exactly one batch, version or dataset."""

    id: str
    exception_id: str
    batch_id: str | None = None
    version_id: str | None = None
    dataset_id: str | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> ExceptionCover:
        targets = [t for t in (self.batch_id, self.version_id, self.dataset_id) if t is not None]
        if len(targets) != 1:
            raise ValueError(
                "an exception cover names exactly one of batch_id, version_id, dataset_id"
            )
        return self

    @classmethod
    def of(
        cls, exception_id: str, *, batch_id: str | None = None, version_id: str | None = None,
        dataset_id: str | None = None,
    ) -> ExceptionCover:
        """A cover whose id is derived from its target, so covering twice is a duplicate id."""
        named = [f"{k}:{v}" for k, v in (("batch", batch_id), ("version", version_id),
                                          ("dataset", dataset_id)) if v is not None]
        return cls(id=":".join([exception_id, *named]), exception_id=exception_id,
                   batch_id=batch_id, version_id=version_id, dataset_id=dataset_id)


class ExceptionApproval(Record):
    """One approver's decision on an exception, in the role the exception type asks for."""

    exception_id: str
    approver_id: str
    role: Role
    decision: ApprovalDecision
    note: str = ""
    decided_at: datetime = Field(default_factory=utcnow)


class Asset(Record):
    """A registry entry: discoverable, requestable (by grant), traceable, revocable."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    kind: AssetKind
    dataset_id: str | None = None
    version_id: str | None = None
    project_id: str | None = None
    owner_id: str
    sensitivity: Sensitivity
    description: str = ""
    discoverable: bool = True
    requestable: bool = True
    registered_at: datetime = Field(default_factory=utcnow)
    retired_at: datetime | None = None

    @model_validator(mode="after")
    def _link_matches_kind(self) -> Asset:
        if self.kind is AssetKind.DATASET and self.dataset_id is None:
            raise ValueError("a dataset asset needs dataset_id")
        if self.kind is AssetKind.DATASET_VERSION and self.version_id is None:
            raise ValueError("a dataset_version asset needs version_id")
        return self


class AssetUse(Record):
    """Project `project_id` uses asset `asset_id` (reuse across projects is a query over these)."""

    asset_id: str
    project_id: str
    purpose: str = ""
    since: datetime = Field(default_factory=utcnow)


class AccessGrant(Record):
    """Time-limited access of one person to one asset at the asset's sensitivity."""

    id: str = Field(pattern=r"^GRT-[0-9]{4,}$")
    asset_id: str
    grantee_id: str
    sensitivity: Sensitivity
    purpose: str = Field(min_length=1, max_length=2000)
    state: GrantState = GrantState.REQUESTED
    requested_by_id: str
    exception_id: str | None = None  # the compliance exception a restricted grant rests on
    approved_by_id: str | None = None
    compliance_approved_by_id: str | None = None
    requested_at: datetime = Field(default_factory=utcnow)
    granted_at: datetime | None = None
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    @model_validator(mode="after")
    def _time_limited_and_approved(self) -> AccessGrant:
        if self.expires_at <= self.requested_at:
            raise ValueError(
                f"expires_at {self.expires_at.isoformat()} must be after "
                f"requested_at {self.requested_at.isoformat()}"
            )
        unapproved = self.approved_by_id is None or self.granted_at is None
        if self.state is GrantState.ACTIVE and unapproved:
            raise ValueError("an active grant needs approved_by_id and granted_at")
        return self

    def is_active(self, at: datetime) -> bool:
        """Active and not yet expired at `at` (expiry is exclusive)."""
        return self.state is GrantState.ACTIVE and at < self.expires_at


class Derivation(Record):
    """Dataset `dataset_id` is derived data (Table 24-20): built from version `source_version_id`
    or dataset `source_dataset_id` by `method` (cleaning, annotation, generation, …)."""

    id: str = Field(pattern=r"^DRV-[0-9]{4,}$")
    dataset_id: str
    source_version_id: str | None = None
    source_dataset_id: str | None = None
    method: str = Field(min_length=1, max_length=200)
    recorded_by_id: str
    recorded_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="after")
    def _one_source(self) -> Derivation:
        if (self.source_version_id is None) == (self.source_dataset_id is None):
            raise ValueError("a derivation names exactly one of source_version_id, "
                             "source_dataset_id")
        return self

    @property
    def source(self) -> str:
        return self.source_version_id or str(self.source_dataset_id)


class Regrade(Record):
    """An approved re-grade of derived dataset `dataset_id`: what its sources pass on is replaced
    by `level` (e.g. after de-identification); the latest one counts."""

    id: str = Field(pattern=r"^RGD-[0-9]{4,}$")
    dataset_id: str
    level: Sensitivity
    inherited: Sensitivity
    approved_by_id: str
    reason: str = Field(min_length=1, max_length=2000)
    approved_at: datetime = Field(default_factory=utcnow)
