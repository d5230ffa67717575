"""Sequential ids under concurrency (issue "Trust", item 9): one allocator for every record type.

Sixteen processes creating requirements at once on each backend: every create is stored, the ids
are REQ-0001 … REQ-N with no gap and no duplicate, and the audit chain is intact. The suite runs
16 × 8 creates (one create is ~20 ms of serial work on the test machine); the exhaustive 16 × 50 is
`bench/ids_concurrency.sh` (FLYWHEEL_ID_CREATES=50).
"""

from __future__ import annotations

import os

import pytest
from concurrent_creates import run_writers

from dataflywheel.flows.integrity import check_audit
from dataflywheel.flows.requirements import list_requirements
from dataflywheel.flows.workspace import Workspace

WRITERS = 16
PER_WRITER = int(os.environ.get("FLYWHEEL_ID_CREATES", "8"))


@pytest.mark.slow
def test_sixteen_processes_creating_requirements_store_every_one(team: Workspace) -> None:
    stored, errors, elapsed = run_writers(team.settings, WRITERS, PER_WRITER)
    total = WRITERS * PER_WRITER
    print(f"{team.db.engine.dialect.name}: {stored}/{total} stored in {elapsed:.2f}s")
    assert errors == []
    assert stored == total
    ids = [r.id for r in list_requirements(team)]
    assert ids == [f"REQ-{n:04d}" for n in range(1, total + 1)]
    entries, problems = check_audit(team)
    assert problems == []
    assert entries >= total
