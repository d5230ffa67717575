"""Repositories of the Experiment Pool: experiments, version usage, error samples."""

from __future__ import annotations

from sqlalchemy import select

from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.experiment import ErrorSample, Experiment, ExperimentVersion
from dataflywheel.store.allocator import next_sequential_id, next_sequential_ids
from dataflywheel.store.repositories.base import CHUNK, Repository
from dataflywheel.store.repositories.data import DatasetVersions
from dataflywheel.store.tables.data import DatasetVersionRow
from dataflywheel.store.tables.experiments import (
    ErrorSampleRow, ExperimentRow, ExperimentVersionRow,
)


class Experiments(Repository[Experiment, ExperimentRow]):
    record_type, row_type, kind, hint = (
        Experiment, ExperimentRow, "experiment", "flywheel experiments list",
    )

    def next_id(self) -> str:
        return next_sequential_id(self.session, ExperimentRow, "EXP")

    def next_ids(self, n: int) -> list[str]:
        """The next `n` experiment ids, as `n` calls of `next_id` would give them (bulk import)."""
        return next_sequential_ids(self.session, ExperimentRow, "EXP", n)

    def by_mlflow_run(self, run_ids: list[str]) -> dict[str, str]:
        """The experiment each of `run_ids` was imported as (the lowest id when several were),
        in one query per chunk instead of a lookup per run."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(run_ids))
        for start in range(0, len(unique), CHUNK):
            rows = self.session.execute(
                select(ExperimentRow.mlflow_run_id, ExperimentRow.id)
                .where(ExperimentRow.mlflow_run_id.in_(unique[start:start + CHUNK]))
                .order_by(ExperimentRow.id))
            for run_id, experiment_id in rows:
                found.setdefault(str(run_id), experiment_id)
        return found

    def versions_of(self, experiment_id: str) -> list[DatasetVersion]:
        """The data versions experiment `experiment_id` used, by version id."""
        rows = self.session.scalars(
            select(DatasetVersionRow)
            .join(ExperimentVersionRow, ExperimentVersionRow.version_id == DatasetVersionRow.id)
            .where(ExperimentVersionRow.experiment_id == experiment_id)
            .order_by(DatasetVersionRow.id)
        ).all()
        versions = DatasetVersions(self.session)
        return [versions.to_record(r) for r in rows]

    def using(self, version_id: str) -> list[Experiment]:
        """The experiments that used version `version_id`, by experiment id."""
        rows = self.session.scalars(
            select(ExperimentRow)
            .join(ExperimentVersionRow, ExperimentVersionRow.experiment_id == ExperimentRow.id)
            .where(ExperimentVersionRow.version_id == version_id).order_by(ExperimentRow.id)
        ).all()
        return [self.to_record(r) for r in rows]


class ExperimentVersions(Repository[ExperimentVersion, ExperimentVersionRow]):
    record_type, row_type, kind = ExperimentVersion, ExperimentVersionRow, "experiment version use"


class ErrorSamples(Repository[ErrorSample, ErrorSampleRow]):
    record_type, row_type, kind = ErrorSample, ErrorSampleRow, "error sample"
