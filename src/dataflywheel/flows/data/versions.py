"""Datasets and their versions while mutable: create, add/remove batches, datasheet, compliance.

Guarantees:
- A candidate holds only batches of its own dataset that passed their checks or that an active
  approved exception covers.
- A candidate is committed together with the working summary of exactly its batches: no reader
  and no crash ever sees one without it.
- After every change of membership the working quality summary is recomputed over the union of
  the stored bytes (`version_summary.refresh_summary`): duplicates *across* batches are counted,
  and contamination is measured against every frozen evaluation-set version.
- Any change to a version that is no longer a candidate is refused with `PolicyViolation`, and the
  refusal itself is written to the audit log (who tried what on which version).
Freezing, archiving and rollback live in `flows/data/version_release.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.policies.governance_intensity import (
    ControlPoint,
    GovernanceScenario,
    required_control_points,
)
from dataflywheel.domain.records.data import (
    ComplianceStatus,
    Dataset,
    DatasetPurpose,
    DatasetVersion,
    Datasheet,
    VersionBatch,
)
from dataflywheel.domain.records.governance import Sensitivity
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import BatchState, VersionState
from dataflywheel.errors import (
    AlreadyExists,
    BadInput,
    Conflict,
    NotFound,
    PolicyViolation,
    from_validation,
)
from dataflywheel.flows._audit import add_audited, audit, update_audited
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.governance.exception_coverage import active_exception_covering
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.allocator import lock_writers
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.store.repositories.data import (
    Batches,
    Datasets,
    DatasetVersions,
    VersionBatches,
)
from dataflywheel.store.repositories.people import People, Projects, RoleHoldings
from dataflywheel.store.tables.data import DatasetVersionRow

T = TypeVar("T")


@contextmanager
def first_writer(what: str) -> Iterator[None]:
    """Turn a key collision with a concurrent writer (two new ids at once) into `Conflict`.

    PostgreSQL lets two transactions pick the same next sequential id; the second insert fails
    and its whole transaction rolls back, so nothing was written and a retry succeeds.
    """
    try:
        yield
    except sa_exc.IntegrityError as exc:
        first_line = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        raise Conflict(f"{what} collided with another writer", got=first_line,
                       kept="nothing was written", hint="retry the same command") from None


def new_id_lock(s: Session, table: str) -> None:
    """Serialise new sequential ids for this transaction: the writers' lock of `store.allocator`
    (which `next_sequential_id` takes too; kept for the call sites that lock before reading)."""
    del table  # one lock for every kind of id: no two writers can wait on each other
    lock_writers(s)


class _NotCandidate(Exception):
    def __init__(self, version: DatasetVersion) -> None:
        self.version = version


def create_dataset(ws: Workspace, name: str, *, project_id: str, owner_id: str,
                   purpose: DatasetPurpose | str = DatasetPurpose.TRAINING,
                   sensitivity: Sensitivity | str = Sensitivity.INTERNAL,
                   description: str = "", scenario: str | None = None) -> Dataset:
    """Register a named line of versions in a project; `scenario` (Table 24-29) defaults from
    its purpose and sensitivity."""
    from dataflywheel.store.allocator import next_sequential_id
    from dataflywheel.store.tables.data import DatasetRow

    with first_writer(f"creating dataset {name!r}"), ws.db.unit_of_work() as s:
        new_id_lock(s, "datasets")
        Projects(s).get(project_id)
        People(s).get(owner_id)
        if s.scalar(select(DatasetRow.id).where(DatasetRow.name == name)) is not None:
            raise AlreadyExists(f"dataset {name!r} already exists", hint="flywheel datasets list")
        try:
            ds = Dataset(id=next_sequential_id(s, DatasetRow, "DS"), name=name,
                         project_id=project_id, owner_id=owner_id, purpose=DatasetPurpose(purpose),
                         sensitivity=Sensitivity(sensitivity), description=description,
                         scenario=_scenario(scenario))
        except ValueError as exc:
            if hasattr(exc, "errors"):
                raise from_validation(exc, what="invalid dataset") from None
            raise BadInput(str(exc), field="purpose/sensitivity") from None
        return add_audited(Datasets(s), ds, actor=ws.actor)


def _scenario(value: str | None) -> GovernanceScenario | None:
    if value is None:
        return None
    try:
        return GovernanceScenario(value)
    except ValueError:
        raise BadInput(f"unknown governance scenario {value!r}", field="scenario",
                       expected="one of " + ", ".join(s.value for s in GovernanceScenario),
                       kept="no dataset was created") from None


def list_datasets(ws: Workspace) -> list[Dataset]:
    with ws.db.session() as s:
        return Datasets(s).list()


def datasets(ws: Workspace, project_id: str | None = None) -> Listing[Dataset]:
    """Every dataset (of one project, if given), a page at a time or streamed
    (`flywheel datasets list`)."""
    return Listing(ws, Datasets, project_id=project_id)


def get_dataset(ws: Workspace, dataset: str) -> Dataset:
    """The dataset named by id or name (`flywheel datasets show`)."""
    with ws.db.session() as s:
        return Datasets(s).find(dataset) or Datasets(s).by_name(dataset)


def create_version(ws: Workspace, dataset: str, *, by: str, batch_ids: Sequence[str] = (),
                   engine: str = "single") -> DatasetVersion:
    """A new candidate of `dataset` (name or id), child of its current version, with batches.

    The batches are checked and their working summary computed first (outside any transaction);
    the candidate, its membership and its summary are then committed together, so no reader and
    no crash ever sees a candidate without the summary of exactly its batches.
    """
    from dataflywheel.flows.data.version_summary import summarize
    from dataflywheel.store.allocator import next_sequential_id

    with ws.db.session() as s:
        ds = Datasets(s).find(dataset) or Datasets(s).by_name(dataset)
        People(s).get(by)
        for batch_id in batch_ids:
            _joinable(s, ds.id, batch_id, kept="no version was created")
    if len(set(batch_ids)) != len(batch_ids):
        raise AlreadyExists("a batch is named twice", field="batch_ids", got=list(batch_ids),
                            kept="no version was created")
    summary = summarize(ws, list(batch_ids), engine=engine)
    with first_writer(f"creating a version of {dataset}"), ws.db.unit_of_work() as s:
        ds = Datasets(s).get(ds.id)
        version = DatasetVersion(id=next_sequential_id(s, DatasetVersionRow, "V"),
                                 dataset_id=ds.id, created_by_id=by,
                                 parent_version_id=ds.current_version_id, quality_summary=summary)
        add_audited(DatasetVersions(s), version, actor=ws.actor)
        for batch_id in batch_ids:
            _add_one(s, ws.actor, version, batch_id, by)
    return version


def add_batches(ws: Workspace, version_ref: str, batch_ids: Sequence[str], *, by: str,
                engine: str = "single") -> DatasetVersion:
    """Add passed batches of the same dataset to a candidate, then recompute its summary."""
    def change(s: Session, version: DatasetVersion) -> str:
        for batch_id in batch_ids:
            _add_one(s, ws.actor, version, batch_id, by)
        return version.id

    return _refresh(ws, _on_candidate(ws, version_ref, "add batches to", change), engine)


def remove_batches(ws: Workspace, version_ref: str, batch_ids: Sequence[str], *, by: str,
                   engine: str = "single") -> DatasetVersion:
    """Take batches out of a candidate, then recompute its summary."""
    def change(s: Session, version: DatasetVersion) -> str:
        repo = VersionBatches(s)
        for batch_id in batch_ids:
            link = repo.find((version.id, batch_id))
            if link is None:
                raise NotFound(f"batch {batch_id} is not in version {version.id}",
                               kept=f"version {version.id} is unchanged")
            s.delete(s.get(repo.row_type, (version.id, batch_id)))
            audit(s, actor=ws.actor, action="version_membership.remove",
                  kind="version_membership", record_id=str((version.id, batch_id)),
                  before=link, after=None, reason=f"removed by {by}")
        return version.id

    return _refresh(ws, _on_candidate(ws, version_ref, "remove batches from", change), engine)


def set_datasheet(ws: Workspace, version_ref: str, updates: dict[str, Any], *,
                  by: str) -> DatasetVersion:
    """Fill in datasheet sections of a candidate (unknown sections are refused)."""
    unknown = set(updates) - set(Datasheet.model_fields)
    if unknown:
        raise BadInput(f"unknown datasheet section(s): {', '.join(sorted(unknown))}",
                       field="datasheet", expected="one of " + ", ".join(Datasheet.model_fields))

    def change(s: Session, version: DatasetVersion) -> DatasetVersion:
        try:
            sheet = Datasheet.model_validate(version.datasheet.model_dump() | updates)
        except ValueError as exc:
            raise from_validation(exc, what="invalid datasheet") from None
        after = version.model_copy(update={"datasheet": sheet})
        return update_audited(DatasetVersions(s), version, after, actor=ws.actor,
                              action="version.datasheet", reason=f"by {by}")

    return _on_candidate(ws, version_ref, "edit the datasheet of", change)


def decide_compliance(ws: Workspace, version_ref: str, *, by: str, approve: bool,
                      conclusion: str) -> DatasetVersion:
    """Legal/Compliance's conclusion on a candidate; the conclusion goes into its datasheet."""
    if not conclusion.strip():
        raise BadInput("a compliance decision needs a conclusion", field="conclusion")

    def change(s: Session, version: DatasetVersion) -> DatasetVersion:
        ds = Datasets(s).get(version.dataset_id)
        holders = {h.person_id for h in RoleHoldings(s).list(role=Role.LEGAL_COMPLIANCE.value)
                   if h.project_id in (None, ds.project_id)}
        if by not in holders:
            raise PolicyViolation(f"only Legal/Compliance may decide on {version.id}",
                                  expected=" or ".join(sorted(holders)) or "a legal_compliance holder",
                                  got=by, kept=f"{version.id} is unchanged")
        status = ComplianceStatus.APPROVED if approve else ComplianceStatus.REJECTED
        sheet = version.datasheet.model_copy(update={"compliance_conclusion": conclusion})
        after = version.model_copy(update={"compliance": status, "compliance_by_id": by,
                                           "datasheet": sheet})
        return update_audited(DatasetVersions(s), version, after, actor=ws.actor,
                              action=f"version.compliance_{status.value}", reason=conclusion)

    return _on_candidate(ws, version_ref, "decide compliance of", change)


