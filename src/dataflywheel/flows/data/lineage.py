"""Lineage and traceability, answered from the foreign keys alone (read-only; nothing is written).

- `version_lineage(ws, V)`: the batches and sources that make up version V, with their files,
  contract versions, requirements and deliverers, and V's parent;
- `batch_dependents(ws, B)`: the versions that include batch B, the experiments that used those
  versions, the issues linked to B or to them, and the exceptions that cover B;
- `checked_under(ws, contract_version=G | guide_version=G)`: the batches checked under G;
- `requirement_path(ws, R)`: requirement R → its batches → the versions holding them (or linked
  as its delivery) → the experiments on those versions.

Versions are named by id or as `DATASET@NUMBER` (dataset id or name, frozen number).
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import or_, select

from dataflywheel.domain.records.data import Batch, BatchFile, DatasetVersion
from dataflywheel.domain.records.demand import Requirement
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.domain.records.governance import ExceptionRecord
from dataflywheel.domain.records.issue import Issue
from dataflywheel.errors import BadInput
from dataflywheel.flows._listing import Listing
from dataflywheel.store.repositories.data import resolve_version
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.contracts import ContractVersions
from dataflywheel.store.repositories.data import Batches, Datasets, DatasetVersions
from dataflywheel.store.repositories.experiments import Experiments
from dataflywheel.store.repositories.governance import Exceptions
from dataflywheel.store.repositories.issues import Issues
from dataflywheel.store.repositories.people import RequirementDeliveries, Requirements
from dataflywheel.store.tables.governance import ExceptionCoverRow, ExceptionRow


class BatchLineage(BaseModel):
    """One batch of a version: who delivered it, under which contract, for which requirement."""

    batch: Batch
    files: list[BatchFile]
    source: str


class VersionLineage(BaseModel):
    version: DatasetVersion
    label: str
    batches: list[BatchLineage]
    sources: list[str]
    contract_versions: list[str]
    requirements: list[str]
    guide_versions: list[str]
    parent_version_id: str | None


class BatchDependents(BaseModel):
    batch: Batch
    versions: list[DatasetVersion]
    experiments: list[Experiment]
    issues: list[Issue]
    exceptions: list[ExceptionRecord]


class RequirementPath(BaseModel):
    requirement: Requirement
    batches: list[Batch]
    versions: list[DatasetVersion]
    delivered_versions: list[str]
    experiments: list[Experiment]


def source_of(batch: Batch) -> str:
    """Where a batch came from: `vendor:ID` or `person:ID`, with its stated source if any."""
    who = (f"vendor:{batch.delivered_by_vendor_id}" if batch.delivered_by_vendor_id
           else f"person:{batch.delivered_by_person_id}")
    return f"{who} ({batch.source})" if batch.source else who


def version_lineage(ws: Workspace, version_ref: str) -> VersionLineage:
    """The batches and sources that make up a version."""
    with ws.db.session() as s:
        version = resolve_version(s, version_ref)
        dataset = Datasets(s).get(version.dataset_id)
        batches = DatasetVersions(s).batches_of(version.id)
        repo = Batches(s)
        parts = [BatchLineage(batch=b, files=repo.files(b.id), source=source_of(b))
                 for b in batches]
    return VersionLineage(
        version=version, batches=parts,
        label=f"{dataset.name}@{version.number}" if version.number is not None else version.id,
        sources=sorted({p.source for p in parts}),
        contract_versions=sorted({b.contract_version_id for b in batches}),
        requirements=sorted({b.requirement_id for b in batches}),
        guide_versions=sorted({b.guide_version for b in batches if b.guide_version}),
        parent_version_id=version.parent_version_id)


def batch_dependents(ws: Workspace, batch_id: str) -> BatchDependents:
    """What depends on a batch; `exceptions` lists every exception that ever covered it directly
    or through its dataset (any state), by id."""
    with ws.db.session() as s:
        batch = Batches(s).get(batch_id)
        versions = DatasetVersions(s).containing(batch_id)
        experiments: dict[str, Experiment] = {}
        issues = {i.id: i for i in Issues(s).linked_to(batch_id=batch_id)}
        for version in versions:
            experiments.update({e.id: e for e in Experiments(s).using(version.id)})
            issues.update({i.id: i for i in Issues(s).linked_to(version_id=version.id)})
        covering = select(ExceptionCoverRow.exception_id).where(or_(
            ExceptionCoverRow.batch_id == batch_id,
            ExceptionCoverRow.dataset_id == batch.dataset_id))
        rows = s.scalars(select(ExceptionRow).where(ExceptionRow.id.in_(covering))
                         .order_by(ExceptionRow.id)).all()
        exceptions = [Exceptions(s).to_record(r) for r in rows]
    return BatchDependents(batch=batch, versions=versions,
                           experiments=[experiments[k] for k in sorted(experiments)],
                           issues=[issues[k] for k in sorted(issues)], exceptions=exceptions)


def checked_under(ws: Workspace, *, contract_version: str | None = None,
                  guide_version: str | None = None) -> list[Batch]:
    """Batches checked under a contract version (`ID@SEMVER`) or an annotation guide version."""
    return list(checked_listing(ws, contract_version=contract_version,
                                guide_version=guide_version).stream())


def checked_listing(ws: Workspace, *, contract_version: str | None = None,
                    guide_version: str | None = None) -> Listing[Batch]:
    """`checked_under` a page at a time (`GET /api/v1/lineage/checked`), by batch id."""
    if (contract_version is None) == (guide_version is None):
        raise BadInput("name exactly one of a contract version or a guide version",
                       expected="--contract ID@VERSION or --guide VERSION")
    if contract_version is not None:
        with ws.db.session() as s:
            ContractVersions(s).get(contract_version)
        return Listing(ws, Batches, contract_version_id=contract_version)
    return Listing(ws, Batches, guide_version=guide_version)


def requirement_path(ws: Workspace, requirement_id: str) -> RequirementPath:
    """From a requirement to the versions that carry its data and the experiments that used them."""
    with ws.db.session() as s:
        requirement = Requirements(s).get(requirement_id)
        batches = Batches(s).list(requirement_id=requirement_id)
        delivered = [d.version_id for d in RequirementDeliveries(s).list(
            requirement_id=requirement_id)]
        versions: dict[str, DatasetVersion] = {}
        for batch in batches:
            versions.update({v.id: v for v in DatasetVersions(s).containing(batch.id)})
        for version_id in delivered:
            versions[version_id] = DatasetVersions(s).get(version_id)
        experiments: dict[str, Experiment] = {}
        for version_id in versions:
            experiments.update({e.id: e for e in Experiments(s).using(version_id)})
    return RequirementPath(
        requirement=requirement, batches=batches,
        versions=[versions[k] for k in sorted(versions)], delivered_versions=sorted(delivered),
        experiments=[experiments[k] for k in sorted(experiments)])
