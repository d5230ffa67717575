"""The `local` engine: this process and `workers - 1` helper processes (`helpers`) read the
shards and share the finish jobs; the report is the one the `single` engine gives.

Small shards (1-8 MB, about SHARDS_PER_WORKER per worker) so that tasks can shrink towards the
end (`tasks`); no helper at all when it would cost more than it reads.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from dataflywheel.checks.base import FinishJob
from dataflywheel.checks.engines.base import WHOLE_FILE, Fold, Progress, RunSpec
from dataflywheel.checks.engines.helpers import Helpers, start_helpers
from dataflywheel.checks.engines.single import SingleEngine
from dataflywheel.checks.readers import Shard, plan_shards
from dataflywheel.checks.readers.source import file_size

MIN_SHARD_BYTES = 1024 * 1024
MAX_SHARD_BYTES = 8 * 1024 * 1024
SHARDS_PER_WORKER = 32  # small shards, handed out in shrinking tasks
# Below this much input, `local` reads here alone unless told a shard size: a helper's start-up
# (a fresh interpreter, imports, first-batch warm-up: ~0.7 s of CPU) costs more than it would read.
MIN_PARALLEL_BYTES = 32 * 1024 * 1024


class LocalEngine(SingleEngine):
    """This process and `workers - 1` helper processes (default: all cores). An input under
    MIN_PARALLEL_BYTES (unless told a shard size), of one shard, or one worker is read here
    alone, whole, as `single` reads it: a helper would cost more than it reads."""

    name = "local"

    def __init__(self, spec: RunSpec) -> None:
        super().__init__(spec)
        self.shard_bytes, self.count = spec.shard_bytes, max(1, spec.workers or os.cpu_count() or 1)
        self.helpers: Helpers | None = None
        if self.count > 1:
            sizes = [file_size(p) for p in spec.paths]  # NotFound before a helper starts
            if self.shard_bytes is None and sum(sizes) >= MIN_PARALLEL_BYTES:
                self.shard_bytes = _shard_bytes(sum(sizes), self.count)
            if self.shard_bytes is None or (len(sizes) == 1 and sizes[0] <= self.shard_bytes):
                self.count = 1  # one shard: nothing to share

    def start(self) -> None:
        if self.count > 1:
            spec = self.spec
            self.helpers = start_helpers(
                self.count - 1, spec.plan, spec.spill, self.count, checks=spec.checks
            )

    def stop(self) -> None:
        if self.helpers is not None:
            self.helpers.stop()

    def plan(self) -> list[Shard]:
        return plan_shards(self.spec.paths, shard_bytes=self.shard_bytes or WHOLE_FILE)

    def read(self, shards: Sequence[Shard], fold: Fold, progress: Progress) -> None:
        if self.helpers is None:
            super().read(shards, fold, progress)
        else:
            self.helpers.run(shards, fold, progress)

    def run_jobs(self, jobs: Sequence[FinishJob]) -> list[Any]:
        """Shared with the helpers, which are idle by then (`Helpers.run_jobs`)."""
        return super().run_jobs(jobs) if self.helpers is None else self.helpers.run_jobs(jobs)


def _shard_bytes(total: int, workers: int) -> int:
    return max(MIN_SHARD_BYTES, min(MAX_SHARD_BYTES, total // (workers * SHARDS_PER_WORKER)))
