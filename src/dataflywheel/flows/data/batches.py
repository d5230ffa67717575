"""Reading delivered batches: what was delivered, by whom, under which contract, and how it fared."""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.records.data import Batch, BatchFile
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches


def list_batches(ws: Workspace, **equals: Any) -> list[Batch]:
    """Batches, optionally filtered by column (`dataset_id`, `state`, `requirement_id`, …)."""
    with ws.db.session() as s:
        return Batches(s).list(**equals)


def batches(ws: Workspace, **equals: Any) -> Listing[Batch]:
    """`list_batches` a page at a time or streamed (`flywheel batches list`)."""
    return Listing(ws, Batches, **equals)


def get_batch(ws: Workspace, batch_id: str) -> tuple[Batch, list[BatchFile]]:
    """One batch and its files in delivery order."""
    with ws.db.session() as s:
        batches = Batches(s)
        return batches.get(batch_id), batches.files(batch_id)


class BatchShown(Batch):
    """One batch with its files: `flywheel batches show --json` and `GET /api/v1/batches/{id}`."""

    files: list[BatchFile]


def shown(batch: Batch, files: list[BatchFile]) -> dict[str, Any]:
    """The JSON of one batch with its files in delivery order."""
    return batch.model_dump(mode="json") | {"files": [f.model_dump(mode="json") for f in files]}


def listed(batch: Batch) -> dict[str, Any]:
    """A batch as a list shows it: `source` says where it came from (its own source, else the
    vendor or person who delivered it)."""
    return batch.model_dump(mode="json") | {
        "source": batch.source or batch.delivered_by_vendor_id or batch.delivered_by_person_id}
