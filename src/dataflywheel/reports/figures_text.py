"""Metric figures as terminal text: a value in its unit, and a breakdown drawn as bars.

Shared by `flywheel metrics` and the demo so both show a figure the same way.
"""

from __future__ import annotations

from dataflywheel.metrics.measure import Figure

BAR = 24


def shown(value: float | None, unit: str) -> str:
    """`value` in its unit: a ratio as a percentage, hours with one decimal, `—` for none."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return f"{value:.1f} h"
    return f"{value:g}"


def bar_lines(figure: Figure) -> list[str]:
    """One line per group of the figure's breakdown: name, a bar scaled to the largest, value."""
    if not figure.breakdown:
        return []
    top = max(abs(g.value) for g in figure.breakdown) or 1.0
    width = max(len(g.group) for g in figure.breakdown)
    lines = []
    for g in figure.breakdown:
        bar = "█" * max(1, round(BAR * abs(g.value) / top)) if g.value else ""
        lines.append(f"  {g.group.ljust(width)} {bar:<{BAR}} {shown(g.value, figure.unit)} "
                     f"(n={g.samples})")
    return lines
