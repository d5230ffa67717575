"""`flywheel metrics`: the metric layers over a window, read from the records in one session.

The figures are computed by `metrics.compute` from a `History` gathered here: requirements, the
SLA of each requirement delivered in the window, batches, issues, versions with their datasets'
projects, experiments compared with a baseline (with the baselines, their error-sample counts and
the versions each used), the data each project began using (asset uses; experiments' versions)
with the records of the versions reused, breaking contract versions taking effect with their
notices, and the consultations due or answered. Reads only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.states import BatchState
from dataflywheel.errors import BadInput
from dataflywheel.flows.workspace import Workspace
from dataflywheel.metrics.compute import GONE, History, Use, figures
from dataflywheel.metrics.definitions import BY_ID, DEFINITIONS, Layer, MetricDefinition
from dataflywheel.metrics.measure import MetricsAnswer, Sample
from dataflywheel.metrics.scorecard import Scorecard, scorecard

DEFAULT_WINDOW = timedelta(weeks=4)
CHUNK = 500
BREAKDOWNS = tuple(sorted({g for d in DEFINITIONS for g in d.breakdowns}))


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
        _project_exists(s, project)
        history = gather(ws, s, since, until, project)
    return MetricsAnswer(since=since, until=until, project=project, layer=layer, by=by,
                         figures=figures(history, layer=chosen, by=by))


def weekly(ws: Workspace, *, weeks: int = 8, until: datetime | None = None,
           project: str | None = None) -> list[MetricsAnswer]:
    """Every metric week by week: `weeks` windows of seven days ending at `until` (default now),
    oldest first, of one project or the whole team — the trends of the executive dashboard, each
    window what `flywheel metrics --since … --until …` answers for it."""
    if not 1 <= weeks <= 52:
        raise BadInput("weeks out of range", field="weeks", expected="1..52", got=str(weeks))
    until = until or utcnow()
    with ws.db.session() as s:
        _project_exists(s, project)
        answers = []
        for n in range(weeks, 0, -1):
            end = until - timedelta(weeks=n - 1)
            start = end - timedelta(weeks=1)
            answers.append(MetricsAnswer(since=start, until=end, project=project, layer=None,
                                         by=None, figures=figures(gather(ws, s, start, end,
                                                                         project))))
    return answers


def compare(ws: Workspace, *, before: tuple[datetime, datetime],
            after: tuple[datetime, datetime], project: str | None = None) -> Scorecard:
    """The Table 24-24 scorecard: its five metrics over the period `before` and the period
    `after` (each [since, until)), of one project or the whole team."""
    for name, (since, until) in (("before", before), ("after", after)):
        if since >= until:
            raise BadInput(f"the period {name} is empty: its start must be before its end",
                           field=name, got=f"{since.isoformat()}..{until.isoformat()}")
    with ws.db.session() as s:
        _project_exists(s, project)
        return scorecard(gather(ws, s, *before, project), gather(ws, s, *after, project),
                         project)


def _project_exists(s: Session, project: str | None) -> None:
    """An unknown project is `NotFound`, not a page of empty figures."""
    if project is not None:
        from dataflywheel.store.repositories.people import Projects

        Projects(s).get(project)


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
    session `s`. The database picks them by their moments — delivered or started; checked or
    received; closed or resolved; frozen; ended; begun; joined; taking effect; due or answered —
    so the cost follows the window, not the size of the pools; the SLA of the requirements
    delivered in it is read in one go.
    Work still open at the window's end is only counted, so it is read as its groups, not as
    records (13k open requirements were most of a 100k pool's time)."""
    from sqlalchemy import and_, or_, select

    from dataflywheel.flows.demand.lifecycle import calendar_of, sla_many
    from dataflywheel.store.repositories.base import pairs_of
    from dataflywheel.store.repositories.data import Batches, DatasetVersions
    from dataflywheel.store.repositories.experiments import Experiments
    from dataflywheel.store.repositories.issues import Issues
    from dataflywheel.store.repositories.people import People, Requirements
    from dataflywheel.store.tables.data import BatchRow, DatasetRow, DatasetVersionRow
    from dataflywheel.store.tables.demand import RequirementRow as Req
    from dataflywheel.store.tables.experiments import ExperimentRow
    from dataflywheel.store.tables.issues import IssueRow
    from dataflywheel.store.tables.people import PersonRow

    def within(column: Any) -> Any:
        return and_(column >= since, column < until)

    def of_project(column: Any, ids: Any) -> list[Any]:
        return [] if project is None else [column.in_(ids)]

    project_requirements = select(Req.id).where(Req.project_id == project)
    project_datasets = select(DatasetRow.id).where(DatasetRow.project_id == project)
    moved = or_(*(and_(column.is_not(None), within(column))  # NULL-safe: negated below
                  for column in (Req.delivered_at, Req.started_at)))
    requirements = Requirements(s).matching(moved, *of_project(Req.id, project_requirements))
    open_at_end = and_(or_(Req.committed_at < until, Req.started_at < until),
                       or_(Req.delivered_at.is_(None), Req.delivered_at >= until),
                       Req.state.notin_([state.value for state in GONE]))
    open_work = [Sample(rid, 1.0, {"project": p, "priority": pr, "kind": k})
                 for rid, p, pr, k in s.execute(
                     select(Req.id, Req.project_id, Req.priority, Req.kind).where(
                         open_at_end, ~moved, *of_project(Req.id, project_requirements))
                     .order_by(Req.id))]
    delivered = [r for r in requirements if r.delivered_at and since <= r.delivered_at < until]
    sla = dict(zip((r.id for r in delivered),
                   sla_many(s, delivered, calendar_of(ws.settings), until), strict=True))
    batches = Batches(s).matching(or_(within(BatchRow.checked_at), within(BatchRow.received_at)),
                                  *of_project(BatchRow.requirement_id, project_requirements))
    asked = {b.requirement_id for b in batches}
    earlier = [b for b in Batches(s).where_in("requirement_id", sorted(asked))
               if b.state is BatchState.FAILED]  # a rework follows a failed batch of its own
    versions = DatasetVersions(s).matching(within(DatasetVersionRow.frozen_at),
                                           *of_project(DatasetVersionRow.dataset_id,
                                                       project_datasets))
    experiments = Experiments(s).matching(within(ExperimentRow.ended_at),
                                          ExperimentRow.baseline_experiment_id.is_not(None),
                                          *of_project(ExperimentRow.project_id, [project]))
    compared = {e.id for e in experiments} | {e.baseline_experiment_id or "" for e in experiments}
    errors = _error_samples(s, compared)
    uses, version_uses = _uses(s, within, project)
    return History(
        since=since, until=until, requirements=requirements, open_work=open_work, sla=sla,
        batches=list({b.id: b for b in [*earlier, *batches]}.values()),
        requirement_project=pairs_of(s, Req.id, Req.project_id, asked),
        issues=Issues(s).matching(or_(within(IssueRow.closed_at), within(IssueRow.resolved_at)),
                                  *of_project(IssueRow.project_id, [project])),
        versions=versions,
        dataset_project=pairs_of(s, DatasetRow.id, DatasetRow.project_id,
                               {v.dataset_id for v in versions}),
        experiments=experiments, error_samples={e: sum(c.values()) for e, c in errors.items()},
        error_categories=errors, uses=uses,
        requirement_kind=pairs_of(s, Req.id, Req.kind, asked),
        baselines={e.id: e for e in Experiments(s).where_in(
            "id", sorted({e.baseline_experiment_id or "" for e in experiments}))},
        experiment_versions=_versions_used(s, compared),
        version_uses=version_uses, version_rows=_version_rows(s, {u.what for u in version_uses}),
        **_contract_changes(s, within, project),
        **({} if project is not None else {**_joined(s, within), **_consulted(s, within)}))


