"""Fixtures for the Experiment Pool: a team workspace with a dataset and versions in every state.

The Data Pool version flows (issue 5) are built in parallel; until they land, the versions are
written through the repositories here, as the version flows would write them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

FROZEN_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# version id → (state, number, experimental)
VERSIONS = {
    "gsm-v1": ("frozen", 1, False),
    "gsm-v2": ("frozen", 2, False),
    "gsm-cand": ("candidate", None, False),
    "gsm-exc": ("frozen", 3, True),
    "gsm-old": ("archived", 4, False),
}


@pytest.fixture
def lab(team: Workspace) -> Workspace:
    """`team` plus dataset `gsm` (project P-TEST) with the versions of `VERSIONS`."""
    from dataflywheel.domain.records.data import Dataset, DatasetPurpose, DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    with team.db.unit_of_work() as s:
        Datasets(s).add(Dataset(id="gsm", name="gsm-math", project_id="P-TEST",
                                owner_id="data-owner", purpose=DatasetPurpose.EVALUATION))
        for vid, (state, number, experimental) in VERSIONS.items():
            frozen = number is not None
            DatasetVersions(s).add(DatasetVersion(
                id=vid, dataset_id="gsm", number=number, state=VersionState(state),
                manifest_sha256=(f"{number:x}" * 64)[:64] if frozen else None,
                frozen_at=FROZEN_AT if frozen else None,
                archived_at=FROZEN_AT if state == "archived" else None,
                experimental=experimental, created_by_id="data-engineer"))
    return team
