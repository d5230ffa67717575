"""Helpers for exceptions and lineage: a team workspace with a contract, a requirement, a dataset,
two delivered batches (one passed, one failed) and a candidate version holding both.

Batches and versions are written through the repositories, as the delivery and version flows
write them, so these tests do not depend on the checks engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from datapool_helpers import contract_and_requirement

from dataflywheel.flows.workspace import Workspace

CONTRACT = "cleaned-raw-pool@1.0.0"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Pool:
    ws: Workspace
    requirement: str
    dataset: str
    passed: str
    failed: str
    candidate: str


def add_contract_and_requirement(ws: Workspace) -> str:
    """The cleaned-raw-pool contract (project P-TEST) and a requirement in progress."""
    return contract_and_requirement(ws)


def frozen_by_hand(ws: Workspace, version_id: str, *, dataset: str, number: int,
                   batch_ids: list[str], manifest_sha256: str | None = None,
                   parent: str | None = None) -> None:
    """A frozen version written through the repositories, as the freeze flow writes one."""
    from dataflywheel.domain.records.data import DatasetVersion, VersionBatch
    from dataflywheel.domain.states import VersionState
    from dataflywheel.store.repositories.data import DatasetVersions, VersionBatches

    # Members are added while it is a candidate: the immutability triggers refuse them after.
    candidate = DatasetVersion(id=version_id, dataset_id=dataset, created_by_id="data-engineer",
                               created_at=T0, parent_version_id=parent)
    with ws.db.unit_of_work() as s:
        versions = DatasetVersions(s)
        versions.add(candidate)
        for bid in batch_ids:
            VersionBatches(s).add(VersionBatch(version_id=version_id, batch_id=bid,
                                               added_by_id="data-engineer", added_at=T0))
        versions.update(candidate.model_copy(update=dict(
            state=VersionState.FROZEN, number=number, frozen_at=T0, approved_by_id="data-owner",
            manifest_sha256=manifest_sha256 or f"{number:02x}" * 32)))
