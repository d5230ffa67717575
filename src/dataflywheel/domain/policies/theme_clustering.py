"""How feedback events cluster into themes: the key, the title, a theme formed or grown, its trend.

Pure: the flow (`flows/feedback/themes.py`) loads the events and themes, finds the nearest centroid
(`term_vectors.CentroidIndex`), stores and audits. An event's key is its project, failure type and
the payload attribute `category`, `question_type` or `task_family` (the first present); only
themes of the same key compete for it. Guarantees: a grown theme's centroid is the running mean
of its events' vectors, its first and last seen span every event; an event that joins an absorbed
or declined theme reopens it and counts a recurrence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dataflywheel.canonjson import sorted_json
from dataflywheel.domain.calendar import iso_week
from dataflywheel.domain.policies.routing import event_text
from dataflywheel.domain.policies.term_vectors import add_to_centroid, cosine, top_terms, vector
from dataflywheel.domain.records.feedback import FeedbackEvent, Theme
from dataflywheel.domain.states import ThemeState, move

DEFAULT_THRESHOLD = 0.25
CATEGORY_KEYS = ("category", "question_type", "task_family")


def payload_text(event: FeedbackEvent) -> str:
    return event_text(event, with_action=False)


def category_of(event: FeedbackEvent) -> str | None:
    attrs = event.payload.attributes
    for key in CATEGORY_KEYS:
        if attrs.get(key) not in (None, ""):
            return str(attrs[key])
    return None


def key_of(event: FeedbackEvent) -> dict[str, Any]:
    return {"project_id": event.project_id, "failure_type": event.failure_type.value,
            "category": category_of(event)}


def key_text(key: Any) -> str:
    """The key as the centroid index compares it (sorted keys, Python's default separators)."""
    return sorted_json(key)


def title(key: dict[str, Any], centroid: dict[str, float]) -> str:
    words = ", ".join(top_terms(centroid)) or "no content words"
    category = f" · {key['category']}" if key.get("category") else ""
    return f"{key['failure_type']}{category}: {words} ({key['project_id']})"[:300]


def new_theme(theme_id: str, event: FeedbackEvent, vec: dict[str, float], key: dict[str, Any],
              threshold: float, now: datetime) -> Theme:
    """The theme `event` starts: its centroid is the event's vector."""
    centroid = add_to_centroid({}, vec)
    return Theme(
        id=theme_id, title=title(key, centroid),
        project_id=event.project_id, stage_id=event.stage_id, failure_type=event.failure_type,
        signature={"key": key, "terms": centroid, "method": "tf-cosine", "threshold": threshold,
                   "recurrences": 0},
        event_count=1, first_seen=event.occurred_at, last_seen=event.occurred_at,
        created_at=now, updated_at=now)


def grown(theme: Theme, event: FeedbackEvent, vec: dict[str, float],
          now: datetime) -> tuple[Theme, bool]:
    """`theme` with `event` joined, and whether that is a recurrence (the theme was absorbed or
    declined, and is open again)."""
    signature = dict(theme.signature)
    signature["terms"] = add_to_centroid(signature.get("terms", {}), vec)
    update: dict[str, Any] = {
        "signature": signature, "event_count": theme.event_count + 1, "updated_at": now,
        "first_seen": min(filter(None, [theme.first_seen, event.occurred_at])),
        "last_seen": max(filter(None, [theme.last_seen, event.occurred_at])),
    }
    recurring = theme.state in (ThemeState.ABSORBED, ThemeState.DECLINED)
    if recurring:
        signature["recurrences"] = int(signature.get("recurrences", 0)) + 1
        update.update(state=move(f"theme {theme.id}", theme.state, ThemeState.OPEN),
                      decision_reason=None)
    return Theme.model_validate({**theme.model_dump(), **update}), recurring


@dataclass(frozen=True)
class ThemeView:
    """A theme with its trend (events per ISO week) and representative examples."""

    theme: Theme
    weekly: list[tuple[str, int]]
    examples: list[FeedbackEvent]

    def to_dict(self) -> dict[str, Any]:
        data = self.theme.model_dump(mode="json", exclude={"signature"})
        data["top_terms"] = top_terms(self.theme.signature.get("terms", {}), 8)
        data["recurrences"] = self.theme.signature.get("recurrences", 0)
        data["weekly"] = [{"week": w, "events": n} for w, n in self.weekly]
        data["examples"] = [{"id": e.id, "text": payload_text(e)[:300]} for e in self.examples]
        return data


def view_of(events: list[FeedbackEvent], theme: Theme, examples: int, weeks: int,
            now: datetime) -> ThemeView:
    """The last `weeks` ISO weeks of event counts up to `now`, and the `examples` events nearest
    the centroid (ties by id)."""
    centroid = theme.signature.get("terms", {})
    ranked = sorted(events, key=lambda e: (-cosine(vector(payload_text(e)), centroid), e.id))
    counts = Counter(iso_week(e.occurred_at) for e in events)
    labels = [iso_week(now - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    return ThemeView(theme, [(w, counts.get(w, 0)) for w in labels], ranked[:examples])

