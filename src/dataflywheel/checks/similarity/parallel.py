"""A few threads for the numpy-heavy steps of a near-duplicate search, results kept in order.

Band keys, sorts, slot comparisons and spill reads all release the GIL, so bands (or slot
blocks) can be worked on side by side in threads of one process. `ordered_map` keeps at most
`threads` calls running (the caller's thread doing its share), so memory stays that of
`threads` bands, and yields results in item order, so whatever the caller merges is merged in
the same order as one thread would. Each call runs in a copy of the caller's context, so it
spills where the caller's run spills (`dataflywheel.checks.spill`).

Measured on the 2-core machine (Run 6 in `bench/RESULTS.md`): the in-memory steps gain ~1.5x
from a second thread, but the band pass over spilled signatures hardly gains (0.12 s to 0.105 s
at 200k records). Its many small spill reads, one per chunk and band, run no faster from two
threads than from one. That is why the near-duplicate banding is also offered as finish jobs,
which the local engine runs in its helper processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextvars import copy_context
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_THREADS = 2  # bands in memory at once (each ~17 bytes per record at its peak)


def default_threads() -> int:
    """Threads for one search: MAX_THREADS, fewer on a machine with fewer CPUs."""
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """`map(fn, items)` with up to `threads` calls running at once, results in item order.

    The caller's thread does every `threads`-th call itself and `threads - 1` helper threads do
    the others: with one thread nothing is started, and one fewer thread allocates (glibc keeps
    freed memory in a per-thread arena: every extra thread holds about one call's peak after
    it). A call that raises raises here, in its turn; calls already started are waited for
    before the exception leaves."""
    if threads <= 1:
        yield from map(fn, items)
        return
    todo = list(items)
    with ThreadPoolExecutor(threads - 1, thread_name_prefix="flywheel-similarity") as pool:
        for at in range(0, len(todo), threads):
            others = [
                pool.submit(copy_context().run, fn, item) for item in todo[at + 1 : at + threads]
            ]
            try:
                first = fn(todo[at])
            except BaseException:
                wait(others)
                raise
            yield first
            for future in others:
                yield future.result()
