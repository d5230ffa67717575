"""`flywheel metrics`: the metric layers over a window, read from the records in one session.

The figures are computed by `metrics.compute` from a `History` gathered here: requirements, the
SLA of each requirement delivered in the window, batches, issues, and versions with their
datasets' projects. Reads only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.compute import History, figures
from dataflywheel.metrics.definitions import BY_ID, DEFINITIONS, Layer, MetricDefinition
from dataflywheel.metrics.measure import Figure

DEFAULT_WINDOW = timedelta(weeks=4)
BREAKDOWNS = tuple(sorted({g for d in DEFINITIONS for g in d.breakdowns}))


class MetricsAnswer(BaseModel):
    """The figures of one window, with the window they cover."""

    since: datetime
    until: datetime
    project: str | None
    layer: str | None
    by: str | None
    figures: list[Figure]


def measure(ws: Workspace, *, layer: str | None = None, by: str | None = None,
            since: datetime | None = None, until: datetime | None = None,
            project: str | None = None) -> MetricsAnswer:
    """Every metric of `layer` (all layers by default) over [since, until) — by default the four
    weeks up to now — of one project's records (all by default), broken down by `by` where a
    metric supports it."""
    chosen = _layer(layer)
    if by is not None and by not in BREAKDOWNS:
        raise BadInput("unknown breakdown", field="by", expected=", ".join(BREAKDOWNS), got=by)
    until = until or utcnow()
    since = since or _weeks_before(until)
    if since >= until:
        raise BadInput("the window is empty: --since must be before --until", field="since",
                       got=f"{since.isoformat()} .. {until.isoformat()}")
    with ws.db.session() as s:
        if project is not None:
            from dataflywheel.store.repositories.people import Projects

            Projects(s).get(project)  # an unknown project is NotFound, not empty figures
        history = gather(ws, s, since, until, project)
    return MetricsAnswer(since=since, until=until, project=project, layer=layer, by=by,
                         figures=figures(history, layer=chosen, by=by))


def _weeks_before(until: datetime) -> datetime:
    """The default window's start; at the calendar's first weeks, its first moment."""
    try:
        return until - DEFAULT_WINDOW
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def definition_list(layer: str | None = None) -> list[MetricDefinition]:
    """The definitions of `layer` (all by default), as `flywheel metrics --definitions` prints."""
    chosen = _layer(layer)
    return [d for d in BY_ID.values() if chosen is None or d.layer is chosen]


def _layer(layer: str | None) -> Layer | None:
    if layer is None:
        return None
    try:
        return Layer(layer)
    except ValueError:
        raise BadInput("unknown metric layer", field="layer",
                       expected=", ".join(item.value for item in Layer), got=layer) from None


def gather(ws: Workspace, s: Session, since: datetime, until: datetime,
           project: str | None = None) -> History:
    """The records the window's metrics read (of `project` only, when named), in the read
    session `s`."""
    from dataflywheel.flows.demand.lifecycle import calendar_of, sla_in
    from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions
    from dataflywheel.store.repositories.issues import Issues
    from dataflywheel.store.repositories.people import Requirements

    requirements = Requirements(s).list()
    calendar = calendar_of(ws.settings)
    sla = {r.id: sla_in(s, r, calendar, until) for r in requirements
           if r.delivered_at is not None and since <= r.delivered_at < until}
    return History(
        since=since, until=until, requirements=requirements, sla=sla, batches=Batches(s).list(), issues=Issues(s).list(),
        versions=DatasetVersions(s).list(),
        dataset_project={d.id: d.project_id for d in Datasets(s).list()})

