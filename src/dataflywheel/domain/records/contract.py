"""Interface contracts: four layers (structural, semantic, operational, change) and SemVer versions.

A `Contract` is one version of the interface between a producing role and a consuming role. It is
pure data: reading and writing it as ODCS YAML lives in `integrations/odcs.py`, its diff and change
class in `domain/policies/contract_changes.py`, its check plan in `flows/contracts/contract_plan.py`.

Guarantees, enforced when a contract is built:
- field names are unique, and every name the other layers mention is a field of the structure;
- every per-field threshold (`field_null_rate.FIELD`) names a field of the structure (whether the
  quality engine produces a threshold's metric, and its range, is checked where a contract is read
  and compiled: `integrations/odcs.py`, `flows/contracts/contract_plan.py`, through the check
  registry, so that a plugin check's metric can be gated too);
- only field types the structural check can check are accepted.
"""

from __future__ import annotations

import datetime
import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ContractVersionState
from dataflywheel.fieldtypes import FieldType, declared

if TYPE_CHECKING:
    import semver

CONTRACT_ID_PATTERN = r"^[a-z0-9][a-z0-9_\-]{0,62}$"
FIELD_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
DEFAULT_NOTICE_DAYS = 14
# The PII check's own kinds (`checks.builtin.pii.PII_KINDS`); a contract's pattern may not reuse a name.
BUILTIN_PII_KINDS = ("email", "phone", "ipv4", "ipv6", "card")


class Layer(StrEnum):
    """The four layers of a contract; each has one owning role (see `LAYER_OWNERS`)."""

    STRUCTURAL = "structural"
    SEMANTIC = "semantic"
    OPERATIONAL = "operational"
    CHANGE = "change"


LAYER_OWNERS: dict[Layer, Role] = {
    Layer.STRUCTURAL: Role.DATA_ENGINEER,
    Layer.SEMANTIC: Role.ANNOTATION_ENGINEER,
    Layer.OPERATIONAL: Role.DATA_OWNER,
    Layer.CHANGE: Role.DATA_OWNER,
}


DeclaredType = Annotated[FieldType, AfterValidator(declared)]
"""A field type a contract may declare: any of `FieldType` but the plan-only `any`."""


class ChangeClass(StrEnum):
    """How a version differs from the one before it, and so which SemVer part must grow."""

    INITIAL = "initial"
    NONE = "none"
    COMPATIBLE = "compatible"
    BREAKING = "breaking"


def metric_field(metric: str) -> str | None:
    """The field a per-field metric is about (`field_null_rate.content` → `content`): a
    per-field metric is named `METRIC.FIELD`, and no other metric name has a dot."""
    prefix, dot, field = metric.partition(".")
    return field if dot and prefix and field else None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def parse_semver(value: str) -> semver.Version:
    """A strict SemVer 2.0.0 version (`1.2.0`, `2.0.0-rc.1`); anything else is a ValueError."""
    import semver  # its import compiles its patterns: paid when a version is read, not per command

    try:
        return semver.Version.parse(value)
    except (ValueError, TypeError):
        raise ValueError(f"a SemVer version MAJOR.MINOR.PATCH such as 1.2.0, not {value!r}") from None


# ---------------------------------------------------------------- structural


class ContractField(_Strict):
    """One top-level field of a delivered record."""

    name: str = Field(pattern=FIELD_NAME_PATTERN)
    type: DeclaredType
    required: bool = True
    nullable: bool = Field(default=False, description="always `not required` (ODCS)")
    enum: list[str | int | float | bool] | None = Field(default=None, min_length=1)
    items: DeclaredType | None = Field(default=None, description="element type when type is array")

    @model_validator(mode="before")
    @classmethod
    def _nulls_follow_required(cls, data: Any) -> Any:
        """ODCS `required: true` means "no nulls" and `false` allows them (datacontract-cli and
        Great Expectations read it so): `nullable` is derived, and may only agree."""
        if not isinstance(data, dict):
            return data
        required = bool(data.get("required", True))
        if data.get("nullable") is not None and bool(data["nullable"]) == required:
            raise ValueError(f"field {data.get('name')!r}: nullable must be {not required} "
                             f"when required is {required} (required: true means no nulls)")
        return {**data, "nullable": not required}

    @model_validator(mode="after")
    def _items_only_for_arrays(self) -> ContractField:
        if self.items is not None and self.type is not FieldType.ARRAY:
            raise ValueError(f"field {self.name!r}: 'items' is only for array fields")
        return self


