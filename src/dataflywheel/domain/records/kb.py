"""Knowledge-base records: Markdown documents linked to records and to each other.

Guarantees: a document has a non-blank title and body; a link names one target by kind and id
(`kb` for another document), and its id is derived from both ends, so linking twice collides.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator

from dataflywheel.domain.records.base import Record, utcnow


class DocKind(StrEnum):
    POST_MORTEM = "post_mortem"
    BEST_PRACTICE = "best_practice"
    TEMPLATE = "template"
    DECISION_RECORD = "decision_record"
    ONBOARDING = "onboarding"


class LinkTarget(StrEnum):
    """What a document may link to; `kb` is another document."""

    KB = "kb"
    ISSUE = "issue"
    POST_MORTEM = "post_mortem"
    BATCH = "batch"
    VERSION = "version"
    EXPERIMENT = "experiment"
    REQUIREMENT = "requirement"
    CONTRACT_VERSION = "contract_version"
    PROJECT = "project"


class KbDocument(Record):
    id: str = Field(pattern=r"^KB-[0-9]{4,}$")
    kind: DocKind
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1)
    project_id: str | None = None
    author_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @field_validator("title", "body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class KbLink(Record):
    id: str
    document_id: str
    target_kind: LinkTarget
    target_id: str = Field(min_length=1, max_length=200)

    @classmethod
    def to(cls, document_id: str, kind: LinkTarget, target_id: str) -> KbLink:
        return cls(id=f"{document_id}->{kind.value}:{target_id}", document_id=document_id,
                   target_kind=kind, target_id=target_id)
