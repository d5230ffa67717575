"""The `single` engine: every shard in this process, in order (the reference for byte-identity).

It reads each file as one shard unless told a shard size (`run_checks` decides), so no pass counts
lines ahead of reading; progress is reported after every batch instead of every shard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from dataflywheel.checks.engines.worker import ShardOutcome, run_shard
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard


class Progress(Protocol):
    def batch(self, nbytes: int, records: int) -> None: ...
    def shard(self, outcome: ShardOutcome) -> None: ...


def run_single(
    shards: Sequence[Shard],
    plan: CheckPlan,
    fold: Callable[[ShardOutcome], None],
    progress: Progress,
    spill: str | None = None,
) -> None:
    """Read every shard here, in order; `fold` and `progress` see each outcome."""
    for shard in shards:
        outcome = run_shard(shard, plan, progress.batch, spill)
        progress.shard(outcome)
        fold(outcome)
