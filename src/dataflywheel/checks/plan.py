"""The check plan: what the quality engine checks in a batch, and the thresholds that gate it.

A plan is written by hand as YAML or compiled from a contract version. It is the only input the
engine takes besides the files, so two runs with the same plan and bytes give the same report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from dataflywheel.errors import BadInput
from dataflywheel.fieldtypes import FieldType


class Settings(BaseModel):
    """The base of every settings model of a plan: unknown keys are refused, values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(Settings):
    """One top-level field of a record."""

    name: str
    type: FieldType = FieldType.ANY
    required: bool = True
    nullable: bool = False
    enum: list[str | int | float | bool] | None = None
    items: FieldType | None = Field(default=None, description="element type when type is array")


class SchemaSpec(Settings):
    fields: list[FieldSpec] = Field(default_factory=list)
    additional_fields: Literal["allow", "reject"] = "allow"


class ChecksSpec(BaseModel):
    """Which checks run, each under its name with its settings: the keys are exactly the
    registered checks (`Check.settings`, `on_by_default`); a check that is not given and is not
    on by default does not run. Validated against `checks.registry.settings_model()`, so a
    plugin check is turned on by a plan like a built-in one. `get(name)` reads one check's value.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _registered(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(data, ChecksSpec):
            return handler(data)
        from dataflywheel.checks.registry import settings_model

        checked = settings_model().model_validate(data)  # errors keep their place (checks.pii.x)
        return handler(dict(checked))

    def get(self, name: str) -> Any:
        """The value of check `name`: its settings, True/False for a switch, None when absent."""
        return (self.__pydantic_extra__ or {}).get(name)


class Threshold(Settings):
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


class CheckPlan(Settings):
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
        from dataflywheel.checks.registry import text_checks

        if not self.text_fields and any(self.checks.get(name) for name in text_checks()):
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
