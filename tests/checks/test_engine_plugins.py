"""An engine added through the `register_engines` hook is chosen by name like the built-ins: the
engine protocol is all a third engine (Ray) implements, not a branch of `run_checks`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.base import FinishJob
from dataflywheel.checks.engines.base import Engine, Fold, Progress
from dataflywheel.checks.engines.registry import available_engines, engine_named
from dataflywheel.checks.engines.worker import ShardOutcome, run_shard
from dataflywheel.checks.readers import Shard, plan_shards
from dataflywheel.errors import BadInput
from dataflywheel.hookspecs import hookimpl
from dataflywheel.plugins import get_plugin_manager

CALLS: list[str] = []


class BackwardsEngine(Engine):
    """Reads the shards last to first and runs the finish jobs last to first, then hands both
    over in order, as an engine whose workers finish in any order must."""

    name = "backwards"

    def start(self) -> None:
        CALLS.append("start")

    def plan(self) -> list[Shard]:
        return plan_shards(self.spec.paths, shard_bytes=self.spec.shard_bytes or 4_000)

    def read(self, shards: Sequence[Shard], fold: Fold, progress: Progress) -> None:
        spec = self.spec
        done: dict[int, ShardOutcome] = {}
        for shard in reversed(shards):
            done[shard.index] = run_shard(shard, spec.plan, spec.checks)
            progress.shard(done[shard.index])
        for index in sorted(done):
            fold(done[index])
        CALLS.append(f"read {len(shards)}")

    def run_jobs(self, jobs: Sequence[FinishJob]) -> list[Any]:
        CALLS.append(f"jobs {len(jobs)}")
        return [job() for job in reversed(jobs)][::-1]

    def stop(self) -> None:
        CALLS.append("stop")


class _Plugin:
    @staticmethod
    @hookimpl
    def register_engines() -> list[type[Engine]]:
        return [BackwardsEngine]


@pytest.fixture
def backwards() -> Iterator[None]:
    pm = get_plugin_manager()
    pm.register(_Plugin, name="test-backwards-engine")
    available_engines.cache_clear()
    CALLS.clear()
    try:
        yield
    finally:
        pm.unregister(name="test-backwards-engine")
        available_engines.cache_clear()


def _corpus(path: Path) -> Path:
    rows = [{"id": str(i), "text": f"line {i % 37} of the corpus, word {i % 11}"} for i in range(900)]
    return write_jsonl(path, rows)


def test_a_plugin_engine_is_chosen_by_name_and_reports_as_single(
    tmp_path: Path, backwards: None
) -> None:
    path = _corpus(tmp_path / "c.jsonl")
    p = plan(checks={"near_duplicates": {}})
    assert list(available_engines()) == ["backwards", "local", "single"]
    report = check(path, p, engine="backwards")
    assert report.to_json() == check(path, p, engine="single").to_json()
    assert CALLS[0] == "start" and CALLS[-1] == "stop" and CALLS[2].startswith("jobs ")
    assert int(CALLS[1].split()[1]) > 5  # several shards, read backwards, merged in order
    with pytest.raises(BadInput) as err:
        engine_named("ray")
    assert str(err.value) == (
        "unknown engine; field 'engine'; expected backwards, local or single; got 'ray'"
    )


def test_two_engines_under_one_name_are_refused(backwards: None) -> None:
    class Impostor(BackwardsEngine):
        pass

    class _Twice:
        @staticmethod
        @hookimpl
        def register_engines() -> list[type[Engine]]:
            return [Impostor]

    pm = get_plugin_manager()
    pm.register(_Twice, name="test-impostor-engine")
    available_engines.cache_clear()
    try:
        with pytest.raises(BadInput) as err:
            available_engines()
    finally:
        pm.unregister(name="test-impostor-engine")
        available_engines.cache_clear()
    assert str(err.value) == (
        "two engines are registered as 'backwards'; expected one engine per name"
    )
