"""Engines run a plan over files and return a `QualityReport`; `run_checks` is the public API.

Guarantees: the plan is validated (checks installed, thresholds name produced metrics) and every
file is found and sized before any record is read; every engine folds the same partials in the
same shard order, so their reports are byte-identical; when `rejects` is given, every rejected
line or record is written there (JSONL, atomically), even when the report lists only the first.

Spill directory: each run makes one `flywheel-check-*` temporary directory, every process that
reads shards spills there (`dataflywheel.checks.spill`), the checks' `finish` runs while it
exists, and it is removed when the run ends, failed or not. The spill directory is process-wide,
so runs in one process take turns (a lock), each using all the cores anyway.

Finish: the checks' `finish` calls run side by side in threads (at most one per CPU; numpy and
polars release the GIL), and their results are taken in check order, so the report is the one
a single thread would build. A check may split the heaviest part of its finish into jobs
(`Check.finish_jobs`); `single` runs them in a few threads, `local` shares them with its helper
processes; either way the check gets their results in job order (`Check.finish_with`).
"""

from __future__ import annotations

import gc
import itertools
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from dataflywheel.checks import spill
from dataflywheel.checks.base import Check, CheckResult, Example, FinishJob, Partial, Reject
from dataflywheel.checks.engines.worker import FileStats, ReadPartial, ShardOutcome, checks_for
from dataflywheel.checks.plan import CheckPlan, Threshold
from dataflywheel.checks.readers import Shard, plan_shards
from dataflywheel.checks.report import (
    MAX_REJECTS_LISTED,
    FileSummary,
    GateResult,
    QualityReport,
    rejects_jsonl,
    write_text_atomic,
)
from dataflywheel.checks.similarity.parallel import default_threads, ordered_map
from dataflywheel.errors import BadInput

EngineName = Literal["local", "single"]
Progress = Callable[[int, int, int], None]  # (bytes done, bytes total, records done)
MIN_SHARD_BYTES = 1024 * 1024
MAX_SHARD_BYTES = 8 * 1024 * 1024
SHARDS_PER_WORKER = 32  # small shards: the local engine hands them out in shrinking tasks
# Below this much input, `local` reads here alone unless told a shard size: a helper's start-up
# (a fresh interpreter, imports, first-batch warm-up: ~0.7 s of CPU) costs more than it would read.
MIN_PARALLEL_BYTES = 32 * 1024 * 1024
WHOLE_FILE = 1 << 62
_ONE_RUN = threading.Lock()


RunJobs = Callable[[Sequence[FinishJob]], list[Any]]  # runs finish jobs, results in order


def run_checks(
    files: Sequence[str | Path],
    plan: CheckPlan,
    *,
    engine: EngineName = "local",
    workers: int | None = None,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    shard_bytes: int | None = None,
) -> QualityReport:
    """Check `files` against `plan` and return the report (raises FlywheelError on bad input).

    `workers`: processes reading shards on the `local` engine, this one included (default: all
    cores); `shard_bytes`: cut plain JSONL and Parquet into shards of about this size (default:
    the whole file on `single`, and on `local` below MIN_PARALLEL_BYTES of input; else 1-8 MB)."""
    if engine not in ("local", "single"):
        raise BadInput("unknown engine", field="engine", expected="local or single", got=engine)
    if workers is not None and workers < 1:
        raise BadInput("workers must be at least 1", field="workers", got=workers)
    paths = [str(f) for f in files]
    if len(set(paths)) != len(paths):
        raise BadInput(
            "the same file is named twice", expected="each input once", got=", ".join(paths)
        )
    checks = checks_for(plan)
    with _ONE_RUN, tempfile.TemporaryDirectory(prefix="flywheel-check-") as spill_dir:
        spill.use_directory(spill_dir)
        try:
            return _run(paths, plan, checks, engine, workers, rejects, progress, shard_bytes)
        finally:
            spill.use_directory(None)


