"""Engines run a plan over files and return a `QualityReport`; `run_checks` is the public API.

Guarantees: the plan is validated (checks installed, thresholds name produced metrics) and every
file is found and sized before any record is read; every engine folds the same partials in the
same shard order, so their reports are byte-identical; when `rejects` is given, every rejected
line or record is written there (JSONL, atomically), even when the report lists only the first.

Where things are: the engine protocol (plan shards, read them into partials merged in shard
order, run finish jobs) in `base`; engines by name in `registry` (`single`, `local`, plugins);
the run and the state it owns (checks, spill directory, merge, progress) in `run`, so that runs
in one process run side by side; the finish in `finish`; the report in `assemble`.

This module imports them only when `run_checks` is called: the plugin manager registers the
engine registry wherever it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataflywheel.checks.plan import CheckPlan
    from dataflywheel.checks.report import QualityReport

Progress = Callable[[int, int, int], None]  # (bytes done, bytes total, records done)


def run_checks(
    files: Sequence[str | Path],
    plan: CheckPlan,
    *,
    engine: str = "local",
    workers: int | None = None,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    shard_bytes: int | None = None,
) -> QualityReport:
    """Check `files` against `plan` and return the report (raises FlywheelError on bad input).

    `engine`: a registered engine's name (`registry.available_engines`); `workers`: processes
    reading shards on the `local` engine, this one included (default: all cores);
    `shard_bytes`: cut plain JSONL and Parquet into shards of about this size (default: the
    whole file on `single`, and on `local` below 32 MB of input; else 1-8 MB)."""
    from dataflywheel.checks.engines.assemble import all_rejects, build_report
    from dataflywheel.checks.engines.registry import engine_named
    from dataflywheel.checks.engines.run import CheckRun
    from dataflywheel.checks.report import rejects_jsonl, write_text_atomic
    from dataflywheel.errors import BadInput

    kind = engine_named(engine)
    if workers is not None and workers < 1:
        raise BadInput("workers must be at least 1", field="workers", got=workers)
    paths = [str(f) for f in files]
    if len(set(paths)) != len(paths):
        raise BadInput(
            "the same file is named twice", expected="each input once", got=", ".join(paths)
        )
    run = CheckRun(paths, plan, progress=progress)
    read, results = run.execute(kind, workers=workers, shard_bytes=shard_bytes)
    report = build_report(paths, plan, read, results)
    if rejects is not None:
        write_text_atomic(rejects, rejects_jsonl(all_rejects(paths, read, results)))
    return report
