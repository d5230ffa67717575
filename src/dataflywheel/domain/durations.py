"""Durations and relative times as people read them: "in 3 days", "2 hours ago", "today".

Every duration shown to a person goes through here, so that nobody reads "-1.6e-05 days ahead"
(a float of days printed with `:g`, for a notice sent a few milliseconds after its effect). Values
are rounded to the nearest whole unit, the unit chosen by size; machine output (`--json`) keeps the
exact timestamps, so nothing is lost by rounding here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

_UNITS: tuple[tuple[str, float], ...] = (
    ("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400),
    ("hour", 3600), ("minute", 60),
)
# The smallest size at which a unit is used: "36 hours", not "2 days"; "13 days", not "2 weeks".
_FROM: dict[str, float] = {"year": 365 * 86400, "month": 60 * 86400, "week": 14 * 86400,
                           "day": 48 * 3600, "hour": 3600, "minute": 60}


def humanize(delta: timedelta) -> str:
    """The size of `delta`, sign ignored: "45 minutes", "36 hours", "3 days", "under a minute"."""
    seconds = abs(delta.total_seconds())
    for unit, size in _UNITS:
        if seconds >= _FROM[unit]:
            count = int(seconds / size + 0.5)
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return "under a minute"


def relative(delta: timedelta) -> str:
    """A signed offset from now: "in 3 days" (ahead), "2 hours ago" (behind), "now" (within a
    minute either way, which is where clock jitter lives)."""
    if abs(delta.total_seconds()) < 60:
        return "now"
    return f"in {humanize(delta)}" if delta > timedelta(0) else f"{humanize(delta)} ago"


def relative_day(day: date, today: date) -> str:
    """A calendar day against today: "today", "tomorrow", "yesterday", "in 3 days", "2 weeks ago"."""
    days = (day - today).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    return named.get(days) or relative(timedelta(days=days))


def ahead_of(moment: datetime, reference: datetime) -> str:
    """How far `moment` lies ahead of `reference`: "3 days ahead", "with no lead time" (within a
    minute either way), "2 hours late" (behind it)."""
    delta = moment - reference
    if abs(delta.total_seconds()) < 60:
        return "with no lead time"
    return f"{humanize(delta)} " + ("ahead" if delta > timedelta(0) else "late")


def when(moment: datetime, now: datetime) -> str:
    """A moment for people: relative, then to the minute in UTC — "in 4 hours (2026-12-07 01:44
    UTC)" — so a reader needs no arithmetic and still has the exact minute."""
    return f"{relative(moment - now)} ({moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"


_SPAN_UNITS: dict[str, int] = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_span(text: str, *, field: str, most: timedelta) -> timedelta:
    """`30d`, `12h`, `2w` as a positive duration of at most `most`; anything else is `BadInput`."""
    from dataflywheel.errors import BadInput

    value = text.strip().lower()
    number, unit = value[:-1], value[-1:]
    if unit not in _SPAN_UNITS or not number.isdigit() or int(number) == 0 or len(number) > 6:
        raise BadInput(f"cannot read {text!r} as a duration", field=field,
                       expected="a whole number of hours, days or weeks: 12h, 30d, 2w", got=text)
    span = timedelta(seconds=int(number) * _SPAN_UNITS[unit])
    if span > most:
        raise BadInput(f"{text} is longer than allowed", field=field,
                       expected=f"at most {most.days} days", got=text)
    return span