def checked_batches(s: Session, since: datetime, until: datetime) -> History:
    """A window holding only the batches checked in it: enough for the batch metrics (pass,
    anomaly, duplication rates), at the cost of one query (`flywheel trace` asks for two months)."""
    from dataflywheel.store.repositories.data import Batches
    from dataflywheel.store.tables.data import BatchRow

    return History(since=since, until=until, batches=Batches(s).matching(
        BatchRow.checked_at >= since, BatchRow.checked_at < until))


def joined_people(s: Session, since: datetime, until: datetime) -> History:
    """A window holding only the people who joined in it and when each first acted: enough for
    the onboarding time."""
    from sqlalchemy import and_

    def within(column: Any) -> Any:
        return and_(column >= since, column < until)

    return History(since=since, until=until, **_joined(s, within))


def _joined(s: Session, within: Any) -> dict[str, Any]:
    """The `people` who joined in the window and their `first_action` (History fields)."""
    from dataflywheel.store.repositories.people import People
    from dataflywheel.store.tables.people import PersonRow

    return {"people": People(s).matching(within(PersonRow.created_at)),
            "first_action": _first_actions(s, within)}


def _first_actions(s: Session, within: Any) -> dict[str, datetime]:
    """When each person who joined in the window first acted (their first audit entry)."""
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow
    from dataflywheel.store.tables.people import PersonRow

    joined = select(PersonRow.id).where(within(PersonRow.created_at))
    rows = s.execute(select(AuditEntryRow.actor, func.min(AuditEntryRow.at))
                     .where(AuditEntryRow.actor.in_(joined)).group_by(AuditEntryRow.actor))
    return {actor: at for actor, at in rows}


