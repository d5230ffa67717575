"""The engine protocol: what `single`, `local` and any later engine (Ray) implement.

A run (`dataflywheel.checks.engines.run.CheckRun`) owns the work: the plan's checks, the spill
directory, the merge of the outcomes and the finish. An engine owns only where that work runs,
in steps the run calls in this order, inside `with engine:`:

1. `start()` (entering): start the engine's workers, before the shards are planned, so that
   their start-up overlaps the planning.
2. `plan()`: cut the inputs into shards (`plan_shards`, with a shard size of the engine's
   choosing).
3. `read(shards, fold, progress)`: run `run_shard` on every shard, wherever the engine has
   workers, and give each outcome to `fold`, in shard order (outcomes of consecutive shards may
   be added up first): the run merges them, so every engine's report is the same.
4. `run_jobs(jobs)`: run the checks' finish jobs (`Check.finish_jobs`), results in job order.
5. `stop()` (leaving, failed or not): stop and reap the workers; none outlives the run.

An engine is built per run from a `RunSpec` (plain data and the run's checks) and registered by
name through the `register_engines` hook (`dataflywheel.checks.engines.registry`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self

from dataflywheel.checks.base import Check, FinishJob
from dataflywheel.checks.engines.worker import ShardOutcome
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard
from dataflywheel.checks.similarity.parallel import default_threads, ordered_map

Fold = Callable[[ShardOutcome], None]  # merges outcomes, given in shard order
WHOLE_FILE = 1 << 62  # a shard size no file reaches: each file is one shard


class Progress(Protocol):
    """What an engine reports while it reads (the run turns it into bytes and records done)."""

    def batch(self, nbytes: int, records: int) -> None:
        """A batch of the shard being read in this process was read."""

    def shard(self, outcome: ShardOutcome) -> None:
        """Shards were read (here or in a worker): their outcome, before it is folded."""


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What an engine is given for one run: the inputs, the plan and its checks (built by the
    run), the run's spill directory (workers elsewhere spill there: `spill.using`), and the
    caller's `workers` and `shard_bytes` (None: the engine's default)."""

    paths: list[str]
    plan: CheckPlan
    checks: list[Check]
    spill: str
    workers: int | None = None
    shard_bytes: int | None = None


class Engine(ABC):
    """Where one run's shards are read and its finish jobs run (see the module docstring)."""

    name: ClassVar[str]  # what `run_checks(engine=...)` and `--engine` take

    def __init__(self, spec: RunSpec) -> None:
        """Check what must be checked before any worker starts (files exist: NotFound)."""
        self.spec = spec

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the engine's workers, if it has any (by default none)."""

    def stop(self) -> None:
        """Stop and reap the engine's workers; called however the run ended."""

    @abstractmethod
    def plan(self) -> list[Shard]:
        """The shards of the run's inputs, in order (NotFound/BadInput before any is read)."""

    @abstractmethod
    def read(self, shards: Sequence[Shard], fold: Fold, progress: Progress) -> None:
        """Read every shard; `fold` sees the outcomes in shard order."""

    def run_jobs(self, jobs: Sequence[FinishJob]) -> list[Any]:
        """The finish jobs' results, in job order; by default run here (`run_jobs_here`)."""
        return run_jobs_here(jobs)


def run_jobs_here(jobs: Sequence[FinishJob]) -> list[Any]:
    """Finish jobs in this process, up to `default_threads()` at once, results in job order."""
    return list(ordered_map(lambda job: job(), jobs, default_threads()))
