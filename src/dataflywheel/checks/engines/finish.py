"""The finish of a run: every check's `finish`, side by side in threads, results in check order.

The checks' `finish` calls run in threads (at most one per CPU; numpy and polars release the
GIL), and their results are taken in check order, so the report is the one a single thread would
build. A check may split the heaviest part of its finish into jobs (`Check.finish_jobs`); the
engine runs them (`Engine.run_jobs`: `single` in a few threads, `local` shared with its helper
processes) and the check gets their results in job order (`Check.finish_with`). Every thread
started here runs in a copy of the run's context, so it spills into the run's directory.
"""

from __future__ import annotations

import gc
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from typing import Any

from dataflywheel.checks.base import Check, CheckResult, FinishJob, Partial

RunJobs = Callable[[Sequence[FinishJob]], list[Any]]  # runs finish jobs, results in order


def finish(
    checks: Sequence[Check], partials: Sequence[Partial | None], run_jobs: RunJobs
) -> list[CheckResult]:
    """Every check's `finish` (of the checks with a partial), side by side in threads (the heavy
    ones are numpy and polars work, which releases the GIL), results in check order; the first
    failure in that order is raised once every `finish` has ended. Checks that offer finish jobs
    (`Check.finish_jobs`) have them run by `run_jobs`, from this thread (the local engine shares
    them with its helper processes) while the other checks finish, and then finish with their
    results (`finish_with`). This thread takes `finish` calls too, so one thread fewer allocates
    (glibc keeps what a thread freed in that thread's arena)."""
    work = [(c, p) for c, p in zip(checks, partials) if p is not None]
    with gc_paused():
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
            helpers = [pool.submit(copy_context().run, take_plain) for _ in range(threads - 1)]
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
        except Exception as err:  # noqa: BLE001 - raised by `finish`, in check order
            done[i] = err
        at += len(share)


class _GcPause:
    """No cyclic garbage collection while any run finishes: `finish` builds many small dicts and
    lists (listed clusters and groups, tens of thousands when every one is listed), and every few
    hundred trigger a collection that walks the heap (half the listing's time at 200k records).
    What `finish` allocates is freed by reference counting. The collector is the interpreter's,
    not a run's: the first run to finish turns it off, the last one out restores it as the
    first found it, so runs finishing at once in threads never switch it on under each other."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._was_enabled:
                    gc.enable()


gc_paused = _GcPause()