def _contract_changes(s: Session, within: Any, project: str | None) -> dict[str, Any]:
    """The breaking contract versions (not rejected) taking effect in the window, their notices
    and their contracts' projects (History fields): what the advance-notice rate reads."""
    from sqlalchemy import select

    from dataflywheel.domain.records.contract import ChangeClass
    from dataflywheel.domain.states import ContractVersionState
    from dataflywheel.store.repositories.base import pairs_of
    from dataflywheel.store.repositories.contracts import ContractNotices, ContractVersions
    from dataflywheel.store.tables.contracts import ContractRow, ContractVersionRow as Version

    of_project = [] if project is None else [Version.contract_id.in_(
        select(ContractRow.id).where(ContractRow.project_id == project))]
    versions = ContractVersions(s).matching(
        within(Version.effective_from), Version.change_class == ChangeClass.BREAKING.value,
        Version.state != ContractVersionState.REJECTED.value, *of_project)
    notices: dict[str, list[Any]] = {}
    for notice in ContractNotices(s).where_in("contract_version_id", [v.id for v in versions]):
        notices.setdefault(notice.contract_version_id, []).append(notice)
    return {"contract_versions": versions, "notices": notices,
            "contract_project": {k: v for k, v in pairs_of(
                s, ContractRow.id, ContractRow.project_id,
                {v.contract_id for v in versions}).items() if v}}


def _consulted(s: Session, within: Any) -> dict[str, Any]:
    """The consultations answered or due in the window, and the moment they are read (History
    fields). Consultations belong to no project, so a project's figures leave them out."""
    from sqlalchemy import or_

    from dataflywheel.store.repositories.people import Consultations
    from dataflywheel.store.tables.raci import ConsultationRow

    return {"consultations": Consultations(s).matching(or_(within(ConsultationRow.closed_at),
                                                           within(ConsultationRow.due_at))),
            "read_at": utcnow()}


def _versions_used(s: Session, experiments: set[str]) -> dict[str, frozenset[str]]:
    """The dataset versions each of `experiments` used (one query per `CHUNK`)."""
    from sqlalchemy import select

    from dataflywheel.store.tables.experiments import ExperimentVersionRow as Used

    ordered = sorted(experiments)
    found: dict[str, set[str]] = {}
    for start in range(0, len(ordered), CHUNK):
        for experiment, version in s.execute(select(Used.experiment_id, Used.version_id).where(
                Used.experiment_id.in_(ordered[start:start + CHUNK]))):
            found.setdefault(experiment, set()).add(version)
    return {k: frozenset(v) for k, v in found.items()}


