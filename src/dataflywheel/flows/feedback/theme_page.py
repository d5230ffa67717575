"""One theme for a page: its record, its events per ISO week counted in the database, and
representative examples — what `/feedback/themes/{theme}` shows.

Why not `themes.theme_views`, which `GET /api/v1/feedback/themes/{theme}` answers with: it reads
every event of the theme to count its weeks and rank its examples, seconds for a theme of 100k
events. Here the weeks are range counts on the index (theme_id, occurred_at, id), the same weeks and
counts; the examples are ranked by the same function (`theme_clustering.view_of`: nearest the
centroid, ties by id) over the theme's `POOL` latest events — the API's examples whenever the
theme has no more events than that, and said so on the page otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select

from dataflywheel.domain.calendar import iso_week
from dataflywheel.domain.policies.theme_clustering import view_of
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.feedback import Theme
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.feedback import FeedbackEvents, Themes
from dataflywheel.store.tables.feedback import FeedbackEventRow

POOL = 200


class ThemeExample(BaseModel):
    id: str
    text: str


class ThemeSummary(BaseModel):
    """A theme with its weekly counts (oldest week first) and examples; `ranked_among` is how
    many of its latest events the examples were chosen from."""

    theme: Theme
    weekly: list[tuple[str, int]]
    examples: list[ThemeExample]
    ranked_among: int


def week_start(label: str) -> datetime:
    """Monday 00:00 UTC of ISO week `label` (`2026-W48`), the week `iso_week` names."""
    year, week = label.split("-W")
    return datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=UTC)


def theme_summary(ws: Workspace, theme_id: str, *, weeks: int = 8, examples: int = 3,
                  now: datetime | None = None) -> ThemeSummary:
    """The theme (`NotFound` when unknown), its last `weeks` ISO weeks of events up to `now`,
    and its `examples` nearest the centroid among its `POOL` latest events."""
    now = now or utcnow()
    labels = [iso_week(now - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    event = FeedbackEventRow
    counts = select(*[select(func.count()).where(
        event.theme_id == theme_id, event.occurred_at >= week_start(label),
        event.occurred_at < week_start(label) + timedelta(weeks=1)).scalar_subquery()
        for label in labels])
    latest = select(event.id).where(event.theme_id == theme_id).order_by(
        event.occurred_at.desc(), event.id.desc()).limit(POOL)
    with ws.db.session() as s:
        theme = Themes(s).get(theme_id)
        weekly = [int(n or 0) for n in s.execute(counts).one()]
        pool = FeedbackEvents(s).where_in("id", list(s.scalars(latest)))
    ranked = view_of(pool, theme, examples, weeks, now)
    return ThemeSummary(
        theme=theme, weekly=list(zip(labels, weekly, strict=True)), ranked_among=len(pool),
        examples=[ThemeExample(**e) for e in ranked.to_dict()["examples"]])