def get_version(ws: Workspace, version_ref: str) -> tuple[DatasetVersion, list[str]]:
    """The version and its batch ids."""
    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        return version, [b.id for b in DatasetVersions(s).batches_of(version.id)]


def list_versions(ws: Workspace, dataset: str | None = None) -> list[DatasetVersion]:
    with ws.db.session() as s:
        if dataset is None:
            return DatasetVersions(s).list()
        ds = Datasets(s).find(dataset) or Datasets(s).by_name(dataset)
        return DatasetVersions(s).list(dataset_id=ds.id)


def versions(ws: Workspace, dataset: str | None = None) -> Listing[DatasetVersion]:
    """`list_versions` a page at a time or streamed (`flywheel versions list`); the dataset by
    id or name, resolved once."""
    if dataset is None:
        return Listing(ws, DatasetVersions)
    with ws.db.session() as s:
        ds = Datasets(s).find(dataset) or Datasets(s).by_name(dataset)
    return Listing(ws, DatasetVersions, dataset_id=ds.id)


def locked_version(s: Session, version_ref: str) -> DatasetVersion:
    """The version, its row locked for this transaction (PostgreSQL; SQLite has one writer)."""
    version = resolve_version(s, version_ref)
    row = s.scalar(select(DatasetVersionRow).where(DatasetVersionRow.id == version.id)
                   .with_for_update().execution_options(populate_existing=True))
    assert row is not None
    return DatasetVersions(s).to_record(row)


