"""Parsing command-line values that every group shares."""

from __future__ import annotations

from datetime import UTC, datetime

from dataflywheel.errors import BadInput


def parse_time(value: str | None, field: str, *, require_zone: bool = False) -> datetime | None:
    """An ISO 8601 date or time, as aware UTC. A date is its UTC midnight; a time without a zone
    is UTC, unless `require_zone` (times that must not be ambiguous, such as a contract's effect)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"not a time: {value!r}", field=field,
                       expected="ISO 8601, e.g. 2026-12-01 or 2026-12-01T18:00+08:00") from None
    if parsed.tzinfo is None:
        if require_zone and len(value) > 10:
            raise BadInput("a time needs a zone", field=field,
                           expected="e.g. 2026-12-01T18:00:00+08:00", got=value)
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
