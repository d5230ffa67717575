"""Themes: routed events clustered by project, failure type, category and payload text.

An event joins the theme of the same key (project, failure type, and the payload attribute
`category`, `question_type` or `task_family` when the event has one) whose centroid is most similar
to it (IDF-weighted cosine, IDF over the events stored now), if that similarity is at least the
threshold; otherwise it starts a theme. Events are placed oldest first. Themes are stored with their centroid, so a
later ingest joins the themes of earlier ones. Guarantees: every routed event ends themed (exactly
one theme); an event that joins a theme already absorbed or declined reopens it and counts a
recurrence — a recurring problem is recognised as recurring, never filed as new.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.canonjson import sorted_json
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.feedback import FeedbackEvent, Theme
from dataflywheel.domain.states import FeedbackState, ThemeState, move
from dataflywheel.errors import BadInput
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.domain.policies.term_vectors import (
    CentroidIndex,
    add_to_centroid,
    cosine,
    idf_table,
    terms,
    top_terms,
    vector,
)
from dataflywheel.flows.feedback.routing import event_text
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import FeedbackEvents, Themes
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.tables.feedback import ThemeRow

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


@dataclass
class ThemeReport:
    created: list[str] = field(default_factory=list)
    joined: dict[str, int] = field(default_factory=dict)
    recurring: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"created": self.created, "events_by_theme": self.joined, "recurring": self.recurring}


def form_themes(ws: Workspace, *, threshold: float = DEFAULT_THRESHOLD,
                now: datetime | None = None) -> ThemeReport:
    """Put every routed event into a theme (one transaction); see the module guarantees."""
    if not 0.0 < threshold <= 1.0:
        raise BadInput("theme similarity threshold out of range", field="threshold",
                       expected="a number in (0, 1]", got=threshold)
    now = now or utcnow()
    report = ThemeReport()
    with ws.db.unit_of_work() as s:
        repo = FeedbackEvents(s)
        events = sorted(repo.list(state=FeedbackState.ROUTED.value),
                        key=lambda e: (e.occurred_at, e.id))
        corpus = events + repo.list(state=FeedbackState.THEMED.value)
        idf = idf_table(terms(payload_text(e)) for e in corpus)
        themes = {t.id: t for t in Themes(s).list()}
        index = CentroidIndex(idf)
        for theme in themes.values():
            index.put(theme.id, _key_text(theme.signature.get("key")), theme.signature.get("terms", {}))
        for event in events:
            theme = _place(ws, s, event, themes, threshold, index, now, report)
            themes[theme.id] = theme
            index.put(theme.id, _key_text(theme.signature.get("key")), theme.signature["terms"])
            report.joined[theme.id] = report.joined.get(theme.id, 0) + 1
    return report


def _key_text(key: Any) -> str:
    return sorted_json(key)


def _place(ws: Workspace, s: Session, event: FeedbackEvent, themes: dict[str, Theme],
           threshold: float, index: CentroidIndex, now: datetime, report: ThemeReport) -> Theme:
    vec = vector(payload_text(event))
    key = key_of(event)
    best, similarity = index.nearest(_key_text(key), vec)
    if best is None or similarity < threshold:
        theme = _new_theme(ws, s, event, vec, key, threshold, now)
        report.created.append(theme.id)
    else:
        theme = _join(ws, s, themes[best], event, vec, now, report)
    events = FeedbackEvents(s)
    after = FeedbackEvent.model_validate({**event.model_dump(), "state": move(
        f"feedback event {event.id}", event.state, FeedbackState.THEMED), "theme_id": theme.id})
    update_audited(events, event, after, actor=ws.actor, action="feedback_event.themed",
                   reason=f"joined {theme.id}")
    return theme


def _title(key: dict[str, Any], centroid: dict[str, float]) -> str:
    words = ", ".join(top_terms(centroid)) or "no content words"
    category = f" · {key['category']}" if key.get("category") else ""
    return f"{key['failure_type']}{category}: {words} ({key['project_id']})"[:300]


def _new_theme(ws: Workspace, s: Session, event: FeedbackEvent, vec: dict[str, float],
               key: dict[str, Any], threshold: float, now: datetime) -> Theme:
    repo = Themes(s)
    centroid = add_to_centroid({}, vec)
    theme = Theme(
        id=next_sequential_id(s, ThemeRow, "TH"), title=_title(key, centroid),
        project_id=event.project_id, stage_id=event.stage_id, failure_type=event.failure_type,
        signature={"key": key, "terms": centroid, "method": "tf-cosine", "threshold": threshold,
                   "recurrences": 0},
        event_count=1, first_seen=event.occurred_at, last_seen=event.occurred_at,
        created_at=now, updated_at=now)
    return add_audited(repo, theme, actor=ws.actor, reason=f"formed from {event.id}")


def _join(ws: Workspace, s: Session, theme: Theme, event: FeedbackEvent, vec: dict[str, float],
          now: datetime, report: ThemeReport) -> Theme:
    signature = dict(theme.signature)
    signature["terms"] = add_to_centroid(signature.get("terms", {}), vec)
    update: dict[str, Any] = {
        "signature": signature, "event_count": theme.event_count + 1, "updated_at": now,
        "first_seen": min(filter(None, [theme.first_seen, event.occurred_at])),
        "last_seen": max(filter(None, [theme.last_seen, event.occurred_at])),
    }
    action = "theme.grow"
    if theme.state in (ThemeState.ABSORBED, ThemeState.DECLINED):
        signature["recurrences"] = int(signature.get("recurrences", 0)) + 1
        update.update(state=move(f"theme {theme.id}", theme.state, ThemeState.OPEN),
                      decision_reason=None)
        action = "theme.recur"
        report.recurring.append(theme.id)
    after = Theme.model_validate({**theme.model_dump(), **update})
    return update_audited(Themes(s), theme, after, actor=ws.actor, action=action,
                          reason=f"{event.id} joined")


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


def theme_views(ws: Workspace, *, theme_id: str | None = None, examples: int = 3,
                weeks: int = 8, now: datetime | None = None) -> list[ThemeView]:
    """Themes (or one), largest first, with the last `weeks` ISO weeks of counts and examples."""
    now = now or utcnow()
    with ws.db.session() as s:
        repo = Themes(s)
        themes = [repo.get(theme_id)] if theme_id else repo.list()
        views = [_view(repo.events(t.id), t, examples, weeks, now) for t in themes]
    return sorted(views, key=lambda v: (-v.theme.event_count, v.theme.id))


def _view(events: list[FeedbackEvent], theme: Theme, examples: int, weeks: int,
          now: datetime) -> ThemeView:
    centroid = theme.signature.get("terms", {})
    ranked = sorted(events, key=lambda e: (-cosine(vector(payload_text(e)), centroid), e.id))
    counts = Counter(_week(e.occurred_at) for e in events)
    labels = [_week(now - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    return ThemeView(theme, [(w, counts.get(w, 0)) for w in labels], ranked[:examples])


def _week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"
