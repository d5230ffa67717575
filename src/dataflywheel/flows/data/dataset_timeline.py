"""Each dataset of a project with its versions in timeline order (the dashboard's Data page).

The records are those `GET /api/v1/datasets?project=P` and `GET /api/v1/versions?dataset=D`
answer, read in one session; nothing is computed that those lists do not hold, so the page shows
the same states and dates as the API and the CLI. Reads only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from dataflywheel.domain.records.data import Dataset, DatasetVersion
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets, DatasetVersions


class DatasetTimeline(BaseModel):
    """A dataset and its versions: frozen ones by number, then the unnumbered (candidates,
    abandoned) by creation."""

    dataset: Dataset
    versions: list[DatasetVersion]


def timeline_key(version: DatasetVersion) -> tuple[bool, int, datetime, str]:
    """Numbered versions first, by number; then the others by creation time and id."""
    return (version.number is None, version.number or 0, version.created_at, version.id)


def last_change(version: DatasetVersion) -> datetime:
    """When the version last changed state: withdrawn, archived, frozen, else created."""
    return (version.withdrawn_at or version.archived_at or version.frozen_at
            or version.created_at)


def dataset_timelines(ws: Workspace, project_id: str) -> list[DatasetTimeline]:
    """Every dataset of `project_id` (by id) with its versions in timeline order."""
    with ws.db.session() as s:
        found = Datasets(s).list(project_id=project_id)
        versions = DatasetVersions(s).where_in("dataset_id", [d.id for d in found]) \
            if found else []
    by_dataset: dict[str, list[DatasetVersion]] = {d.id: [] for d in found}
    for v in versions:
        by_dataset[v.dataset_id].append(v)
    return [DatasetTimeline(dataset=d, versions=sorted(by_dataset[d.id], key=timeline_key))
            for d in sorted(found, key=lambda d: d.id)]
