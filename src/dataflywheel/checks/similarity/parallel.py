"""A few threads for the numpy-heavy steps of a near-duplicate search, results kept in order.

Band keys, sorts, slot comparisons and spill reads all release the GIL, so bands (or slot
blocks) can be worked on side by side in threads of one process. `ordered_map` keeps at most
`threads` calls running, so memory stays that of `threads` bands, and yields results in item
order, so whatever the caller merges is merged in the same order as one thread would.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
MAX_THREADS = 2  # bands in memory at once (each ~17 bytes per record at its peak)


def default_threads() -> int:
    """Threads for one search: MAX_THREADS, fewer on a machine with fewer CPUs."""
    return max(1, min(MAX_THREADS, os.cpu_count() or 1))


def ordered_map(fn: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """`map(fn, items)` with up to `threads` calls running at once, results in item order.

    With one thread nothing is started. A call that raises raises here, in its turn; calls
    already running are waited for before the exception leaves."""
    if threads <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="flywheel-similarity") as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
