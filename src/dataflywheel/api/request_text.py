"""Text a request carries: bounded, and without NUL characters — one rule, two ways to state it.

Why: PostgreSQL refuses a NUL inside text (SQLite stores it), so a string with one would become a
500 on one backend and a stored record on the other. Refusing it at the edge makes it a 400 naming
the problem, with nothing stored, on both backends alike.

- The bounded string types (`Id`, `Word`, `Title`, `Ref`, `Prose`, `Document`, and `NO_NUL` for a
  query parameter's own bound) carry the rule as a pattern, so the OpenAPI document tells clients
  (and Schemathesis) before they send.
- `RequestBody`, the base of a body model whose fields are not all such strings (free-form
  mappings, nested models), refuses unknown fields and a NUL in any string, nested or not.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

NO_NUL = r"^[^\x00]*$"

Id = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]
"""A record or person id, a project, a role name."""
Word = Annotated[str, StringConstraints(max_length=40, pattern=NO_NUL)]
"""A kind, severity, source or state name."""
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NO_NUL)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
"""`KIND:ID` of a linked record, or a change's id or name."""
Prose = Annotated[str, StringConstraints(max_length=20_000, pattern=NO_NUL)]
"""A note, reason, resolution or post-mortem section."""
Document = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000, pattern=NO_NUL)]
"""A Markdown document body."""


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