class StructuralLayer(_Strict):
    """Fields, types, required, enums and the handling of missing values (owner: Data Engineer)."""

    fields: list[ContractField] = Field(min_length=1)
    id_field: str | None = None
    text_fields: list[str] = Field(default_factory=list, description="the text the checks read")
    additional_fields: Literal["allow", "reject"] = "reject"

    @model_validator(mode="after")
    def _names_known(self) -> StructuralLayer:
        names = [f.name for f in self.fields]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"field names must be unique, repeated: {', '.join(dupes)}")
        for name in [*([self.id_field] if self.id_field else []), *self.text_fields]:
            if name not in names:
                raise ValueError(f"{name!r} is not a field of this contract")
        return self

    def field(self, name: str) -> ContractField | None:
        return next((f for f in self.fields if f.name == name), None)


# ---------------------------------------------------------------- semantic


class FieldSemantics(_Strict):
    """What a field means, its boundary conditions, and good and borderline examples."""

    meaning: str = ""
    boundary: str | None = None
    examples: list[Any] = Field(default_factory=list)
    borderline_examples: list[Any] = Field(default_factory=list)


class SemanticLayer(_Strict):
    """Meanings and the annotation guide version they follow (owner: Annotation Engineer).
    `guide_required`: every delivery must name the guide version it followed, or it fails its
    gate (`flows/contracts/guides.py:guide_gate`)."""

    guide_version: str | None = None
    guide_required: bool = False
    fields: dict[str, FieldSemantics] = Field(default_factory=dict)


# ---------------------------------------------------------------- operational


class Threshold(_Strict):
    """An acceptance gate `metric op value`; rates are fractions (0.01 means 1 %).

    Which metrics exist and the range of each is the check engine's to say (its registry,
    `checks.registry.gate_problem`): the ODCS reader and the plan compiler ask it, so the domain
    model knows no check.
    """

    metric: str
    op: Literal["<", "<=", ">", ">="]
    value: float

    @property
    def is_upper_bound(self) -> bool:
        return self.op in ("<", "<=")


class DeliverySla(_Strict):
    """When a batch is due, e.g. weekly by Friday 18:00 in the team's time zone."""

    cadence: Literal["daily", "weekly", "monthly", "once"] = "weekly"
    weekday: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] | None = None
    time: str = Field(default="18:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """The schedule is checked against deliveries (`policies/delivery_schedule.py`), so its
        zone must be one the IANA database knows."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone name such as Asia/Shanghai or UTC, not "
                             f"{value!r}") from None
        return value


