"""`RequestBody`: the base of request-body models — unknown fields refused, and no NUL character
in any string, nested or not. PostgreSQL cannot store U+0000 in a text column (nor compare one in a
query), so such a body would fail inside the flow as a 500; it is refused up front as a 400 naming
the problem, with nothing stored, on both backends alike."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def has_nul(value: Any) -> bool:
    """Whether `value` (JSON-shaped) holds a string with a NUL character anywhere."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if has_nul(data):
            raise ValueError("a string holds a NUL character (U+0000), which cannot be stored")
        return data
