"""`ordered_map`: results in item order, never more than `threads` calls at once, errors raised."""

from __future__ import annotations

import threading
import time

import pytest

from dataflywheel.checks.similarity.parallel import default_threads, ordered_map


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_results_come_in_item_order_with_at_most_threads_running(threads: int) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def slow(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.002 * ((7 * i) % 5))  # later items often end first
        with lock:
            running -= 1
        return i * i

    assert list(ordered_map(slow, range(20), threads)) == [i * i for i in range(20)]
    assert most <= threads
    if threads > 1:
        assert most > 1  # the sleeps overlap: calls really ran side by side


def test_one_thread_runs_every_call_in_the_caller() -> None:
    seen = list(ordered_map(lambda _: threading.current_thread(), range(3), 1))
    assert seen == [threading.current_thread()] * 3


@pytest.mark.parametrize("threads", [1, 2])
def test_an_error_is_raised_in_its_turn(threads: int) -> None:
    def fails_at_three(i: int) -> int:
        if i == 3:
            raise ValueError("item 3")
        return i

    results = ordered_map(fails_at_three, range(10), threads)
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="item 3"):
        next(results)


def test_default_threads_follow_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for cpus, expected in ((None, 1), (1, 1), (2, 2), (64, 2)):
        monkeypatch.setattr(os, "cpu_count", lambda cpus=cpus: cpus)
        assert default_threads() == expected