def refuse_audited(ws: Workspace, version: DatasetVersion, what: str, *, by: str | None = None,
                   now: datetime | None = None) -> PolicyViolation:
    """Write the refusal of a change to a non-candidate version to the audit log; return it."""
    reason = f"refused: {what} {version.label} ({version.state.value})"
    with ws.db.unit_of_work() as s:
        audit(s, actor=by or ws.actor, action="version.refused", kind="dataset_version",
              record_id=version.id, before=None, after=None, reason=reason)
    return PolicyViolation(
        f"version {version.label} is {version.state.value}: it cannot {what} it",
        expected="a candidate version", got=version.state.value,
        kept=f"{version.label} is unchanged; the attempt is in the audit log",
        hint=f"flywheel versions create {version.dataset_id} (a new candidate)")


def _on_candidate(ws: Workspace, version_ref: str, what: str,
                  change: Callable[[Session, DatasetVersion], T]) -> T:
    try:
        with ws.db.unit_of_work() as s:
            version = locked_version(s, version_ref)
            if version.state is not VersionState.CANDIDATE:
                raise _NotCandidate(version)
            return change(s, version)
    except _NotCandidate as refused:
        raise refuse_audited(ws, refused.version, what) from None


def _add_one(s: Session, actor: str, version: DatasetVersion, batch_id: str, by: str) -> None:
    kept = f"version {version.id} is unchanged"
    _joinable(s, version.dataset_id, batch_id, kept=kept)
    if VersionBatches(s).find((version.id, batch_id)) is not None:
        raise AlreadyExists(f"batch {batch_id} is already in version {version.id}", kept=kept)
    add_audited(VersionBatches(s), VersionBatch(version_id=version.id, batch_id=batch_id,
                                                added_by_id=by), actor=actor)


