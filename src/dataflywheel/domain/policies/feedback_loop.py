"""The feedback loop's figures: how much routed feedback ended absorbed, and how fast.

feedback-loop rate = events in absorbed themes / events ever routed (None before any is routed);
time-to-absorb = absorbed_at − first_seen of each absorbed theme, in days (3 decimals). Pure: the
flow (`flows/feedback/reflux.py`) counts the events and lists the themes.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dataflywheel.domain.records.feedback import Theme
from dataflywheel.domain.states import ThemeState


@dataclass(frozen=True)
class LoopMetrics:
    routed_events: int
    absorbed_events: int
    loop_rate: float | None
    themes: dict[str, int]
    time_to_absorb_days: list[float]

    def to_dict(self) -> dict[str, Any]:
        times = self.time_to_absorb_days
        return {"routed_events": self.routed_events, "absorbed_events": self.absorbed_events,
                "feedback_loop_rate": self.loop_rate, "themes_by_state": self.themes,
                "time_to_absorb_days": {
                    "count": len(times), "median": statistics.median(times) if times else None,
                    "mean": round(statistics.fmean(times), 3) if times else None,
                    "max": max(times) if times else None}}


def loop_metrics_of(routed: int, absorbed_events: int, themes: Sequence[Theme]) -> LoopMetrics:
    """The figures from the routed event count, the events of absorbed themes and every theme."""
    counts: dict[str, int] = {}
    for t in themes:
        counts[t.state.value] = counts.get(t.state.value, 0) + 1
    times = sorted(round((t.absorbed_at - t.first_seen).total_seconds() / 86400, 3)
                   for t in themes
                   if t.state is ThemeState.ABSORBED and t.absorbed_at and t.first_seen)
    rate = round(absorbed_events / routed, 4) if routed else None
    return LoopMetrics(routed, absorbed_events, rate, counts, times)
