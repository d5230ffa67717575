"""A kill anywhere in `versions create` never leaves a candidate without its summary (item 11).

Two batches are delivered once; then `create_version` runs in a child that SIGKILLs itself at each
of its durable steps in turn (every fsync, rename, and before and after every commit). After each
kill every candidate of the workspace must carry the working summary of exactly its batches, with
the union report stored. Both backends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from crash_harness import DATASET, run_create, write_sources
from datapool_helpers import CONTRACT, setup_pool

from dataflywheel.domain.states import VersionState
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import DatasetVersions


def _assert_every_candidate_has_its_summary(ws: Workspace, where: object) -> int:
    with ws.db.session() as s:
        repo = DatasetVersions(s)
        candidates = repo.list(state=VersionState.CANDIDATE.value)
        for version in candidates:
            members = [b.id for b in repo.batches_of(version.id)]
            summary = version.quality_summary
            assert summary.get("batches") == members, (where, version.id, summary)
            assert summary.get("report_sha256") and ws.blobs.exists(summary["report_sha256"]), where
    return len(candidates)


@pytest.mark.slow
def test_a_kill_anywhere_in_versions_create_leaves_no_candidate_without_summary(
    team: Workspace, tmp_path: Path,
) -> None:
    pool = setup_pool(team)
    batch_ids = [deliver(team, [path], dataset=DATASET, contract_version_id=CONTRACT,
                         requirement_id=pool.requirement, delivered_by="data-engineer",
                         engine="single").batch.id for path in write_sources(tmp_path / "src")]
    log = tmp_path / "events.json"
    assert run_create(team.settings, batch_ids) == 0  # stores the union report once
    assert run_create(team.settings, batch_ids, log=log) == 0
    events = json.loads(log.read_text())
    assert events.count("after-commit") >= 1
    for kill_at in range(1, len(events) + 1):
        assert run_create(team.settings, batch_ids, kill_at=kill_at) == -9, kill_at
        _assert_every_candidate_has_its_summary(team, (kill_at, events[kill_at - 1]))
    assert _assert_every_candidate_has_its_summary(team, "end") >= 2
