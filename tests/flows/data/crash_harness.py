"""Crash harness for the Data Pool: run deliver → check → freeze in a forked child that SIGKILLs
itself at the N-th fsync, rename or commit (or after a random delay), then check what is left.

Nothing in the product knows about this: the child replaces `os.fsync` / `os.replace` and listens
to SQLAlchemy's session commit events, so the kill points are exactly the durable steps the flows
take (blob temp fsync, rename, directory fsyncs; before and after every transaction commit).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy.random  # noqa: F401 - imported once by the forkserver, not in every child
import pandas  # noqa: F401
import pyarrow.compute  # noqa: F401
from datapool_helpers import CONTRACT, FULL_DATASHEET, records, write_jsonl

import dataflywheel.checks.builtin
import dataflywheel.flows.contracts.contract_plan
import dataflywheel.flows.data.delivery
import dataflywheel.flows.governance.exceptions
import dataflywheel.flows.issues.lifecycle
import dataflywheel.flows.data.version_release
import dataflywheel.flows.data.version_summary
import dataflywheel.integrations.openlineage  # noqa: F401
from dataflywheel.checks.base import available_checks
from dataflywheel.domain.states import BatchState, VersionState
from dataflywheel.flows.workspace import Workspace, open_workspace
from dataflywheel.settings import Settings

available_checks()  # import every check module now, not in each child
DATASET = "raw-pool"
SOURCES = (("vendor-a.jsonl", "a", 1), ("vendor-b.jsonl", "b", 2))


def write_sources(folder: Path) -> list[Path]:
    return [write_jsonl(folder / name, records(prefix, 30, seed=seed))
            for name, prefix, seed in SOURCES]


def pipeline(ws: Workspace, sources: list[Path], requirement: str) -> str:
    """deliver both files → candidate → summary → datasheet → freeze; resumes what is done.

    Returns the frozen version's manifest digest.
    """
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.version_release import freeze
    from dataflywheel.flows.data.version_summary import refresh_summary
    from dataflywheel.flows.data.versions import create_version, list_versions, set_datasheet

    batch_ids = []
    for path in sources:
        done = _finished_batch(ws, path)
        if done is None:
            done = deliver(ws, [path], dataset=DATASET, contract_version_id=CONTRACT,
                           requirement_id=requirement, delivered_by="data-engineer",
                           engine="single").batch.id
        batch_ids.append(done)
    versions = list_versions(ws, DATASET)
    if not versions:
        versions = [create_version(ws, DATASET, by="data-engineer", batch_ids=batch_ids)]
    version = versions[0]
    if version.state is VersionState.FROZEN:
        return version.manifest_sha256 or ""
    if version.quality_summary.get("batches") != batch_ids:
        version = refresh_summary(ws, version.id)
    if version.datasheet.missing():
        set_datasheet(ws, version.id, FULL_DATASHEET, by="data-engineer")
    return freeze(ws, version.id, by="data-owner").manifest_sha256 or ""


def _finished_batch(ws: Workspace, path: Path) -> str | None:
    from dataflywheel.store.repositories.data import Batches, BatchFiles

    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with ws.db.session() as s:
        for f in BatchFiles(s).list(sha256=sha):
            if Batches(s).get(f.batch_id).state is BatchState.PASSED:
                return f.batch_id
    return None


# --- the child --------------------------------------------------------------------------------

def _instrument(kill_at: int | None, log: Path | None) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    seen: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def hit(name: str) -> None:
        seen.append(name)
        if log is not None:
            log.write_text(json.dumps(seen))
        if kill_at is not None and len(seen) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def fsync(fd: int) -> None:
        real_fsync(fd)
        hit("fsync")

    def replace(src: Any, dst: Any) -> None:
        real_replace(src, dst)
        hit("rename")

    os.fsync = fsync  # type: ignore[assignment]
    os.replace = replace  # type: ignore[assignment]
    event.listen(Session, "before_commit", lambda _s: hit("before-commit"))
    event.listen(Session, "after_commit", lambda _s: hit("after-commit"))


def _child(settings: Settings, sources: list[Path], requirement: str, kill_at: int | None,
           delay: float | None, log: str | None) -> None:
    _instrument(kill_at, Path(log) if log else None)
    if delay is not None:
        threading.Timer(delay, lambda: os.kill(os.getpid(), signal.SIGKILL)).start()
    ws = open_workspace(settings)
    pipeline(ws, sources, requirement)
    ws.close()
    os._exit(0)


def _create_child(settings: Settings, batch_ids: list[str], kill_at: int | None,
                  log: str | None) -> None:
    """`versions create` alone, on batches delivered beforehand, killed at its `kill_at`-th step."""
    from dataflywheel.flows.data.versions import create_version

    _instrument(kill_at, Path(log) if log else None)
    ws = open_workspace(settings)
    create_version(ws, DATASET, by="data-engineer", batch_ids=batch_ids)
    ws.close()
    os._exit(0)


def run_child(settings: Settings, sources: list[Path], requirement: str, *,
              kill_at: int | None = None, delay: float | None = None,
              log: Path | None = None) -> int:
    """Run the pipeline in a child, return its exit code (-9 when it killed itself)."""
    return _spawn(_child, (settings, sources, requirement, kill_at, delay,
                           str(log) if log else None))


def run_create(settings: Settings, batch_ids: list[str], *, kill_at: int | None = None,
               log: Path | None = None) -> int:
    """Run `create_version(DATASET, batch_ids)` in a child; its exit code (-9: killed itself)."""
    return _spawn(_create_child, (settings, batch_ids, kill_at, str(log) if log else None))


def _spawn(target: Any, args: tuple[Any, ...]) -> int:
    """Run `target(*args)` in a child and wait for it.

    Children come from a forkserver that imported the product once: plain `fork` from a process
    whose polars thread pool has started (any earlier check) deadlocks the child.
    """
    context = multiprocessing.get_context("forkserver")
    here = str(Path(__file__).resolve().parent)
    if here not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        # the forkserver is a fresh interpreter: it can only preload us if it can find us
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (here, os.environ.get("PYTHONPATH")) if p)
    context.set_forkserver_preload(["crash_harness"])
    proc = context.Process(target=target, args=args)
    proc.start()
    proc.join(120)
    assert proc.exitcode is not None, "the child hung"
    return proc.exitcode


def dry_run(settings: Settings, sources: list[Path], requirement: str,
            log: Path) -> tuple[list[str], float]:
    """Every durable step of an uninterrupted run, in order, and how long it took."""
    started = time.monotonic()
    assert run_child(settings, sources, requirement, log=log) == 0
    return json.loads(log.read_text()), time.monotonic() - started


def crash_points(events: list[str], duration: float, total: int, rng: random.Random
                 ) -> list[tuple[int | None, float | None]]:
    """`total` points: every event (cycled if `total` is larger), plus random times for the rest."""
    n_random = max(4, total - len(events)) if total > len(events) else 4
    n_events = total - n_random
    step = len(events) / n_events if n_events else 1
    indexes = sorted({1 + int(i * step) for i in range(n_events)})
    points: list[tuple[int | None, float | None]] = [(i, None) for i in indexes]
    points += [(None, rng.uniform(0.05, duration)) for _ in range(total - len(points))]
    return points


# --- after the crash --------------------------------------------------------------------------

def check_after_crash(ws: Workspace, sources: list[Path]) -> None:
    """No partial version, no candidate without its summary, every manifest reference stored,
    verify clean, every byte intact."""
    from dataflywheel.flows.integrity import check_audit, check_objects
    from dataflywheel.flows.data.version_manifest import read_json
    from dataflywheel.store.repositories.data import BatchFiles, DatasetVersions

    objects = check_objects(ws)
    assert objects.ok, [str(p) for p in objects.problems]
    assert check_audit(ws)[1] == []
    originals = {p.name: p.read_bytes() for p in sources}
    with ws.db.session() as s:
        for version in DatasetVersions(s).list():  # records re-validate: no half-frozen row
            if version.state is VersionState.CANDIDATE:
                assert version.manifest_sha256 is None and version.number is None
                members = [b.id for b in DatasetVersions(s).batches_of(version.id)]
                assert version.quality_summary.get("batches") == members, version.quality_summary
                continue
            manifest = read_json(ws.blobs, version.manifest_sha256 or "")
            for batch in manifest["batches"]:
                for sha in [batch["report_sha256"], *(f["sha256"] for f in batch["files"])]:
                    assert ws.blobs.exists(sha), sha
            assert ws.blobs.exists(manifest["quality_report_sha256"])
        for f in BatchFiles(s).list():
            with ws.blobs.open(f.sha256) as handle:
                assert handle.read() == originals[f.name], f.name
