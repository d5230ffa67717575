"""The `local` engine: shards on a process pool, partials merged in shard order.

Workers come from a forkserver (no fork of a process that runs a progress thread); results are
folded as soon as every earlier shard is in, so memory holds at most the out-of-order tail.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from dataflywheel.checks.engines.worker import ShardOutcome, run_shard
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard

Fold = Callable[[ShardOutcome], None]


def _preload() -> list[str]:
    """Modules the fork server imports once, so each worker starts warm (missing ones are
    skipped by multiprocessing)."""
    from dataflywheel.checks.builtin import BUILTIN_MODULES
    from dataflywheel.plugins import DEFAULT_PLUGINS

    builtin = [f"dataflywheel.checks.builtin.{m}" for m in BUILTIN_MODULES]
    return ["dataflywheel.checks.engines.worker", *DEFAULT_PLUGINS, *builtin]


def run_local(
    shards: Sequence[Shard], plan: CheckPlan, fold: Fold, *, workers: int | None = None
) -> None:
    """Run every shard on a pool of `workers` processes (default: all cores); `fold` sees the
    outcomes strictly in shard order."""
    count = max(1, min(workers or os.cpu_count() or 1, len(shards)))
    if count == 1:
        for shard in shards:
            fold(run_shard(shard, plan))
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_preload())
    done: dict[int, ShardOutcome] = {}
    next_index = 0
    with ProcessPoolExecutor(max_workers=count, mp_context=ctx) as pool:
        pending: set[Future[ShardOutcome]] = {pool.submit(run_shard, s, plan) for s in shards}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    outcome = future.result()
                    done[outcome.index] = outcome
                while next_index < len(shards) and shards[next_index].index in done:
                    fold(done.pop(shards[next_index].index))
                    next_index += 1
        except BaseException:
            for future in pending:
                future.cancel()
            raise
