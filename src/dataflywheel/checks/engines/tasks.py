"""How the local engine's processes share work without a coordinator: shards handed out in
tasks of consecutive shards, and finish jobs one at a time, from shared counters.

Tasks shrink towards the end: about `left / (2 * workers)` shards each, so tasks are large at
first (few outcomes to send) and one shard at the end (no process waits long for another before
`finish`), and at most MAX_TASK_BYTES of input (what a helper folds before it sends).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from dataflywheel.checks.base import Check
from dataflywheel.checks.engines.worker import ShardOutcome, run_shard
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard

MAX_TASK_BYTES = 64 * 1024 * 1024  # what a helper folds before it sends (bounds its memory)


class Counter(Protocol):
    """A shared integer (multiprocessing's synchronized `Value`)."""

    value: int

    def get_lock(self) -> Any: ...


def task_end(shards: Sequence[Shard], start: int, workers: int) -> int:
    """Where the task that starts at shard `start` ends (exclusive): about a `2 * workers`-th of
    the shards left, at most MAX_TASK_BYTES of input, at least one shard."""
    want = -(-(len(shards) - start) // (2 * workers))
    end, nbytes = start, 0
    while end < len(shards) and (end == start or (end - start < want and nbytes < MAX_TASK_BYTES)):
        nbytes += span(shards[end])
        end += 1
    return end


def span(shard: Shard) -> int:
    """The stored bytes a shard covers."""
    return shard.stop - shard.start


def claim(counter: Counter, shards: Sequence[Shard], workers: int) -> tuple[int, int] | None:
    """The next task `(start, end)` from the shared counter, or None when every shard is taken."""
    with counter.get_lock():
        start = counter.value
        if start >= len(shards):
            return None
        end = task_end(shards, start, workers)
        counter.value = end
    return start, end


def run_task(
    shards: Sequence[Shard], start: int, end: int, plan: CheckPlan, checks: Sequence[Check]
) -> ShardOutcome:
    """Read shards `start` .. `end - 1` and fold their outcomes into one."""
    outcome = run_shard(shards[start], plan, checks)
    for shard in shards[start + 1 : end]:
        outcome = outcome + run_shard(shard, plan, checks)
    return outcome


def claim_job(counter: Counter, jobs: int) -> int | None:
    """The next finish job's index from the shared counter, or None when every job is taken."""
    with counter.get_lock():
        index = counter.value
        if index >= jobs:
            return None
        counter.value = index + 1
    return index
