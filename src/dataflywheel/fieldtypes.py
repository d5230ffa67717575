"""The one set of field types: what a contract declares and what the check engine checks.

A field's type is a JSON value's type. The engine knows one more, `any`: a plan field whose type
is not checked (a hand-written plan's default). A contract always declares a real type, so
`any` is not among `DECLARED`; a contract type maps to the engine's type of the same name.

A top-level module: `checks` and `domain` both import it, and it imports no subpackage.
"""

from __future__ import annotations

from enum import StrEnum


class FieldType(StrEnum):
    """A JSON value's type, or `any` (not checked; plans only)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    ARRAY = "array"
    OBJECT = "object"
    ANY = "any"


DECLARED: tuple[FieldType, ...] = tuple(t for t in FieldType if t is not FieldType.ANY)
"""The types a contract may declare, in the order messages list them."""


def declared(value: FieldType) -> FieldType:
    """`value` if a contract may declare it; `ValueError` for `any` (the plan's "not checked")."""
    if value not in DECLARED:
        raise ValueError(f"a contract field needs a type, one of {', '.join(DECLARED)}; "
                         f"{value.value!r} is only a check plan's default")
    return value