def _run(
    paths: list[str],
    plan: CheckPlan,
    checks: list[Check],
    engine: EngineName,
    workers: int | None,
    rejects: str | Path | None,
    progress: Progress | None,
    shard_bytes: int | None,
) -> QualityReport:
    """One run inside its spill directory (`spill.directory()`)."""
    spill_dir = str(spill.directory())
    state = _Fold(len(checks))
    count = 1 if engine == "single" else max(1, workers or os.cpu_count() or 1)
    if count > 1:
        sizes = _sizes(paths)  # NotFound before a helper starts
        if shard_bytes is None and sum(sizes) >= MIN_PARALLEL_BYTES:
            shard_bytes = _shard_bytes(sum(sizes), count)
        if shard_bytes is None or (len(paths) == 1 and sizes[0] <= shard_bytes):
            count = 1  # one shard: nothing to share
    if count == 1:  # each file whole unless told a shard size: no line-counting pass
        from dataflywheel.checks.engines.single import run_single

        shards = plan_shards(paths, shard_bytes=shard_bytes or WHOLE_FILE)
        run_single(shards, plan, state, _Progress(progress, _total(shards)), spill_dir)
        results = _finish(checks, state, run_jobs_here)
    else:
        from dataflywheel.checks.engines.local import start_helpers

        with start_helpers(count - 1, plan, spill_dir, count) as helpers:
            shards = plan_shards(paths, shard_bytes=shard_bytes or WHOLE_FILE)
            helpers.run(shards, state, _Progress(progress, _total(shards)))
            results = _finish(checks, state, helpers.run_jobs)  # helpers take finish jobs
    report = build_report(paths, plan, state.read, results)
    if rejects is not None:
        write_text_atomic(rejects, rejects_jsonl(_all_rejects(paths, state.read, results)))
    return report


def run_jobs_here(jobs: Sequence[FinishJob]) -> list[Any]:
    """Finish jobs in this process, up to `default_threads()` at once, results in job order."""
    return list(ordered_map(lambda job: job(), jobs, default_threads()))


def _finish(checks: list[Check], state: _Fold, run_jobs: RunJobs) -> list[CheckResult]:
    """Every check's `finish`, side by side in threads (the heavy ones are numpy and polars work,
    which releases the GIL), results in check order; the first failure in that order is raised
    once every `finish` has ended. Checks that offer finish jobs (`Check.finish_jobs`) have
    them run by `run_jobs`, from this thread (the local engine shares them with its helper
    processes) while the other checks finish, and then finish with their results
    (`finish_with`). This thread takes `finish` calls too, so one thread fewer allocates (glibc
    keeps what a thread freed in that thread's arena)."""
    work = [(c, p) for c, p in zip(checks, state.partials) if p is not None]
    with _gc_paused():
        done: list[CheckResult | Exception | None] = [None] * len(work)
        shares: list[list[FinishJob]] = []
        for i, (check, partial) in enumerate(work):
            try:
                shares.append(check.finish_jobs(partial))
            except Exception as err:  # noqa: BLE001 - raised below, in check order
                done[i] = err
                shares.append([])
        plain = [i for i, share in enumerate(shares) if not share and done[i] is None]
        tickets = itertools.count()  # next() is atomic: each plain finish is taken once

        def take_plain() -> None:
            while (k := next(tickets)) < len(plain):
                check, partial = work[plain[k]]
                try:
                    done[plain[k]] = check.finish(partial)
                except Exception as err:  # noqa: BLE001 - raised below, in check order
                    done[plain[k]] = err

        threads = min(len(work), os.cpu_count() or 1)
        with ThreadPoolExecutor(max(threads - 1, 1), thread_name_prefix="flywheel-finish") as pool:
            helpers = [pool.submit(take_plain) for _ in range(threads - 1)]
            _finish_with_jobs(work, shares, done, run_jobs)
            take_plain()
            for helper in helpers:
                helper.result()  # anything beyond an Exception
        results = []
        for outcome in done:
            if isinstance(outcome, Exception):
                raise outcome
            assert outcome is not None
            results.append(outcome)
        return results


