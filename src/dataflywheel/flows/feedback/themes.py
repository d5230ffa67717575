"""Themes: routed events clustered by project, failure type, category and payload text.

An event joins the theme of the same key (project, failure type, and the payload attribute
`category`, `question_type` or `task_family` when the event has one) whose centroid is most similar
to it (IDF-weighted cosine, IDF over the events stored now), if that similarity is at least the
threshold; otherwise it starts a theme. Events are placed oldest first. Themes are stored with their centroid, so a
later ingest joins the themes of earlier ones. Guarantees: every routed event ends themed (exactly
one theme); an event that joins a theme already absorbed or declined reopens it and counts a
recurrence — a recurring problem is recognised as recurring, never filed as new.

The clustering itself (key, title, a theme formed or grown, its trend) is pure and lives in
`domain/policies/theme_clustering.py`; this module loads, places each event, stores and audits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.term_vectors import CentroidIndex, idf_table, terms, vector
from dataflywheel.domain.policies.theme_clustering import (
    DEFAULT_THRESHOLD,
    ThemeView,
    grown,
    key_of,
    key_text,
    new_theme,
    payload_text,
    view_of,
)
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.feedback import FeedbackEvent, Theme
from dataflywheel.domain.states import FeedbackState, move
from dataflywheel.errors import BadInput
from dataflywheel.flows._audit import add_audited, update_audited
from dataflywheel.flows._listing import Joined, Listing, by_parent
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.feedback import FeedbackEvents, Themes
from dataflywheel.store.tables.feedback import ThemeRow


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
            index.put(theme.id, key_text(theme.signature.get("key")), theme.signature.get("terms", {}))
        for event in events:
            theme = _place(ws, s, event, themes, threshold, index, now, report)
            themes[theme.id] = theme
            index.put(theme.id, key_text(theme.signature.get("key")), theme.signature["terms"])
            report.joined[theme.id] = report.joined.get(theme.id, 0) + 1
    return report


def _place(ws: Workspace, s: Session, event: FeedbackEvent, themes: dict[str, Theme],
           threshold: float, index: CentroidIndex, now: datetime, report: ThemeReport) -> Theme:
    vec = vector(payload_text(event))
    key = key_of(event)
    best, similarity = index.nearest(key_text(key), vec)
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


def _new_theme(ws: Workspace, s: Session, event: FeedbackEvent, vec: dict[str, float],
               key: dict[str, Any], threshold: float, now: datetime) -> Theme:
    theme = new_theme(next_sequential_id(s, ThemeRow, "TH"), event, vec, key, threshold, now)
    return add_audited(Themes(s), theme, actor=ws.actor, reason=f"formed from {event.id}")


def _join(ws: Workspace, s: Session, theme: Theme, event: FeedbackEvent, vec: dict[str, float],
          now: datetime, report: ThemeReport) -> Theme:
    after, recurring = grown(theme, event, vec, now)
    if recurring:
        report.recurring.append(theme.id)
    return update_audited(Themes(s), theme, after, actor=ws.actor,
                          action="theme.recur" if recurring else "theme.grow",
                          reason=f"{event.id} joined")


def themes(ws: Workspace, *, state: str | None = None, project_id: str | None = None,
           examples: int = 3, weeks: int = 8,
           now: datetime | None = None) -> Joined[Theme, ThemeView]:
    """Themes as a paged list (`flywheel feedback themes list`, `GET /api/v1/feedback/themes`):
    by id (oldest theme first; `feedback prioritise` ranks them), filtered by state and project
    in the database, each with its trend and examples. A page's events are read with one query
    (`Repository.where_in`), never one per theme."""
    at = now or utcnow()

    def join(s: Session, page: list[Theme]) -> list[ThemeView]:
        grouped = by_parent(FeedbackEvents(s).where_in("theme_id", [t.id for t in page]),
                            lambda e: e.theme_id)
        return [view_of(grouped.get(t.id, []), t, examples, weeks, at) for t in page]

    return Joined(Listing(ws, Themes, state=state, project_id=project_id), join)


def theme_views(ws: Workspace, *, theme_id: str | None = None, examples: int = 3,
                weeks: int = 8, now: datetime | None = None) -> list[ThemeView]:
    """Themes (or one), largest first, with the last `weeks` ISO weeks of counts and examples."""
    now = now or utcnow()
    with ws.db.session() as s:
        repo = Themes(s)
        themes = [repo.get(theme_id)] if theme_id else repo.list()
        views = [view_of(repo.events(t.id), t, examples, weeks, now) for t in themes]
    return sorted(views, key=lambda v: (-v.theme.event_count, v.theme.id))

