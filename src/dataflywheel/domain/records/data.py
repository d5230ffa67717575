"""Data Pool records: datasets, delivered batches and their files, dataset versions.

Guarantees: a batch names exactly one deliverer (a person or a vendor); a passed batch has a
quality report; a batch file name is a plain file name (no directory part, at most 255 bytes); a
version that has been frozen carries its number, freeze time and manifest digest, and a candidate
carries none of them. What a flow may change and when is decided by `domain.states`, not here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from dataflywheel.domain.policies.governance_intensity import GovernanceScenario, default_scenario
from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.governance import Sensitivity
from dataflywheel.domain.records.people import ID_PATTERN
from dataflywheel.domain.states import BatchState, VersionState

SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_FILE_NAME_BYTES = 255


class DatasetPurpose(StrEnum):
    """What a dataset is for; `training` is a formal training set (Table 24-19 tiers on it)."""

    TRAINING = "training"
    EVALUATION = "evaluation"
    EXPLORATION = "exploration"


class FileFormat(StrEnum):
    JSONL = "jsonl"
    PARQUET = "parquet"
    JSON = "json"


class ComplianceStatus(StrEnum):
    """Legal/Compliance's conclusion on a version; non-public data needs `approved` to freeze."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Dataset(Record):
    """A named line of versions; `current_version_id` is the version consumers get by default.

    `scenario` (Table 24-29) decides which control points its release gate holds it to; left
    out, it is the default its purpose and sensitivity give (`default_scenario`)."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    project_id: str
    owner_id: str
    purpose: DatasetPurpose = DatasetPurpose.TRAINING
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    scenario: GovernanceScenario = GovernanceScenario.FORMAL_TRAINING_CORPUS
    description: str = ""
    current_version_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)

    @model_validator(mode="before")
    @classmethod
    def _default_scenario(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("scenario") is None:
            purpose = data.get("purpose", DatasetPurpose.TRAINING)
            sensitivity = data.get("sensitivity", Sensitivity.INTERNAL)
            data = {**data, "scenario": default_scenario(
                str(getattr(purpose, "value", purpose)),
                str(getattr(sensitivity, "value", sensitivity)))}
        return data


class Batch(Record):
    """One delivery: files received together against one contract version for one requirement."""

    id: str = Field(pattern=ID_PATTERN)
    dataset_id: str
    contract_version_id: str
    requirement_id: str
    delivered_by_person_id: str | None = None
    delivered_by_vendor_id: str | None = None
    source: str = ""
    annotator_ids: list[str] = Field(default_factory=list)
    guide_version: str | None = Field(default=None, min_length=1, max_length=64)
    state: BatchState = BatchState.RECEIVED
    report_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    row_count: int = Field(default=0, ge=0)
    nonconforming_count: int = Field(default=0, ge=0)
    quality_summary: dict[str, Any] = Field(default_factory=dict)
    failure_reason: str | None = None
    received_at: datetime = Field(default_factory=utcnow)
    checked_at: datetime | None = None

    @field_validator("annotator_ids")
    @classmethod
    def _annotators_distinct(cls, value: list[str]) -> list[str]:
        if any(not a.strip() for a in value):
            raise ValueError("annotator ids must not be blank")
        if len(set(value)) != len(value):
            raise ValueError("annotator ids must be distinct")
        return value

    @model_validator(mode="after")
    def _one_deliverer_and_report(self) -> Batch:
        named = [x for x in (self.delivered_by_person_id, self.delivered_by_vendor_id) if x]
        if len(named) != 1:
            raise ValueError(
                "a batch is delivered by exactly one person or vendor: "
                "set delivered_by_person_id or delivered_by_vendor_id, not both and not neither"
            )
        if self.state is BatchState.PASSED and self.report_sha256 is None:
            raise ValueError("a passed batch must carry its quality report (report_sha256)")
        if self.nonconforming_count > self.row_count:
            raise ValueError(
                f"nonconforming_count {self.nonconforming_count} exceeds row_count {self.row_count}"
            )
        return self


class BatchFile(Record):
    """One delivered file, stored byte for byte in the blob store under its sha256."""

    batch_id: str
    position: int = Field(ge=0)
    name: str = Field(min_length=1)
    sha256: str = Field(pattern=SHA256_PATTERN)
    size_bytes: int = Field(ge=0)
    row_count: int | None = Field(default=None, ge=0)
    format: FileFormat

    @field_validator("name")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if "/" in value or "\\" in value or value in {".", ".."} or "\x00" in value:
            raise ValueError(f"file name {value!r} must be a plain name without directories")
        if len(value.encode("utf-8")) > MAX_FILE_NAME_BYTES:
            raise ValueError(f"file name is over {MAX_FILE_NAME_BYTES} bytes")
        return value


_DATASHEET_FIELDS = (
    "objective", "sources", "sample_size", "cleaning_rules", "annotation_standard",
    "guide_version", "quality_summary", "compliance_conclusion", "known_defects",
    "applicable_scenarios", "inapplicable_scenarios",
)


class Datasheet(Record):
    """The datasheet a version must complete before freezing (issue 5, gate condition d).

    `None` means not stated; an empty list for `known_defects` means stated: none known.
    """

    objective: str | None = None
    sources: list[str] | None = None
    sample_size: int | None = Field(default=None, ge=0)
    cleaning_rules: list[str] | None = None
    annotation_standard: str | None = None
    guide_version: str | None = None
    quality_summary: str | None = None
    compliance_conclusion: str | None = None
    known_defects: list[str] | None = None
    applicable_scenarios: list[str] | None = None
    inapplicable_scenarios: list[str] | None = None

    def missing(self) -> list[str]:
        """The sections not yet stated, in datasheet order (empty when complete)."""
        gaps: list[str] = []
        for name in _DATASHEET_FIELDS:
            value = getattr(self, name)
            empty_list_ok = name == "known_defects"
            if value is None or (isinstance(value, str) and not value.strip()):
                gaps.append(name)
            elif isinstance(value, list) and not value and not empty_list_ok:
                gaps.append(name)
        return gaps


_FROZEN_LIKE = frozenset({VersionState.FROZEN, VersionState.ARCHIVED, VersionState.WITHDRAWN})


class DatasetVersion(Record):
    """A set of batches; mutable while a candidate, immutable once frozen (digest = identity)."""

    id: str = Field(pattern=ID_PATTERN)
    dataset_id: str
    number: int | None = Field(default=None, ge=1)
    state: VersionState = VersionState.CANDIDATE
    manifest_sha256: str | None = Field(default=None, pattern=SHA256_PATTERN)
    datasheet: Datasheet = Field(default_factory=Datasheet)
    quality_summary: dict[str, Any] = Field(default_factory=dict)
    compliance: ComplianceStatus = ComplianceStatus.PENDING
    experimental: bool = False
    baseline: bool = False
    parent_version_id: str | None = None
    created_by_id: str
    approved_by_id: str | None = None
    compliance_by_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    frozen_at: datetime | None = None
    archived_at: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str | None = None
    withdrawn_issue_id: str | None = None

    @model_validator(mode="after")
    def _freeze_fields_match_state(self) -> DatasetVersion:
        frozen = {"number": self.number, "frozen_at": self.frozen_at,
                  "manifest_sha256": self.manifest_sha256}
        if self.state in _FROZEN_LIKE:
            absent = [k for k, v in frozen.items() if v is None]
            if absent:
                raise ValueError(f"a {self.state.value} version needs {', '.join(absent)}")
        elif self.state is VersionState.CANDIDATE:
            present = [k for k, v in frozen.items() if v is not None]
            if present:
                raise ValueError(f"a candidate version has no {', '.join(present)} yet")
        if self.state is VersionState.WITHDRAWN and not (
            self.withdrawn_reason and self.withdrawn_issue_id
        ):
            raise ValueError("a withdrawn version needs withdrawn_reason and withdrawn_issue_id")
        if self.parent_version_id is not None and self.parent_version_id == self.id:
            raise ValueError("a version cannot be its own parent")
        return self

    @property
    def label(self) -> str:
        """`dataset_id@number` once frozen, else the version id."""
        return f"{self.dataset_id}@{self.number}" if self.number is not None else self.id


class VersionBatch(Record):
    """Membership: batch `batch_id` is part of version `version_id`."""

    version_id: str
    batch_id: str
    added_by_id: str
    added_at: datetime = Field(default_factory=utcnow)
