"""The check plan: what the quality engine checks in a batch, and the thresholds that gate it.

A plan is written by hand as YAML or compiled from a contract version. It is the only input the
engine takes besides the files, so two runs with the same plan and bytes give the same report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import FieldType


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    """One top-level field of a record."""

    name: str
    type: FieldType = FieldType.ANY
    required: bool = True
    nullable: bool = False
    enum: list[str | int | float | bool] | None = None
    items: FieldType | None = Field(default=None, description="element type when type is array")


class SchemaSpec(_Strict):
    fields: list[FieldSpec] = Field(default_factory=list)
    additional_fields: Literal["allow", "reject"] = "allow"


class NearDuplicateSpec(_Strict):
    num_perm: int = Field(default=128, ge=16, le=1024)
    ngram: int = Field(default=5, ge=1, le=32)
    threshold: float = Field(default=0.8, gt=0.0, le=1.0)
    seed: int = 1


PiiKind = Literal["email", "phone", "ipv4", "ipv6", "card"]
PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "ipv4", "ipv6", "card")


class PiiSpec(_Strict):
    kinds: list[PiiKind] = Field(default_factory=lambda: list(PII_KINDS))
    id_patterns: dict[str, str] = Field(default_factory=dict, description="name -> regex")
    reveal: bool = False


class ReferenceFile(_Strict):
    """One reference file read at its own text fields (an evaluation set's, not the batch's)."""

    path: str
    text_fields: list[str] = Field(min_length=1)


class ContaminationSpec(_Strict):
    reference: list[str | ReferenceFile] = Field(
        min_length=1,
        description="paths or fsspec URLs of the reference (evaluation) set, or {path, "
                    "text_fields} for a file read at its own text fields",
    )
    reference_text_fields: list[str] | None = None
    ngram: int = Field(default=8, ge=1, le=64)
    threshold: float = Field(default=0.5, gt=0.0, le=1.0)

    @property
    def paths(self) -> list[str]:
        return [r if isinstance(r, str) else r.path for r in self.reference]

    def fields_of(self, entry: str | ReferenceFile, plan_fields: list[str]) -> list[str]:
        """The text fields a reference file is read at: its own, the spec's, or the plan's."""
        if isinstance(entry, ReferenceFile):
            return list(entry.text_fields)
        return list(self.reference_text_fields or plan_fields)


class AgreementSpec(_Strict):
    item_field: str = "item_id"
    annotator_field: str = "annotator_id"
    label_field: str = "label"
    level: Literal["nominal", "ordinal", "interval"] = "nominal"
    source_format: Literal["records", "labelstudio"] = "records"
    scale: list[str] | None = Field(
        default=None,
        description="ordered text labels of an ordinal/interval scale, e.g. [slight, clear, strong]: "
                    "each label stands for its position",
    )

    @model_validator(mode="after")
    def _scale_fits_level(self) -> AgreementSpec:
        if self.scale is not None:
            if self.level == "nominal":
                raise ValueError("scale orders labels; it needs level ordinal or interval")
            if len(set(self.scale)) != len(self.scale) or len(self.scale) < 2:
                raise ValueError("scale needs at least two distinct labels")
        return self


class SpotCheckSpec(_Strict):
    sample_size: int = Field(default=50, ge=1)
    stratify_by: str | None = None
    seed: int = 0
    reviews: str | None = Field(default=None, description="file of reviewer verdicts (JSONL)")


class ChecksSpec(_Strict):
    """Which checks run. A missing key means the check does not run."""

    structural: bool = True
    exact_duplicates: bool = True
    near_duplicates: NearDuplicateSpec | None = None
    blank: bool = True
    charset: bool = True
    length: bool = True
    pii: PiiSpec | None = None
    contamination: ContaminationSpec | None = None
    agreement: AgreementSpec | None = None
    spot_check: SpotCheckSpec | None = None


class Threshold(_Strict):
    """A gate on one metric of the report: `metric op value`, e.g. `duplicate_rate < 0.01`."""

    metric: str
    op: Literal["<", "<=", ">", ">=", "=="]
    value: float
    source: str | None = Field(default=None, description="where the threshold came from, e.g. a contract")

    def holds(self, observed: float) -> bool:
        return {
            "<": observed < self.value,
            "<=": observed <= self.value,
            ">": observed > self.value,
            ">=": observed >= self.value,
            "==": observed == self.value,
        }[self.op]


class CheckPlan(_Strict):
    """Everything the engine needs to know about a batch, besides its bytes."""

    name: str = "plan"
    id_field: str | None = Field(default=None, description="record id; the line number if absent")
    text_fields: list[str] = Field(
        default_factory=list,
        description="paths of the text to check: 'output', 'meta.title', 'messages[].content'",
    )
    schema_: SchemaSpec = Field(default_factory=SchemaSpec, alias="schema")
    checks: ChecksSpec = Field(default_factory=ChecksSpec)
    thresholds: list[Threshold] = Field(default_factory=list)
    breakdown_by: str | None = None
    max_examples: int = Field(default=5, ge=0, le=1000)
    contract: str | None = Field(default=None, description="contract id@version it was compiled from")
    max_line_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="longer JSONL lines are rejected by line number, never held in memory",
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _text_fields_needed(self) -> CheckPlan:
        text_checks = self.checks.exact_duplicates or self.checks.near_duplicates or self.checks.pii
        if text_checks and not self.text_fields:
            raise ValueError("text_fields must name at least one field when text checks run")
        return self

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_plan(path: str | Path) -> CheckPlan:
    """Read a plan from YAML, naming the file and the path in the document on any error."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput("check plan not found", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise BadInput("check plan is not UTF-8", path=str(path), got=str(exc)) from None
    return parse_plan(text, source=str(path))


def parse_plan(text: str, *, source: str = "<plan>") -> CheckPlan:
    from dataflywheel.yamlsafe import safe_load

    data = safe_load(text, source=source)
    if not isinstance(data, dict):
        raise BadInput("check plan must be a mapping", path=source, got=type(data).__name__)
    try:
        return CheckPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top)"
        raise BadInput(
            f"invalid check plan ({exc.error_count()} problem(s))",
            path=source,
            field=where,
            expected=first["msg"],
            got=first.get("input"),
        ) from None
