"""The `local` engine's helper processes: with this process, they read the shards; the outcomes
are folded here in shard order, so the report is the one the `single` engine gives.

Why it is built this way (the target: on 2 cores, at least 1.7x one process, wall clock):

- **This process reads too.** It already has every module imported and the checks built, so it
  starts on the first shard at once, needs no pickling for its own shards, and `workers` counts
  it: 2 workers are 2 busy processes on 2 cores, not 2 helpers plus an idle parent.
- **Helpers start first.** They start when the engine is entered, before the run asks it to
  plan the shards (planning counts every line of a large file), and they build their checks
  while this process plans and reads, so their start-up overlaps useful work.
- **Forked while that is safe, else spawned.** A forked helper starts at once, with this process's
  modules imported and the run's checks built (it is given them); a spawned one spends ~0.5 s
  of CPU on a fresh interpreter and its imports, on a core this process needs. A fork copies only the calling thread, so it is used
  only while no other Python thread runs (a progress bar may hold the terminal's lock) and before
  polars or pyarrow is imported (their native thread pools would be copied half-alive and
  deadlock the helper; importing polars alone starts threads). The first run of a fresh process
  (`flywheel check`, whose progress bar starts after the helpers; the benchmark) forks; a server
  that has already run checks, or runs two at once, spawns. A fork server would stay resident
  and make the first run wait for it.
- **Helpers import while the parent plans.** A forked helper cannot inherit polars and pyarrow
  (they are imported after the fork, see above), so it imports the modules its checks name
  (`Check.modules`) while the parent plans the shards, not on its first batch (~0.15 s).
- **Small shards, shrinking tasks.** The input is cut into shards of a few MB, handed out from one
  shared counter in *tasks* of consecutive shards (`tasks`): large at first (few outcomes to
  send), one shard at the end (no process waits long for another before `finish`).
- **One outcome per task.** A helper folds its task's shards itself and sends one `ShardOutcome`;
  a thread here receives it as soon as it is sent (a helper never waits on a full pipe), and this
  process unpickles and folds it between its own batches.
- **Helpers share the finish.** Once every outcome is folded, helpers would sit idle while this
  process runs the checks' `finish`. The heaviest part of it comes as finish jobs
  (`Check.finish_jobs`: near duplicates' banding, a few bands a job), which threads of one
  process barely speed up. Each idle helper gets the list of jobs, and every process takes the
  next job from a second shared counter; the results are put back in job order, so the report
  does not depend on who ran what. Helpers then wait to be stopped.

Failure: an error raised in any process stops the run and is raised here (a helper's with its
traceback as the cause); a helper that dies without a word is a `RuntimeError` naming its exit
code; helpers are terminated and joined before the run removes its spill directory, and so
are this process's threads of the run (none outlives it, so the next run may fork).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, Self

from dataflywheel.checks import spill as spill_files
from dataflywheel.checks.base import Check, FinishJob, enabled_checks
from dataflywheel.checks.engines.base import Fold, Progress
from dataflywheel.checks.engines.tasks import Counter, claim, claim_job, run_task
from dataflywheel.checks.engines.worker import ShardOutcome, import_modules, run_shard
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard


class HelperError(Exception):
    """The traceback of an error raised in a helper process (set as the `__cause__`)."""

def _helper(
    conn: Connection,
    counter: Counter,
    plan: CheckPlan,
    spill: str,
    workers: int,
    jobs: Counter,
    checks: list[Check] | None = None,
) -> None:
    """A helper process: build the checks (a forked one is given the run's), wait for the
    shards, run tasks until none is left; then take finish jobs (`Helpers.run_jobs`) from the
    lists it is sent until it is stopped. It spills into the run's directory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        with spill_files.using(spill):
            _serve(conn, counter, plan, workers, jobs, checks)
    except BaseException as exc:  # noqa: BLE001 - every error goes to the parent, which raises it
        with contextlib.suppress(OSError):  # unless the parent is gone
            conn.send(("error", (_portable(exc), traceback.format_exc())))
    finally:
        conn.close()


def _serve(
    conn: Connection,
    counter: Counter,
    plan: CheckPlan,
    workers: int,
    jobs: Counter,
    checks: list[Check] | None,
) -> None:
    """The helper's work, until it is stopped (see `_helper`)."""
    if checks is None:
        checks = enabled_checks(plan)
    import_modules(checks)  # while the parent plans the shards
    shards: list[Shard] | None = conn.recv()
    while shards is not None and (task := claim(counter, shards, workers)) is not None:
        conn.send(("done", run_task(shards, *task, plan, checks)))
    conn.send(("idle", None))
    while (calls := conn.recv()) is not None:
        while (index := claim_job(jobs, len(calls))) is not None:
            conn.send(("job", (index, calls[index]())))


def _portable(exc: BaseException) -> BaseException:
    """`exc` when it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class Helpers:
    """`count` helper processes (forked or spawned) for one run, started before the shards are
    known; this process reads with `checks` (the run's), which forked helpers are given too.

    Use as a context manager: leaving it stops the helpers still running (after `run`, they have
    nothing left to give; after an error, they must stop) and reaps them all, so no helper
    outlives the block. Helpers exit by themselves once no shard is left, so `finish` can run
    inside the block meanwhile."""

    def __init__(
        self, count: int, plan: CheckPlan, spill: str, workers: int, *, checks: list[Check]
    ) -> None:
        method = start_method()
        ctx: Any = multiprocessing.get_context(method)  # typeshed: Process per context
        self.plan, self.checks, self.workers = plan, checks, workers
        given = checks if method == "fork" else None  # a spawned helper builds its own
        self.counter: Counter = ctx.Value("q", 0)  # the next shard
        self.jobs: Counter = ctx.Value("q", 0)  # the next finish job
        self._inbox: queue.SimpleQueue[tuple[int, bytes | None]] = queue.SimpleQueue()
        self._procs: list[Any] = []
        self._conns: list[Connection] = []
        self._ended: set[int] = set()  # helpers that said "idle" or whose pipe closed
        self._idle: list[int] = []  # helpers that said "idle", in that order: they take finish jobs
        self._threads: list[threading.Thread] = []  # joined by `stop`: none outlives the run
        try:
            for i in range(count):
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(
                    target=_helper,
                    args=(theirs, self.counter, plan, spill, workers, self.jobs, given),
                    name=f"flywheel-check-{i + 1}",
                    daemon=True,
                )
                proc.start()
                theirs.close()
                self._procs.append(proc)
                self._conns.append(mine)
            for i, conn in enumerate(self._conns):  # after the forks: no thread is copied
                self._thread(self._receive, i, conn)
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def run(self, shards: Sequence[Shard], fold: Fold, progress: Progress) -> None:
        """Read every shard, here and in the helpers; `fold` sees the outcomes in shard order."""
        for conn in self._conns:  # in a thread: a helper still starting up reads it later
            self._thread(_send_quietly, conn, list(shards))
        order = _InOrder(fold)

        def between_batches(nbytes: int, records: int) -> None:
            progress.batch(nbytes, records)
            self._drain(order, progress, block=False)

        while (task := claim(self.counter, shards, self.workers)) is not None:
            for shard in shards[task[0] : task[1]]:
                outcome = run_shard(shard, self.plan, self.checks, between_batches)
                progress.shard(outcome)
                order.put(outcome)
            self._drain(order, progress, block=False)
        while order.next < len(shards):
            self._drain(order, progress, block=True)

    def _thread(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _receive(self, i: int, conn: Connection) -> None:
        """Thread: every message of helper `i`, as bytes, into the inbox; None when it closes."""
        while True:
            try:
                data = conn.recv_bytes()
            except (EOFError, OSError):
                self._inbox.put((i, None))
                return
            self._inbox.put((i, data))

    def _drain(self, order: _InOrder, progress: Progress, *, block: bool) -> None:
        """Fold what the helpers sent; with `block`, wait for at least one message."""
        while True:
            if block and len(self._ended) == len(self._procs):
                raise RuntimeError("the local engine lost a shard's outcome (a bug)")
            try:
                i, data = self._inbox.get(block=block)
            except queue.Empty:
                return
            block = False
            if data is None:
                if i not in self._ended:
                    raise self._died(i)
                continue
            kind, body = _decoded(data)
            if kind == "done":
                progress.shard(body)
                order.put(body)
            else:
                self._ended.add(i)
                self._idle.append(i)

    def run_jobs(self, jobs: Sequence[FinishJob]) -> list[Any]:
        """Run the checks' finish jobs (`Check.finish_jobs`, once per run) here and in the
        helpers that have finished reading: each of those gets the list, and every process
        takes the next job from one shared counter until none is left (no process waits for
        another to hand it work). The results in job order. A helper's error is raised here,
        as in `run`; a helper that dies meanwhile is a RuntimeError."""
        results: list[Any] = [None] * len(jobs)
        told: set[int] = set()
        done = 0

        def collect(*, block: bool) -> None:
            nonlocal done
            for index, value in self._job_results(block=block):
                results[index] = value
                done += 1
            for helper in self._idle:  # a helper that turned idle late gets the list too
                if helper not in told:
                    told.add(helper)
                    try:
                        self._conns[helper].send(list(jobs))
                    except OSError:  # its pipe is closed: it is gone
                        raise self._died(helper) from None

        collect(block=False)
        while (index := claim_job(self.jobs, len(jobs))) is not None:
            results[index] = jobs[index]()
            done += 1
            collect(block=False)
        while done < len(jobs):  # the last jobs are the helpers'
            collect(block=True)
        return results

    def _job_results(self, *, block: bool) -> list[tuple[int, Any]]:
        """(job, result) for every finish job result received; with `block`, waits for at
        least one. Helpers that turn idle meanwhile join `_idle`."""
        out: list[tuple[int, Any]] = []
        while True:
            try:
                i, data = self._inbox.get(block=block and not out)
            except queue.Empty:
                return out
            if data is None:
                raise self._died(i)
            kind, body = _decoded(data)
            if kind == "job":
                out.append(body)
            else:
                self._ended.add(i)
                self._idle.append(i)

    def _died(self, i: int) -> RuntimeError:
        """The error for helper `i`, whose pipe closed without a word."""
        self._ended.add(i)
        self._procs[i].join(timeout=5)
        code = self._procs[i].exitcode
        return RuntimeError(
            f"a helper process of the local engine died (exit code {code}); "
            "nothing of this run was kept"
        )

    def stop(self) -> None:
        """Terminate the helpers still running, reap them all, then join this run's threads
        before closing the pipes. Once every outcome is folded a helper has nothing left to give
        (it may still be starting up, on a small input), so it is stopped, not waited for.

        Once its helper is gone, a reader thread sees its pipe end and returns; closing the pipe
        under a thread still reading it would fail inside `recv_bytes`, and a thread left
        running would make the next run of this process spawn its helpers (`start_method`)."""
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
        for thread in self._threads:
            thread.join(timeout=5)
        for conn in self._conns:
            conn.close()


THREADED_NATIVE = ("polars", "pyarrow")  # modules whose import or use starts native threads


def start_method() -> str:
    """`fork` while this process runs no other Python thread and no native pool a fork would copy
    half-alive (see the module docstring), else `spawn`."""
    if sys.platform != "linux" or threading.active_count() > 1:
        return "spawn"
    if any(name in sys.modules for name in THREADED_NATIVE):
        return "spawn"
    return "fork"


def _decoded(data: bytes) -> tuple[str, Any]:
    """A helper's message: (kind, body); an error it reports is raised here, its traceback as
    the cause."""
    kind, body = pickle.loads(data)
    if kind == "error":
        error, text = body
        raise error from HelperError(text)
    return kind, body


def _send_quietly(conn: Connection, shards: list[Shard]) -> None:
    try:
        conn.send(shards)
    except OSError:  # the helper is gone; its reader thread reports it
        pass


class _InOrder:
    """Folds outcomes in shard order, holding those that arrive before their predecessors."""

    def __init__(self, fold: Fold) -> None:
        self.fold = fold
        self.next = 0  # the first shard not folded yet
        self._waiting: dict[int, ShardOutcome] = {}

    def put(self, outcome: ShardOutcome) -> None:
        self._waiting[outcome.index] = outcome
        while self.next in self._waiting:
            ready = self._waiting.pop(self.next)
            self.fold(ready)
            self.next += ready.shards


def start_helpers(
    count: int, plan: CheckPlan, spill: str, workers: int, *, checks: list[Check]
) -> Helpers:
    """Start `count` helpers for a run of `workers` processes in all (this one included)."""
    return Helpers(count, plan, spill, workers, checks=checks)
