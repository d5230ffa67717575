"""Fixtures for exceptions and lineage (see gov_helpers)."""

from __future__ import annotations

import pytest
from gov_helpers import CONTRACT, T0, Pool, add_contract_and_requirement

from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def pool(team: Workspace) -> Pool:
    from dataflywheel.domain.records.data import Batch, Dataset, DatasetVersion, VersionBatch
    from dataflywheel.domain.records.people import Vendor
    from dataflywheel.domain.states import BatchState
    from dataflywheel.flows.governance.people import add_vendor
    from dataflywheel.store.repositories.data import (
        Batches,
        Datasets,
        DatasetVersions,
        VersionBatches,
    )

    add_vendor(team, Vendor(id="v-tagwise", name="TagWise"))
    req = add_contract_and_requirement(team)
    with team.db.unit_of_work() as s:
        Datasets(s).add(Dataset(id="raw-pool", name="raw-pool", project_id="P-TEST",
                                owner_id="data-owner"))
        for bid, state, vendor in (("B-ok", BatchState.PASSED, None),
                                   ("B-bad", BatchState.FAILED, "v-tagwise")):
            Batches(s).add(Batch(
                id=bid, dataset_id="raw-pool", contract_version_id=CONTRACT,
                requirement_id=req, delivered_by_person_id=None if vendor else "data-engineer",
                delivered_by_vendor_id=vendor, state=state, row_count=20,
                report_sha256="ab" * 32 if state is BatchState.PASSED else None,
                nonconforming_count=0 if state is BatchState.PASSED else 6, received_at=T0))
        DatasetVersions(s).add(DatasetVersion(id="raw-pool-c1", dataset_id="raw-pool",
                                              created_by_id="data-engineer", created_at=T0))
        for bid in ("B-ok", "B-bad"):
            VersionBatches(s).add(VersionBatch(version_id="raw-pool-c1", batch_id=bid,
                                               added_by_id="data-engineer", added_at=T0))
    return Pool(ws=team, requirement=req, dataset="raw-pool", passed="B-ok", failed="B-bad",
                candidate="raw-pool-c1")
