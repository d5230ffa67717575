"""Repositories of the Data Pool, with the lineage lookups the flows and `flywheel trace` use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.data import (
    Batch, BatchFile, Dataset, DatasetVersion, VersionBatch,
)
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import BadInput, NotFound
from dataflywheel.store.allocator import next_number
from dataflywheel.store.repositories.base import Repository
from dataflywheel.store.tables.data import (
    BatchFileRow, BatchRow, DatasetRow, DatasetVersionRow, VersionBatchRow,
)


class Datasets(Repository[Dataset, DatasetRow]):
    record_type, row_type, kind, hint = Dataset, DatasetRow, "dataset", "flywheel datasets list"

    def by_name(self, name: str) -> Dataset:
        """The dataset called `name`; `NotFound` names it when there is none."""
        row = self.session.scalar(select(DatasetRow).where(DatasetRow.name == name))
        if row is None:
            raise NotFound(f"dataset {name!r} does not exist", hint=self.hint)
        return self.to_record(row)


class Batches(Repository[Batch, BatchRow]):
    record_type, row_type, kind, hint = Batch, BatchRow, "batch", "flywheel batches list"

    def files(self, batch_id: str) -> list[BatchFile]:
        """The batch's files in delivery order."""
        return BatchFiles(self.session).list(batch_id=batch_id)


class BatchFiles(Repository[BatchFile, BatchFileRow]):
    record_type, row_type, kind = BatchFile, BatchFileRow, "batch file"


class DatasetVersions(Repository[DatasetVersion, DatasetVersionRow]):
    record_type, row_type, kind, hint = (
        DatasetVersion, DatasetVersionRow, "dataset version", "flywheel versions list",
    )

    def by_number(self, dataset_id: str, number: int) -> DatasetVersion:
        row = self.session.scalar(select(DatasetVersionRow).where(
            DatasetVersionRow.dataset_id == dataset_id, DatasetVersionRow.number == number))
        if row is None:
            raise NotFound(f"dataset version {dataset_id}@{number} does not exist", hint=self.hint)
        return self.to_record(row)

    def next_number(self, dataset_id: str) -> int:
        """One more than the highest number the dataset has used (1 for the first freeze)."""
        return next_number(self.session, DatasetVersionRow.number,
                           DatasetVersionRow.dataset_id == dataset_id)

    def batches_of(self, version_id: str) -> list[Batch]:
        """The batches that make up version `version_id`, by batch id."""
        rows = self.session.scalars(
            select(BatchRow).join(VersionBatchRow, VersionBatchRow.batch_id == BatchRow.id)
            .where(VersionBatchRow.version_id == version_id).order_by(BatchRow.id)
        ).all()
        return [Batches(self.session).to_record(r) for r in rows]

    def containing(self, batch_id: str) -> list[DatasetVersion]:
        """Every version that includes batch `batch_id`, by version id."""
        rows = self.session.scalars(
            select(DatasetVersionRow)
            .join(VersionBatchRow, VersionBatchRow.version_id == DatasetVersionRow.id)
            .where(VersionBatchRow.batch_id == batch_id).order_by(DatasetVersionRow.id)
        ).all()
        return [self.to_record(r) for r in rows]

    def frozen(self, dataset_id: str | None = None) -> list[DatasetVersion]:
        """Frozen versions (optionally of one dataset), by version id."""
        if dataset_id is None:
            return self.list(state=VersionState.FROZEN.value)
        return self.list(state=VersionState.FROZEN.value, dataset_id=dataset_id)


class VersionBatches(Repository[VersionBatch, VersionBatchRow]):
    record_type, row_type, kind = VersionBatch, VersionBatchRow, "version membership"


def resolve_version(s: Session, ref: str) -> DatasetVersion:
    """The version a user names: `V-0001`, or `DATASET@N` (dataset name or id, frozen number).
    A lookup, no policy: every pool that reads versions asks it here."""
    repo = DatasetVersions(s)
    if "@" not in ref:
        return repo.get(ref)
    name, _, number = ref.rpartition("@")
    if not number.isdigit():
        raise BadInput(f"cannot read version {ref!r}", field="version",
                       expected="V-NNNN or DATASET@NUMBER")
    ds = Datasets(s).find(name) or Datasets(s).by_name(name)
    return repo.by_number(ds.id, int(number))
