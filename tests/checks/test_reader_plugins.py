"""A format added through the `register_readers` hook is read like the built-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from checkhelp import check

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import BatchBuilder, Reader, Shard, available_readers
from dataflywheel.checks.readers.source import iter_chunks
from dataflywheel.hookspecs import hookimpl
from dataflywheel.plugins import get_plugin_manager


class TsvReader(Reader):
    format = "tsv"
    suffixes = (".tsv",)

    def read(self, shard: Shard, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
        text = b"".join(iter_chunks(shard.file, shard.compression)).decode("utf-8")
        for number, row in enumerate(text.splitlines(), start=1):
            rid, body = row.split("\t")
            builder.add(number, {"id": rid, "text": body}, len(row) + 1)
        yield builder.take()


class _Plugin:
    @staticmethod
    @hookimpl
    def register_readers() -> list[type[Reader]]:
        return [TsvReader]


def test_a_plugin_reader_adds_a_format(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_text("a\thello\nb\tHELLO \nc\tworld\n", encoding="utf-8")
    pm = get_plugin_manager()
    pm.register(_Plugin, name="test-tsv-reader")
    available_readers.cache_clear()
    try:
        assert sorted(available_readers()) == ["csv", "jsonl", "parquet", "tsv"]
        report = check(path)
    finally:
        pm.unregister(name="test-tsv-reader")
        available_readers.cache_clear()
    assert report.records == 3
    assert report.metrics["duplicate_count"] == 1
    assert "tsv" not in available_readers()
