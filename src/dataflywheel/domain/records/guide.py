"""Annotation guides: versioned Markdown documents with structured label definitions, an example
library (typical, boundary and counter-examples) and a FAQ whose entries cite the version they
clarify (Table 24-21 "official annotation guides and versioned examples"; Table 24-26 "Are
annotation guides versioned and traceable?").

A guide file is Markdown with a YAML front matter that holds what a machine must read::

    ---
    guide: sft-guide            # the guide's id, kept by every version
    version: 1.2.0              # SemVer: a breaking change needs a major step (contract rule)
    title: SFT answer quality
    notice_days: 7              # how long before a breaking change takes effect
    reason: clarify refusals    # why this version (the change record's "why")
    labels:
      - {name: helpful, definition: "...", boundary: "..."}
    examples:
      - {id: EX-1, label: helpful, kind: boundary, text: "...", explanation: "..."}
    ---
    # The guide's text (Markdown)

The file itself is kept byte for byte in the blob store under its sha256; what is parsed here
is a reading of it, never a replacement. A version's id is `GUIDE@SEMVER` (`sft-guide@1.2.0`):
batches and reviews name it in their `guide_version`.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.contract import ChangeClass, parse_semver
from dataflywheel.errors import BadInput, from_validation

GUIDE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


class ExampleKind(StrEnum):
    """What an example of the library teaches: the usual case, a case at the edge of a label, or a
    case that looks like the label but is not."""

    TYPICAL = "typical"
    BOUNDARY = "boundary"
    COUNTER = "counter"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuideLabel(_Strict):
    """One label: its name, what it means, and where its edge lies."""

    name: str = Field(pattern=NAME_PATTERN)
    definition: str = Field(min_length=1)
    boundary: str | None = None


class GuideExample(_Strict):
    """One entry of the example library, for one label."""

    id: str = Field(pattern=NAME_PATTERN)
    label: str = Field(min_length=1)
    kind: ExampleKind
    text: str = Field(min_length=1)
    explanation: str = ""


def split_version_id(version_id: str) -> tuple[str, str]:
    """`sft-guide@1.2.0` → ("sft-guide", "1.2.0"); a clear error otherwise."""
    guide, sep, version = version_id.partition("@")
    if not sep or not guide or not version:
        raise BadInput(f"not a guide version id: {version_id!r}", field="guide_version",
                       expected="GUIDE@VERSION such as sft-guide@1.2.0")
    return guide, version


class GuideDocument(_Strict):
    """What a guide file says, read from its front matter and body."""

    guide: str = Field(pattern=GUIDE_ID_PATTERN)
    version: str
    title: str = Field(min_length=1, max_length=300)
    notice_days: int = Field(default=7, ge=0, le=365)
    reason: str | None = None
    labels: list[GuideLabel] = Field(min_length=1)
    examples: list[GuideExample] = Field(default_factory=list)
    body: str = ""

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        parse_semver(value)
        return value

    @model_validator(mode="after")
    def _library_names_labels(self) -> GuideDocument:
        names = [label.name for label in self.labels]
        if len(set(names)) != len(names):
            raise ValueError("each label is defined once")
        ids = [e.id for e in self.examples]
        if len(set(ids)) != len(ids):
            raise ValueError("each example id is used once")
        for example in self.examples:
            if example.label not in names:
                raise ValueError(f"example {example.id} names label {example.label!r}, "
                                 f"which the guide does not define")
        return self

    @property
    def version_id(self) -> str:
        return f"{self.guide}@{self.version}"


def parse_guide(text: str, *, source: str) -> GuideDocument:
    """Read a guide file; a bad file is a `BadInput` naming the file and the field."""
    from dataflywheel.yamlsafe import safe_load

    match = _FRONT.match(text)
    if match is None:
        raise BadInput("a guide file starts with a YAML front matter between '---' lines",
                       path=source, expected="---\\nguide: …\\nversion: …\\nlabels: …\\n---")
    head = safe_load(match.group(1), source=source)
    if not isinstance(head, dict):
        raise BadInput("the front matter is not a mapping", path=source,
                       expected="guide, version, title, labels, examples")
    if "body" in head:
        raise BadInput("the front matter may not hold 'body'", path=source, field="body",
                       expected="the Markdown after the front matter")
    try:
        return GuideDocument.model_validate({**head, "body": match.group(2)})
    except ValidationError as exc:
        raise from_validation(exc, source=source, what="invalid annotation guide") from None


class AnnotationGuide(Record):
    """A guide: the id its versions share, and who registered it."""

    id: str = Field(pattern=GUIDE_ID_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    project_id: str | None = None
    registered_by: str
    registered_at: datetime = Field(default_factory=utcnow)


class GuideVersion(Record):
    """One version: its file (blob sha256), what it defines, and its change record (who, why,
    which class of change, which examples changed, when it takes effect)."""

    id: str
    guide_id: str
    version: str
    title: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    labels: list[GuideLabel]
    examples: list[GuideExample]
    change_class: ChangeClass
    changes: list[dict[str, Any]] = Field(default_factory=list)
    examples_changed: list[str] = Field(default_factory=list)
    previous_version_id: str | None = None
    author_id: str
    reason: str | None = None
    notice_days: int = Field(ge=0)
    created_at: datetime = Field(default_factory=utcnow)
    effective_from: datetime = Field(default_factory=utcnow)


class GuideFaq(Record):
    """A question and its answer, citing the guide version it clarifies."""

    id: str = Field(pattern=r"^FAQ-[0-9]{4,}$")
    guide_version_id: str
    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    asked_by: str | None = None
    answered_by: str
    created_at: datetime = Field(default_factory=utcnow)

    @field_validator("question", "answer")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value
