"""The `single` engine: every shard in this process, in order (the reference for byte-identity).

It reads each file as one shard unless told a shard size, so no pass counts lines ahead of
reading; progress is reported after every batch instead of every shard. Finish jobs run here, in
a few threads (`run_jobs_here`).
"""

from __future__ import annotations

from collections.abc import Sequence

from dataflywheel.checks.engines.base import WHOLE_FILE, Engine, Fold, Progress
from dataflywheel.checks.engines.worker import run_shard
from dataflywheel.checks.readers import Shard, plan_shards


class SingleEngine(Engine):
    """This process alone."""

    name = "single"

    def plan(self) -> list[Shard]:
        return plan_shards(self.spec.paths, shard_bytes=self.spec.shard_bytes or WHOLE_FILE)

    def read(self, shards: Sequence[Shard], fold: Fold, progress: Progress) -> None:
        for shard in shards:
            outcome = run_shard(shard, self.spec.plan, self.spec.checks, progress.batch)
            progress.shard(outcome)
            fold(outcome)