def _joinable(s: Session, dataset_id: str, batch_id: str, *, kept: str) -> None:
    """Refuse a batch of another dataset, or one that neither passed nor is covered — unless
    what it lacks is a control point the dataset's Table 24-29 scenario does not require (an
    exploratory dataset takes a batch still awaiting its human review)."""
    batch = Batches(s).get(batch_id)
    if batch.dataset_id != dataset_id:
        raise PolicyViolation(f"batch {batch_id} belongs to another dataset ({batch.dataset_id})",
                              expected=f"a batch of {dataset_id}", kept=kept)
    lacks = LACKING.get(batch.state)
    if lacks is not None and lacks not in required_control_points(
            Datasets(s).get(dataset_id).scenario):
        return
    if batch.state is not BatchState.PASSED and not _covered(s, batch_id):
        raise PolicyViolation(
            f"batch {batch_id} is {batch.state.value}: only passed batches join a version",
            expected="a passed batch, or one covered by an active approved exception", kept=kept,
            hint=f"flywheel exceptions request --batch {batch_id}" if
            batch.state is BatchState.FAILED else None)


LACKING = {BatchState.AWAITING_REVIEW: ControlPoint.HUMAN_REVIEW,
           BatchState.FAILED: ControlPoint.QUALITY_THRESHOLDS}
"""The control point a batch in this state has not passed."""


def _covered(s: Session, batch_id: str) -> bool:
    """Whether an active approved exception covers the batch now."""
    return active_exception_covering(s, "batch", batch_id, utcnow()) is not None


def _refresh(ws: Workspace, version_id: str, engine: str) -> DatasetVersion:
    from dataflywheel.flows.data.version_summary import refresh_summary

    return refresh_summary(ws, version_id, engine=engine)