def _version_rows(s: Session, versions: set[str]) -> dict[str, int]:
    """The records of each of `versions`: the row counts of its batches, summed in SQL."""
    from sqlalchemy import func, select

    from dataflywheel.store.tables.data import BatchRow, VersionBatchRow

    ordered = sorted(versions)
    out: dict[str, int] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = s.execute(select(VersionBatchRow.version_id, func.sum(BatchRow.row_count))
                         .join(BatchRow, BatchRow.id == VersionBatchRow.batch_id)
                         .where(VersionBatchRow.version_id.in_(ordered[start:start + CHUNK]))
                         .group_by(VersionBatchRow.version_id))
        out.update((v, int(n or 0)) for v, n in rows)
    return out


def _uses(s: Session, within: Any, project: str | None) -> tuple[list[Use], list[Use]]:
    """Data used by a project in the window: asset uses in the registry, and each experiment's
    versions with the dataset's project (the user's project: the experiment's) — as uses of the
    data (an asset, a dataset), and as uses of the dataset versions they name (an asset that
    pins a version; each version an experiment used)."""
    from sqlalchemy import select

    from dataflywheel.store.tables.data import DatasetRow, DatasetVersionRow
    from dataflywheel.store.tables.experiments import ExperimentRow, ExperimentVersionRow
    from dataflywheel.store.tables.governance import AssetRow, AssetUseRow

    registry = (select(AssetUseRow.asset_id, AssetRow.project_id, AssetUseRow.project_id,
                       AssetUseRow.since, AssetRow.version_id)
                .select_from(AssetUseRow)
                .join(AssetRow, AssetRow.id == AssetUseRow.asset_id)
                .where(within(AssetUseRow.since), AssetRow.project_id.is_not(None)))
    runs = (select(DatasetRow.id, DatasetRow.project_id, ExperimentRow.project_id,
                   ExperimentRow.started_at, ExperimentRow.id, DatasetVersionRow.id)
            .select_from(ExperimentVersionRow)
            .join(DatasetVersionRow, DatasetVersionRow.id == ExperimentVersionRow.version_id)
            .join(DatasetRow, DatasetRow.id == DatasetVersionRow.dataset_id)
            .join(ExperimentRow, ExperimentRow.id == ExperimentVersionRow.experiment_id)
            .where(within(ExperimentRow.started_at), ExperimentRow.project_id.is_not(None)))
    if project is not None:
        registry = registry.where(AssetUseRow.project_id == project)
        runs = runs.where(ExperimentRow.project_id == project)
    found, versions = [], []
    for a, o, u, at, v in s.execute(registry):
        found.append(Use(what=f"asset:{a}", owner=o, user=u, since=at, via=f"asset {a} use by {u}"))
        if v is not None:
            versions.append(Use(what=v, owner=o, user=u, since=at, via=f"asset {a} use by {u}"))
    for d, o, u, at, e, v in s.execute(runs):
        found.append(Use(what=f"dataset:{d}", owner=o, user=u, since=at, via=f"experiment {e}"))
        versions.append(Use(what=v, owner=o, user=u, since=at, via=f"experiment {e}"))
    return found, versions


def _error_samples(s: Session, experiments: set[str]) -> dict[str, dict[str, int]]:
    """How many error samples each of `experiments` recorded, per question type (category) —
    a few grouped queries."""
    from sqlalchemy import func, select

    from dataflywheel.store.tables.experiments import ErrorSampleRow as E

    ordered = sorted(experiments)
    out: dict[str, dict[str, int]] = {}
    for start in range(0, len(ordered), CHUNK):
        rows = s.execute(select(E.experiment_id, E.category, func.count())
                         .where(E.experiment_id.in_(ordered[start:start + CHUNK]))
                         .group_by(E.experiment_id, E.category))
        for experiment, category, n in rows:
            out.setdefault(experiment, {})[category] = int(n)
    return out
