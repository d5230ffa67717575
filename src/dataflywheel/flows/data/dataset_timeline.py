"""Each dataset of a project with its newest versions in timeline order (the dashboard's Data
page); every version of one dataset is the paged list `GET /api/v1/versions?dataset=D` answers.

The records are those `GET /api/v1/datasets?project=P` and `GET /api/v1/versions?dataset=D`
answer; nothing is computed that those lists do not hold, so the page shows the same states and
dates as the API and the CLI. A dataset with thousands of versions costs a bounded read: its
newest `latest` numbered versions, its unnumbered ones (candidates, abandoned) and a count.
Reads only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dataflywheel.domain.records.data import Dataset, DatasetVersion
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets, DatasetVersions
from dataflywheel.store.tables.data import DatasetVersionRow

LATEST = 20


class DatasetTimeline(BaseModel):
    """A dataset, its newest versions (numbered ones by number, then the unnumbered by
    creation) and how many versions it has in all."""

    dataset: Dataset
    versions: list[DatasetVersion]
    total: int


def timeline_key(version: DatasetVersion) -> tuple[bool, int, datetime, str]:
    """Numbered versions first, by number; then the others by creation time and id."""
    return (version.number is None, version.number or 0, version.created_at, version.id)


def last_change(version: DatasetVersion) -> datetime:
    """When the version last changed state: withdrawn, archived, frozen, else created."""
    return (version.withdrawn_at or version.archived_at or version.frozen_at
            or version.created_at)


def dataset_timelines(ws: Workspace, project_id: str, *,
                      latest: int = LATEST) -> list[DatasetTimeline]:
    """Every dataset of `project_id` (by id) with its newest `latest` numbered versions and
    every unnumbered one, in timeline order."""
    with ws.db.session() as s:
        return [_timeline(s, d, latest) for d in Datasets(s).list(project_id=project_id)]


def _timeline(s: Session, dataset: Dataset, latest: int) -> DatasetTimeline:
    row = DatasetVersionRow
    of_dataset = row.dataset_id == dataset.id
    numbered = s.scalars(select(row).where(of_dataset, row.number.is_not(None))
                         .order_by(row.number.desc()).limit(latest)).all()
    unnumbered = s.scalars(select(row).where(of_dataset, row.number.is_(None))).all()
    total = s.scalar(select(func.count()).select_from(row).where(of_dataset)) or 0
    repo = DatasetVersions(s)
    return DatasetTimeline(dataset=dataset, total=total, versions=sorted(
        (repo.to_record(r) for r in [*numbered, *unnumbered]), key=timeline_key))
