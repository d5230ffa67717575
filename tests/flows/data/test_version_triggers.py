"""Immutability below the flows (migration 0002): triggers refuse raw SQL on frozen versions on
both backends, the allowed state moves still pass, and the migrations show no drift."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import (
    Pool,
    deliver_clean,
    frozen_version,
    raw_sql,
)
from sqlalchemy import exc as sa_exc

from dataflywheel.flows.data import versions as flows
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store import migrate

RAW_REFUSED = [
    ("UPDATE dataset_versions SET manifest_sha256 = :x WHERE id = :v", {"x": "0" * 64}),
    ("UPDATE dataset_versions SET number = 7 WHERE id = :v", {}),
    ("UPDATE dataset_versions SET datasheet = '{}' WHERE id = :v", {}),
    ("UPDATE dataset_versions SET state = 'candidate' WHERE id = :v", {}),
    ("UPDATE dataset_versions SET withdrawn_reason = 'sneaky' WHERE id = :v", {}),
    ("DELETE FROM dataset_versions WHERE id = :v", {}),
    ("DELETE FROM version_batches WHERE version_id = :v", {}),
    ("UPDATE version_batches SET added_by_id = 'data-owner' WHERE version_id = :v", {}),
    (("INSERT INTO version_batches (version_id, batch_id, added_by_id, added_at) "
      "VALUES (:v, 'B-0002', 'data-owner', CURRENT_TIMESTAMP)"), {}),
]


def test_raw_sql_on_a_frozen_version_is_refused_by_a_trigger(team: Workspace, tmp_path: Path) -> None:
    vid = frozen_version(team, tmp_path)
    pool_batch = deliver_clean(Pool(team, "REQ-0001", "raw-pool"),
                               tmp_path / "b.jsonl", "b", seed=2).batch
    assert pool_batch.id == "B-0002"
    for sql, params in RAW_REFUSED:
        with pytest.raises(sa_exc.IntegrityError) as info:
            raw_sql(team, sql, v=vid, **params)
        assert "dataset version is frozen" in str(info.value), sql
    before = flows.get_version(team, vid)
    assert before[1] == ["B-0001"] and before[0].number == 1


def test_allowed_moves_pass_the_trigger_and_a_candidate_stays_free(team: Workspace, tmp_path: Path) -> None:
    vid = frozen_version(team, tmp_path)
    raw_sql(team, "UPDATE dataset_versions SET state = 'archived', archived_at = CURRENT_TIMESTAMP "
               "WHERE id = :v", v=vid)
    with pytest.raises(sa_exc.IntegrityError):
        raw_sql(team, "UPDATE dataset_versions SET archived_at = NULL WHERE id = :v", v=vid)
    candidate = flows.create_version(team, "raw-pool", by="data-engineer")
    raw_sql(team, "UPDATE dataset_versions SET datasheet = '{}' WHERE id = :v", v=candidate.id)


def test_migrations_show_no_drift_with_the_triggers(team: Workspace) -> None:
    assert migrate.current_revision(team.db.engine) == migrate.head_revision()
    migrate.check(team.db.engine)


