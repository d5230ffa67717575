"""Many processes creating records at once, each through the real flow on its own workspace handle.

Children come from a forkserver that imported the product once (plain `fork` from a process whose
polars thread pool has started deadlocks the child), so sixteen of them start in well under a second.
Each child reports how many creates succeeded and the first few errors, word for word.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

import dataflywheel.flows.demand.requirements  # noqa: F401 - imported once by the forkserver
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.workspace import open_workspace
from dataflywheel.settings import Settings


def _child(settings: Settings, writer: int, per_writer: int, barrier: Any, results: Any) -> None:
    from dataflywheel.flows.demand.requirements import submit_requirement

    ws = open_workspace(settings)
    barrier.wait()
    stored, errors = 0, []
    for i in range(per_writer):
        try:
            submit_requirement(ws, title=f"writer {writer} item {i}", project_id="P-TEST",
                               requester_id="data-owner", kind=RequirementKind.NEW_DATA,
                               priority=Priority.P1)
            stored += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported word for word
            errors.append(f"{type(exc).__name__}: {exc}")
    ws.close()
    results.put((writer, stored, errors[:3]))


def run_writers(settings: Settings, writers: int, per_writer: int
                ) -> tuple[int, list[str], float]:
    """(creates that succeeded, the errors children saw, seconds from the barrier to the end)."""
    context = multiprocessing.get_context("forkserver")
    here = str(Path(__file__).resolve().parent)
    if here not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (here, os.environ.get("PYTHONPATH")) if p)
    context.set_forkserver_preload(["concurrent_creates"])
    barrier, results = context.Barrier(writers + 1), context.Queue()
    procs = [context.Process(target=_child, args=(settings, w, per_writer, barrier, results))
             for w in range(writers)]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=120)
    started = time.monotonic()
    reports = [results.get(timeout=300) for _ in procs]
    elapsed = time.monotonic() - started
    for proc in procs:
        proc.join(30)
    assert [p.exitcode for p in procs] == [0] * writers
    return sum(r[1] for r in reports), [e for r in reports for e in r[2]], elapsed
