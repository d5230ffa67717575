"""The base of every domain record: strict, typed, no I/O.

Records are what flows reason about; tables (store/tables) are how they are kept. Field names of a
record equal the column names of its table, so a repository maps one to the other without a
hand-written copy of every field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo

STORED: dict[str, Any] = {"stored": True}
"""The validation context of a record read back from the store (`store.repositories`): a limit
that guards what may *enter* the store (a payload's size) was checked when it was written, so a
validator may skip work that only such a limit needs (`read_from_store`)."""


def read_from_store(info: ValidationInfo) -> bool:
    """Whether this validation is of a record read back from the store (context `STORED`)."""
    return bool(info.context and info.context.get("stored"))


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp in the product is UTC."""
    return datetime.now(UTC)


class Record(BaseModel):
    """A domain record. Unknown fields are refused; assignment is validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, from_attributes=True,
                              defer_build=True)

    def digest_dict(self) -> dict[str, object]:
        """The JSON form the audit log digests (before/after of a change)."""
        return self.model_dump(mode="json")