def _finish_with_jobs(
    work: list[tuple[Check, Partial]],
    shares: list[list[FinishJob]],
    done: list[CheckResult | Exception | None],
    run_jobs: RunJobs,
) -> None:
    """Run every check's finish jobs (in one call, so that they are shared out together), then
    each such check's `finish_with`; a failure is recorded in `done`, never raised."""
    jobs = [job for share in shares for job in share]
    if not jobs:
        return
    try:
        results = run_jobs(jobs)
    except Exception as err:  # noqa: BLE001 - the failure of every check that had jobs
        for i, share in enumerate(shares):
            if share:
                done[i] = err
        return
    at = 0
    for i, share in enumerate(shares):
        if not share:
            continue
        check, partial = work[i]
        try:
            done[i] = check.finish_with(partial, results[at : at + len(share)])
        except Exception as err:  # noqa: BLE001 - raised by `_finish`, in check order
            done[i] = err
        at += len(share)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: `finish` builds many small dicts and lists (listed
    clusters and groups, tens of thousands when every one is listed), and every few hundred
    trigger a collection that walks the heap (half the listing's time at 200k records). What
    `finish` allocates is freed by reference counting; collections resume on leaving."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sizes(paths: list[str]) -> list[int]:
    from dataflywheel.checks.readers.source import file_size

    return [file_size(p) for p in paths]


def _total(shards: list[Shard]) -> int:
    return sum(s.size for s in shards if s.start == 0)


def _shard_bytes(total: int, workers: int) -> int:
    return max(MIN_SHARD_BYTES, min(MAX_SHARD_BYTES, total // (workers * SHARDS_PER_WORKER)))


class _Fold:
    """Folds shard outcomes, which it is given in shard order."""

    def __init__(self, nchecks: int) -> None:
        self.read = ReadPartial()
        self.partials: list[Partial | None] = [None] * nchecks

    def __call__(self, outcome: ShardOutcome) -> None:
        self.read = self.read + outcome.read
        for i, part in enumerate(outcome.partials):
            acc = self.partials[i]
            self.partials[i] = part if acc is None else acc + part


class _Progress:
    """Reports bytes and records read so far, in whatever order shards finish: the batches of
    the shard this process is reading, plus every shard finished (here or in a helper)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.records = 0
        self._batch_bytes = 0  # of the shard being read here, until its outcome replaces them
        self._batch_records = 0

    def batch(self, nbytes: int, records: int) -> None:
        self._batch_bytes += nbytes
        self._batch_records += records
        self._report()

    def shard(self, outcome: ShardOutcome) -> None:
        self._batch_bytes = self._batch_records = 0
        self.done += outcome.nbytes
        self.records += sum(s.records for s in outcome.read.files.values())
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            done = min(self.done + self._batch_bytes, self.total)
            self.progress(done, self.total, self.records + self._batch_records)


def _all_rejects(paths: list[str], read: ReadPartial, results: list[CheckResult]) -> list[Reject]:
    order = {p: i for i, p in enumerate(paths)}
    every = list(read.rejects) + [r for res in results for r in res.rejects]
    return sorted(every, key=lambda r: (order.get(r.file, len(order)), r.line, r.check))


def _gate(
    t: Threshold,
    metrics: dict[str, float],
    examples: dict[str, list[Example]],
    max_examples: int,
    undefined: dict[str, str] | None = None,
) -> GateResult:
    """A gate on a metric the checks could not compute (e.g. agreement on one label) fails:
    an unknown value never passes a gate; the note says why when the check said."""
    observed = metrics.get(t.metric)
    passed = observed is not None and t.holds(observed)
    why = (undefined or {}).get(t.metric, "undefined for this batch (see the check's sections)")
    return GateResult(
        metric=t.metric,
        op=t.op,
        value=t.value,
        observed=observed,
        passed=passed,
        source=t.source,
        note=None if observed is not None else why,
        examples=[] if passed else _examples_for(examples, t.metric)[:max_examples],
    )


def build_report(
    paths: list[str], plan: CheckPlan, read: ReadPartial, results: list[CheckResult]
) -> QualityReport:
    """Assemble the report: files, metrics of every check, gates, rejects."""
    for path in paths:
        stats = read.files.get(path, FileStats())
        if stats.lines == 0:
            raise BadInput(
                "input has no records",
                path=path,
                expected="at least one JSON record",
                got="no lines",
            )
    metrics: dict[str, float] = {}
    examples: dict[str, list[Example]] = {}
    undefined: dict[str, str] = {}
    for res in sorted(results, key=lambda r: r.check):
        metrics.update(res.metrics)
        examples.update(res.examples)
        undefined.update(res.undefined)
    gates = [_gate(t, metrics, examples, plan.max_examples, undefined) for t in plan.thresholds]
    every = _all_rejects(paths, read, results)
    files = [FileSummary(file=p, **_stats(read.files[p])) for p in paths]
    return QualityReport(
        plan=plan.name,
        contract=plan.contract,
        passed=all(g.passed for g in gates),
        files=files,
        records=sum(f.records for f in files),
        rejected=len(every),
        metrics=dict(sorted(metrics.items())),
        gates=gates,
        checks={
            r.check: r.model_copy(update={"rejects": []})
            for r in sorted(results, key=lambda r: r.check)
        },
        breakdown_by=plan.breakdown_by,
        rejects=every[:MAX_REJECTS_LISTED],
        rejects_total=len(every),
        warnings=list(dict.fromkeys(read.warnings)),
    )


def _examples_for(examples: dict[str, list[Example]], metric: str) -> list[Example]:
    """A metric's examples; a `x_count` metric shows the examples of its `x_rate` twin."""
    if metric in examples:
        return examples[metric]
    return examples.get(metric.removesuffix("_count") + "_rate", [])


def _stats(s: FileStats) -> dict[str, int]:
    return {
        "bytes": s.bytes,
        "lines": s.lines,
        "records": s.records,
        "undecodable": s.rejected,
        "empty_lines": s.empty_lines,
    }
