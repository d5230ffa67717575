"""The `single` engine: every shard in this process, in order (the reference for byte-identity).

It reads each file as one shard unless told a shard size (`run_checks` decides), so no pass counts
lines ahead of reading; progress is reported after every batch instead of every shard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dataflywheel.checks.engines.worker import ShardOutcome, run_shard
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard


def run_single(
    shards: Sequence[Shard],
    plan: CheckPlan,
    fold: Callable[[ShardOutcome], None],
    on_batch: Callable[[int, int], None] | None = None,
) -> None:
    for shard in shards:
        fold(run_shard(shard, plan, on_batch))
