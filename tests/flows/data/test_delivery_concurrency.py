"""Concurrent deliveries: new batch ids are serialised (one writer on SQLite, an advisory lock on
PostgreSQL), so every delivery is recorded whole under its own id; never an internal error."""

from __future__ import annotations

import threading
from pathlib import Path

from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl

from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches, BatchFiles

WRITERS = 8


def test_concurrent_deliveries_each_get_their_own_batch(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    paths = [write_jsonl(tmp_path / f"part-{i}.jsonl", records(f"p{i}", 10, seed=100 + i))
             for i in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    outcomes: list[object] = []

    def one(path: Path) -> None:
        start.wait()
        try:
            outcomes.append(deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                                    requirement_id=pool.requirement, delivered_by="data-engineer",
                                    engine="single"))
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcomes.append(exc)

    threads = [threading.Thread(target=one, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = [repr(o) for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) == WRITERS and errors == []
    with team.db.session() as s:
        batches = Batches(s).list()
        assert [b.id for b in batches] == [f"B-{i:04d}" for i in range(1, WRITERS + 1)]
        assert len(BatchFiles(s).list()) == WRITERS
