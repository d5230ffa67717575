"""A reviewer's verdict on one sampled record of a delivered batch.

Guarantees: every review names the person who gave it, the record, a verdict (pass/fail), the
place it was read from (`file:line`), and optionally a label for inter-reviewer agreement and
the annotation-guide version the reviewer followed (the batch's unless the review names another). A
review taken for a version's final spot check (the freeze procedure, step 2) carries that
version's id; a review of a batch awaiting review carries none.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from dataflywheel.domain.records.base import Record, utcnow


class ReviewVerdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class Review(Record):
    id: str = Field(min_length=1, max_length=64)
    batch_id: str
    version_id: str | None = None
    record_id: str = Field(min_length=1, max_length=200)
    reviewer_id: str
    verdict: ReviewVerdict
    label: str | None = Field(default=None, min_length=1, max_length=200)
    note: str = ""
    guide_version: str | None = Field(default=None, min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=1024, description="file:line it was read from")
    taken_at: datetime = Field(default_factory=utcnow)