class PiiPattern(_Strict):
    """A contract's own kind of personal data (an employee id, a national id card number): a
    Python regex whose matches count as PII of kind `name` (`pii_<name>_count`, `_rate`)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        import re

        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class AgreementSettings(_Strict):
    """Where the agreement check finds items, annotators and labels."""

    item_field: str
    annotator_field: str
    label_field: str
    level: Literal["nominal", "ordinal", "interval", "ratio"] = "nominal"
    scale: list[str] | None = None


class OperationalLayer(_Strict):
    """Deliverable, roles, SLA, acceptance thresholds, feedback path (owner: Data Owner)."""

    deliverable: str = Field(min_length=1)
    producer_role: Role
    consumer_role: Role
    sla: DeliverySla | None = None
    thresholds: list[Threshold] = Field(default_factory=list)
    feedback_path: str | None = None
    raci_item: str | None = Field(
        default=None, description="RACI item whose C and I get change notices; by producer if unset"
    )
    agreement: AgreementSettings | None = None
    spot_check_sample_size: int = Field(default=50, ge=1, le=100_000)
    frozen: bool = Field(default=False, description="the data set never changes once accepted")
    contamination_protected: bool = Field(
        default=False, description="other deliveries are checked for overlap with this data set"
    )
    pii_patterns: list[PiiPattern] = Field(default_factory=list,
                                           description="PII kinds of this contract's own")

    @field_validator("producer_role", "consumer_role", mode="before")
    @classmethod
    def _role(cls, value: Any) -> Any:
        from dataflywheel.domain.roles import parse_role
        from dataflywheel.errors import BadInput

        try:
            return parse_role(value) if isinstance(value, str) else value
        except BadInput as exc:
            raise ValueError(f"{exc.what}, {exc.expected}") from None

    @model_validator(mode="after")
    def _pii_patterns_are_gated(self) -> OperationalLayer:
        """Patterns count only inside the PII check, which runs under a `pii_rate` gate: without
        one they would be stated and never checked."""
        names = [p.name for p in self.pii_patterns]
        taken = sorted({n for n in names if names.count(n) > 1})
        if taken:
            raise ValueError(f"repeated PII pattern names: {', '.join(taken)}")
        builtin = [n for n in names if n in BUILTIN_PII_KINDS]
        if builtin:
            raise ValueError(f"{builtin[0]!r} is a built-in PII kind; give the pattern another name")
        if names and not any(t.metric == "pii_rate" for t in self.thresholds):
            raise ValueError("pii_patterns are only checked under a pii_rate threshold: add one")
        return self

    @model_validator(mode="after")
    def _one_gate_per_metric_and_direction(self) -> OperationalLayer:
        seen: set[tuple[str, bool]] = set()
        for t in self.thresholds:
            key = (t.metric, t.is_upper_bound)
            if key in seen:
                raise ValueError(f"two thresholds bound {t.metric} from the same side")
            seen.add(key)
        return self


# ---------------------------------------------------------------- change


class ChangeLogEntry(_Strict):
    version: str
    date: dt.date | None = None
    change_class: ChangeClass
    summary: str = ""

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        parse_semver(value)
        return value


class ChangeLayer(_Strict):
    """Why this version exists, its impact, its class and how consumers migrate (owner: Data Owner)."""

    reason: str | None = None
    impact: str | None = None
    change_class: ChangeClass = ChangeClass.INITIAL
    compatibility_period_days: int | None = Field(default=None, ge=0, le=3650)
    migration_note: str | None = None
    notice_days: int = Field(default=DEFAULT_NOTICE_DAYS, ge=0, le=365)
    log: list[ChangeLogEntry] = Field(default_factory=list)


# ---------------------------------------------------------------- contract


class Contract(_Strict):
    """One version of an interface contract, all four layers."""

    id: str = Field(pattern=CONTRACT_ID_PATTERN)
    version: str
    name: str = Field(min_length=1, max_length=200)
    purpose: str | None = None
    structural: StructuralLayer
    semantic: SemanticLayer = Field(default_factory=SemanticLayer)
    operational: OperationalLayer
    change: ChangeLayer = Field(default_factory=ChangeLayer)

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        parse_semver(value)
        return value

    @model_validator(mode="after")
    def _layers_name_real_fields(self) -> Contract:
        names = {f.name for f in self.structural.fields}
        for name in self.semantic.fields:
            if name not in names:
                raise ValueError(f"semantic.fields names {name!r}, which is not a field")
        for t in self.operational.thresholds:
            field = metric_field(t.metric)
            if field is not None and field not in names:
                raise ValueError(f"threshold {t.metric} names {field!r}, which is not a field")
        agreement = self.operational.agreement
        if agreement is not None:
            for name in (agreement.item_field, agreement.annotator_field, agreement.label_field):
                if name not in names:
                    raise ValueError(f"operational.agreement names {name!r}, which is not a field")
        return self

    @property
    def version_id(self) -> str:
        """The identity of this version everywhere else: `sft-pairs@1.2.0`."""
        return f"{self.id}@{self.version}"

    @property
    def semver(self) -> semver.Version:
        return parse_semver(self.version)

    def layer(self, layer: Layer) -> BaseModel:
        return getattr(self, layer.value)  # type: ignore[no-any-return]


def split_version_id(version_id: str) -> tuple[str, str]:
    """`sft-pairs@1.2.0` → (`sft-pairs`, `1.2.0`); a ValueError names what was expected."""
    contract_id, sep, version = version_id.partition("@")
    if not sep or not contract_id or not version:
        raise ValueError(f"{version_id!r} is not CONTRACT@VERSION, e.g. sft-pairs@1.2.0")
    parse_semver(version)
    return contract_id, version


# ---------------------------------------------------------------- stored records


class ContractRecord(Record):
    """A registered contract: the interface between two roles, optionally within one project."""

    id: str = Field(pattern=CONTRACT_ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    project_id: str | None = None
    raci_item_id: str
    producer_role: Role
    consumer_role: Role
    registered_by: str
    registered_at: datetime.datetime = Field(default_factory=utcnow)


class ContractVersionRecord(Record):
    """One version of a contract as kept: its ODCS text, its state, and its change management."""

    id: str
    contract_id: str
    semver: str
    state: ContractVersionState
    document: str
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    change_class: ChangeClass
    changes: list[dict[str, Any]] = Field(default_factory=list)
    previous_version_id: str | None = None
    superseded_by_id: str | None = None
    proposed_by: str
    proposed_at: datetime.datetime = Field(default_factory=utcnow)
    effective_from: datetime.datetime
    compatibility_until: datetime.datetime | None = None
    migration_note: str | None = None
    notice_days: int = Field(ge=0)
    short_notice_reason: str | None = None


class ContractNotice(Record):
    """A notice of a breaking change to one Consulted or Informed person, ahead of its effect."""

    id: str
    contract_version_id: str
    person_id: str
    letter: Literal["C", "I"]
    sent_at: datetime.datetime
    effective_at: datetime.datetime

    @staticmethod
    def make_id(version_id: str, person_id: str) -> str:
        return f"{version_id}:{person_id}"

    @property
    def days_ahead(self) -> float:
        return (self.effective_at - self.sent_at).total_seconds() / 86400
