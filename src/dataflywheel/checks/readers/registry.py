"""Input formats: one `Reader` per format, found through the `register_readers` hook.

A reader turns one `Shard` of a file into `RecordBatch`es (the batch contract is in
`dataflywheel.checks.base`) through a `BatchBuilder`, which derives ids, texts and groups the same
way for every format. `splittable` readers accept byte-range shards of uncompressed files, cut
where their `split` says: at line starts, with each shard's exact first line number (JSONL, the
default), or at row groups, with each shard's first row number (Parquet). Others always get the
whole file.
The built-ins (JSONL, Parquet, CSV) are registered by `dataflywheel.checks.builtin` like plugins.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, ClassVar

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.shards import Shard, line_ranges
from dataflywheel.checks.readers.source import CHUNK_BYTES, Compression, iter_chunks, open_raw
from dataflywheel.errors import BadInput


class Reader(ABC):
    """One input format."""

    format: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    splittable: ClassVar[bool] = False

    @abstractmethod
    def read(self, shard: Shard, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
        """The batches of `shard` in order; at least one (possibly empty) batch."""

    def split(self, path: str, size: int, shard_bytes: int) -> list[tuple[int, int, int]]:
        """(start, end, first_line) of each shard of an uncompressed file of a `splittable`
        format, about `shard_bytes` each, in order, covering bytes 0 .. size - 1 exactly once.
        The default cuts at line starts and counts the newlines before each cut."""
        return line_ranges(path, size, shard_bytes)


class JsonlReader(Reader):
    format = "jsonl"
    suffixes = (".jsonl", ".ndjson", ".json")
    splittable = True

    def read(self, shard: Shard, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
        from dataflywheel.checks.readers.jsonl import read_jsonl
        from dataflywheel.checks.readers.lines import read_range

        if shard.compression != "none":
            chunks = iter_chunks(shard.file, shard.compression)
            yield from read_jsonl(
                chunks,
                builder,
                first_line=1,
                at_file_start=True,
                max_line_bytes=plan.max_line_bytes,
            )
            return
        with open_raw(shard.file) as raw:
            yield from read_jsonl(
                read_range(raw, shard.start, shard.stop, CHUNK_BYTES),
                builder,
                first_line=shard.first_line,
                at_file_start=shard.start == 0,
                max_line_bytes=plan.max_line_bytes,
            )


class ParquetReader(Reader):
    format = "parquet"
    suffixes = (".parquet", ".pq")
    splittable = True  # by row groups

    def read(self, shard: Shard, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
        from dataflywheel.checks.readers.columnar import read_parquet

        if shard.compression != "none":
            raise BadInput(
                "compressed Parquet files are not read",
                path=shard.file,
                expected="a plain .parquet file (Parquet compresses inside)",
            )
        yield from read_parquet(
            shard.file, plan, builder, size=shard.size, start=shard.start, end=shard.stop
        )

    def split(self, path: str, size: int, shard_bytes: int) -> list[tuple[int, int, int]]:
        from dataflywheel.checks.readers.columnar import row_group_ranges

        return row_group_ranges(path, size, shard_bytes)


class CsvReader(Reader):
    format = "csv"
    suffixes = (".csv",)

    def read(self, shard: Shard, plan: CheckPlan, builder: BatchBuilder) -> Iterator[RecordBatch]:
        from dataflywheel.checks.readers.columnar import read_csv

        yield from read_csv(shard.file, shard.compression, plan, builder)


BUILTIN_READERS: tuple[type[Reader], ...] = (JsonlReader, ParquetReader, CsvReader)


@lru_cache(maxsize=1)
def available_readers() -> dict[str, Reader]:
    """Every registered reader by format name (built-ins and plugins)."""
    from dataflywheel.plugins import get_plugin_manager

    found: dict[str, Reader] = {}
    for readers in get_plugin_manager().hook.register_readers():
        for item in readers or ():
            reader: Any = item() if isinstance(item, type) else item
            if reader.format in found and type(found[reader.format]) is not type(reader):
                raise BadInput(
                    f"two readers are registered for format {reader.format!r}",
                    expected="one reader per format",
                )
            found[reader.format] = reader
    return found


def detect(path: str) -> tuple[Reader, Compression]:
    """The reader and compression for a file name: `x.jsonl.gz` is gzip JSONL."""
    name = path.lower().rstrip("/")
    compression: Compression = "none"
    if name.endswith(".gz"):
        compression, name = "gzip", name[:-3]
    elif name.endswith((".zst", ".zstd")):
        compression, name = "zstd", name.rsplit(".", 1)[0]
    readers = available_readers()
    matches = [(len(s), r) for r in readers.values() for s in r.suffixes if name.endswith(s)]
    if matches:
        return max(matches, key=lambda m: m[0])[1], compression
    suffixes = sorted(s for r in readers.values() for s in r.suffixes)
    raise BadInput(
        "unknown input format",
        path=path,
        expected="a name ending in " + ", ".join(suffixes) + " (optionally .gz or .zst)",
    )
