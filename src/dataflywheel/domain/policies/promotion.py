"""The cut of `flywheel feedback promote`: which scored themes are promoted, queued or declined.

Pure: the flow (`flows/feedback/reflux.py`) scores the themes and carries out each decision.
Guarantees: themes rank by leverage, highest first (ties by id); a theme under the minimum score is
declined whatever its rank; of the others, ranks 1 … `top` are promoted and the rest queued; a
queued or declined theme gets its reason, a promoted one none (its requirement or issue says why).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from dataflywheel.domain.policies.leverage import ThemeFactors
from dataflywheel.domain.states import ThemeState


@dataclass(frozen=True)
class Scored:
    theme_id: str
    title: str
    factors: ThemeFactors
    score: float
    formula: str


@dataclass(frozen=True)
class Decision:
    item: Scored
    state: ThemeState
    reason: str | None


def ranked(scored: Iterable[Scored]) -> list[Scored]:
    """Highest leverage first; equal scores by theme id."""
    return sorted(scored, key=lambda x: (-x.score, x.theme_id))


def cut(ranking: Sequence[Scored], *, top: int, min_score: float, on: date) -> list[Decision]:
    """One decision per theme of `ranking`, in its order (see the module guarantees)."""
    decisions = []
    for rank, item in enumerate(ranking, start=1):
        if item.score < min_score:
            reason = f"leverage {item.score:g} is below the minimum {min_score:g}"
            decisions.append(Decision(item, ThemeState.DECLINED, reason))
        elif rank <= top:
            decisions.append(Decision(item, ThemeState.PROMOTED, None))
        else:
            reason = (f"leverage {item.score:g} ranks #{rank}; only the top {top} were promoted "
                      f"on {on.isoformat()}")
            decisions.append(Decision(item, ThemeState.QUEUED, reason))
    return decisions
