"""50 concurrent freezes (approvals) of one candidate: exactly one succeeds, the other 49 get a
clear Conflict; one state change, one `version.freeze` audit entry, one manifest."""

from __future__ import annotations

import threading
from pathlib import Path

from datapool_helpers import FULL_DATASHEET, audit_count, deliver_clean, setup_pool

from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import Conflict
from dataflywheel.flows.data import version_release as release
from dataflywheel.flows.data import versions as flows
from dataflywheel.flows.workspace import Workspace

RACERS = 50


def test_fifty_concurrent_freezes_one_wins(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team, sensitivity="public")
    batch = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=1).batch
    vid = flows.create_version(team, pool.dataset, by="data-engineer", batch_ids=[batch.id]).id
    flows.set_datasheet(team, vid, FULL_DATASHEET, by="data-engineer")
    start = threading.Barrier(RACERS)
    won: list[DatasetVersion] = []
    lost: list[Exception] = []

    def race() -> None:
        start.wait()
        try:
            won.append(release.freeze(team, vid, by="data-owner"))
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted below
            lost.append(exc)

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(won) == 1 and len(lost) == RACERS - 1
    assert all(isinstance(e, Conflict) for e in lost), {type(e).__name__: str(e) for e in lost}
    assert str(lost[0]) == (f"version {vid} was frozen first by another approval (number 1). "
                            f"Kept: nothing was changed. Next: flywheel versions show {vid}")
    assert won[0].state is VersionState.FROZEN and won[0].number == 1
    assert audit_count(team, "version.freeze", vid) == 1
    assert audit_count(team, "version.refused", vid) == 0
    assert flows.list_versions(team, pool.dataset) == [won[0]]
