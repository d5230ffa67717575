"""Crash safety of deliver → check → freeze (issue 5): SIGKILL at every fsync, rename and commit
the pipeline makes, plus random times; afterwards no partial version, no manifest pointing at a
missing blob, `flywheel verify` passes, every delivered byte is intact, and re-running gives the
same version digest as an uninterrupted run.

CI runs CRASH_POINTS_CI points per backend; FLYWHEEL_CRASH_POINTS=200 runs the by-hand variant.
"""

from __future__ import annotations

import os
import random
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from crash_harness import (
    check_after_crash,
    crash_points,
    dry_run,
    pipeline,
    run_child,
    write_sources,
)
from datapool_helpers import make_team, setup_pool

from dataflywheel.flows.governance.bootstrap import init_workspace
from dataflywheel.flows.workspace import open_workspace
from dataflywheel.settings import Settings

CRASH_POINTS_CI = 16  # 12 pipeline events, evenly spread, + 4 random times (30 cost 245 s of the suite)


@pytest.fixture
def fresh(settings: Settings, tmp_path: Path) -> Iterator[Callable[[str], Settings]]:
    """Settings of a new, set-up workspace per call: a copy of one snapshot (SQLite) or a new
    schema built through the flows (PostgreSQL; every schema is dropped afterwards)."""
    if settings.db is None:
        snapshot = tmp_path / "snapshot"
        base = settings.model_copy(update={"home": snapshot})
        snapshot.mkdir()
        ws = make_team(init_workspace(base))
        setup_pool(ws)
        ws.close()

        def copy(name: str) -> Settings:
            home = tmp_path / name
            shutil.copytree(snapshot, home)
            return settings.model_copy(update={"home": home})

        yield copy
        return
    from sqlalchemy import text

    from dataflywheel.store.session import make_engine

    plain = os.environ["FLYWHEEL_TEST_POSTGRES_URL"]
    admin = make_engine(plain)
    made: list[str] = []

    def schema(name: str) -> Settings:
        schema_name = f"t_{uuid.uuid4().hex[:12]}"
        made.append(schema_name)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        sep = "&" if "?" in plain else "?"
        home = tmp_path / name
        home.mkdir()
        fresh = settings.model_copy(update={
            "home": home, "db": f"{plain}{sep}options=-csearch_path%3D{schema_name}"})
        ws = make_team(init_workspace(fresh))
        setup_pool(ws)
        ws.close()
        return fresh

    try:
        yield schema
    finally:
        for schema_name in made:  # one transaction each: a single one runs out of locks
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()


def _points() -> int:
    return int(os.environ.get("FLYWHEEL_CRASH_POINTS", CRASH_POINTS_CI))


@pytest.mark.slow
def test_sigkill_anywhere_leaves_a_consistent_workspace(
    fresh: Callable[[str], Settings], tmp_path: Path,
) -> None:
    sources = write_sources(tmp_path / "sources")
    reference = fresh("reference")
    events, duration = dry_run(reference, sources, "REQ-0001", tmp_path / "events.json")
    # create commits the candidate with its summary in one transaction: 7 commits in all
    assert events.count("rename") >= 6 and events.count("before-commit") >= 7
    with open_workspace(reference) as ws:
        expected = pipeline(ws, sources, "REQ-0001")  # already frozen: reads its digest
    rng = random.Random(5)
    points = crash_points(events, duration, _points(), rng)
    assert len(points) >= min(30, _points())
    for n, (kill_at, delay) in enumerate(points):
        target = fresh(f"crash-{n}")
        code = run_child(target, sources, "REQ-0001", kill_at=kill_at, delay=delay)
        assert code in (-9, 0), (kill_at, delay, code)
        assert kill_at is None or code == -9, f"the child did not reach event {kill_at}"
        with open_workspace(target) as ws:
            check_after_crash(ws, sources)
            assert pipeline(ws, sources, "REQ-0001") == expected, (kill_at, delay)  # re-run
            check_after_crash(ws, sources)
