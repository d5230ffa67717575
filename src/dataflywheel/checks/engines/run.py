"""One run of a plan over files, and the state it owns.

A `CheckRun` owns everything a run needs and no other run may share: its checks (built for its
plan), its spill directory (set for the run's context: `spill.using`), the merge of its
outcomes and its progress. Nothing of it is process-wide, so two runs in one process (threads of
a server) run side by side; the engine (`base.Engine`) only says where shards are read and
finish jobs run.

Spill directory: each run makes one `flywheel-check-*` temporary directory, every process that
reads shards for it spills there (`dataflywheel.checks.spill`), the checks' `finish` runs while
it exists, and it is removed when the run ends, failed or not, after the engine's workers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence

from dataflywheel.checks import spill
from dataflywheel.checks.base import CheckResult, Partial, enabled_checks
from dataflywheel.checks.engines.base import Engine, RunSpec
from dataflywheel.checks.engines.finish import finish
from dataflywheel.checks.engines.worker import ReadPartial, ShardOutcome
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard

OnProgress = Callable[[int, int, int], None]  # (bytes done, bytes total, records done)


class CheckRun:
    """One run of `plan` over `paths`; building it builds the checks (BadInput on a bad plan)."""

    def __init__(
        self, paths: list[str], plan: CheckPlan, *, progress: OnProgress | None = None
    ) -> None:
        self.paths, self.plan, self.progress = paths, plan, progress
        self.checks = enabled_checks(plan)

    def execute(
        self, engine: type[Engine], *, workers: int | None, shard_bytes: int | None
    ) -> tuple[ReadPartial, list[CheckResult]]:
        """Plan, read and merge, finish, on `engine`: what reading found and every check's
        result, in check order."""
        with (
            tempfile.TemporaryDirectory(prefix="flywheel-check-") as spill_dir,
            spill.using(spill_dir),
        ):
            spec = RunSpec(self.paths, self.plan, self.checks, spill_dir, workers, shard_bytes)
            with engine(spec) as running:
                shards = running.plan()
                merged = Merge(len(self.checks))
                running.read(shards, merged, RunProgress(self.progress, _total(shards)))
                results = finish(self.checks, merged.partials, running.run_jobs)
        return merged.read, results


def _total(shards: Sequence[Shard]) -> int:
    return sum(s.size for s in shards if s.start == 0)


class Merge:
    """Merges shard outcomes, which it is given in shard order."""

    def __init__(self, nchecks: int) -> None:
        self.read = ReadPartial()
        self.partials: list[Partial | None] = [None] * nchecks

    def __call__(self, outcome: ShardOutcome) -> None:
        self.read = self.read + outcome.read
        for i, part in enumerate(outcome.partials):
            acc = self.partials[i]
            self.partials[i] = part if acc is None else acc + part


class RunProgress:
    """Reports bytes and records read so far, in whatever order shards finish: the batches of
    the shard this process is reading, plus every shard finished (here or in a worker)."""

    def __init__(self, progress: OnProgress | None, total: int) -> None:
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
