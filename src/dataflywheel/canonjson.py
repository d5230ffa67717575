"""The one canonical JSON form, for bytes that are hashed, signed or stored by their hash.

The rule (`canonical_json`), fixed because stored hashes depend on it — audit entries, signed
heads and frozen version manifests are verified against hashes of these bytes:

- object keys sorted; separators ``,`` and ``:`` with no whitespace;
- text as UTF-8, never ``\\u`` escapes (``ensure_ascii=False``);
- finite numbers only: NaN and infinities raise `ValueError` (they are not JSON);
- dates and times as ISO 8601, enums as their value, `Decimal`/`UUID`/`Path` as text, sets as
  sorted lists, pydantic models as their JSON dump; any other type raises `TypeError`.

Anything else is a presentation, not this form: `sorted_json` is Python's default layout with
sorted keys, and each caller says which presentation it needs (``indent=2`` for files people
read, ``ascii=False`` to show text as is). A few hashes predate this module and were taken over
that layout (error-sample digests); they keep it so their stored values stay the same.

A top-level module: every layer may import it, and it imports no subpackage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import BaseModel


def _plain(value: Any) -> Any:
    """The JSON value of a type `json` does not know (see the module's rule)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID | Path):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"a value of type {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of `value` (the module's rule); `TypeError` or `ValueError` when
    `value` has no canonical form."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_plain).encode("utf-8")


def sorted_json(value: Any, *, indent: int | None = None, ascii: bool = True,
                default: Callable[[Any], Any] | None = None) -> str:
    """`value` as JSON text with sorted keys in Python's default layout (``", "`` and ``": "``,
    or `indent` spaces per level); `ascii=False` keeps non-ASCII text as is. A presentation for
    people and for the digests taken over it before `canonical_json` existed."""
    return json.dumps(value, sort_keys=True, indent=indent, ensure_ascii=ascii, default=default)
