"""Sequential ids under concurrency (issue "Trust", item 9): one allocator for every record type.

Sixteen processes creating requirements at once on each backend: every create is stored, the ids
are REQ-0001 … REQ-N with no gap and no duplicate, and the audit chain is intact. The suite runs
16 × 8 creates (one create is ~20 ms of serial work on the test machine); the exhaustive 16 × 50 is
`bench/ids_concurrency.sh` (FLYWHEEL_ID_CREATES=50).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from concurrent_creates import run_writers
from sqlalchemy import text
from sqlalchemy.orm import Session

from dataflywheel.flows.integrity import check_audit
from dataflywheel.flows.demand.requirements import list_requirements
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.allocator import WRITERS_LOCK_KEY
from dataflywheel.store.repositories.data import DatasetVersions
from dataflywheel.store.repositories.experiments import Experiments
from dataflywheel.store.repositories.governance import AccessGrants, Exceptions
from dataflywheel.store.repositories.issues import Issues, PostMortems
from dataflywheel.store.repositories.kb import KbDocuments
from dataflywheel.store.repositories.people import Requirements
from dataflywheel.store.session import Database

WRITERS = 16
PER_WRITER = int(os.environ.get("FLYWHEEL_ID_CREATES", "8"))


@pytest.mark.slow
def test_sixteen_processes_creating_requirements_store_every_one(team: Workspace) -> None:
    stored, errors, elapsed = run_writers(team.settings, WRITERS, PER_WRITER)
    total = WRITERS * PER_WRITER
    print(f"{team.db.engine.dialect.name}: {stored}/{total} stored in {elapsed:.2f}s")
    assert errors == []
    assert stored == total
    ids = sorted(r.id for r in list_requirements(team))  # listed by priority; count by id
    assert ids == [f"REQ-{n:04d}" for n in range(1, total + 1)]
    entries, problems = check_audit(team)
    assert problems == []
    assert entries >= total


def _holds_writers_lock(session: Session) -> bool:
    key = WRITERS_LOCK_KEY & 0xFFFFFFFF
    return bool(session.scalar(text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
        "AND pid = pg_backend_pid() AND granted"), {"key": key}))


ALLOCATORS: list[tuple[str, Callable[[Session], object]]] = [
    ("requirements", lambda s: Requirements(s).next_id()),
    ("issues", lambda s: Issues(s).next_id()),
    ("post-mortems", lambda s: PostMortems(s).next_id()),
    ("exceptions", lambda s: Exceptions(s).next_id()),
    ("access grants", lambda s: AccessGrants(s).next_id()),
    ("experiments", lambda s: Experiments(s).next_id()),
    ("kb documents", lambda s: KbDocuments(s).next_id()),
    ("version numbers", lambda s: DatasetVersions(s).next_number("DS-0001")),
]


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
@pytest.mark.parametrize(("kind", "allocate"), ALLOCATORS, ids=[k for k, _ in ALLOCATORS])
def test_every_allocator_takes_the_writers_lock_on_postgres(
    database: Database, kind: str, allocate: Callable[[Session], object],
) -> None:
    """The lock every create needs, checked in PostgreSQL's own lock table, for each kind."""
    with database.unit_of_work() as s:
        assert not _holds_writers_lock(s)
        allocate(s)
        assert _holds_writers_lock(s), kind
