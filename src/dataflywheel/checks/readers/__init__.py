"""Readers: files -> shards -> `RecordBatch`es (see `dataflywheel.checks.base` for the batch contract).

`plan_shards(files)` cuts the inputs (NotFound/BadInput before anything is read);
`read_shard(shard, plan)` streams one shard's batches, always at least one. Formats are
`Reader`s registered through the `register_readers` hook (see `registry`). Both use the
registry, which builds on `shards` (the `Shard` record, cutting at line starts), which builds on
`source` (opening and decompressing): no module of the package imports one above it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.registry import Reader, available_readers, detect
from dataflywheel.checks.readers.shards import DEFAULT_SHARD_BYTES, Shard
from dataflywheel.checks.readers.source import file_size
from dataflywheel.errors import BadInput

__all__ = [
    "DEFAULT_SHARD_BYTES",
    "BatchBuilder",
    "Reader",
    "Shard",
    "available_readers",
    "plan_shards",
    "read_file",
    "read_shard",
]


def plan_shards(files: Sequence[str], *, shard_bytes: int = DEFAULT_SHARD_BYTES) -> list[Shard]:
    """Shards for `files` in order; raises NotFound/BadInput before any record is read."""
    if not files:
        raise BadInput("no input files given", expected="at least one JSONL, Parquet or CSV file")
    shards: list[Shard] = []
    for path in files:
        reader, compression = detect(path)
        fmt = reader.format
        size = file_size(path)
        if size == 0:
            raise BadInput("input file is empty", path=path, expected="at least one record")
        if not reader.splittable or compression != "none" or size <= shard_bytes:
            shards.append(Shard(len(shards), path, fmt, compression, 0, size, 1, size))
            continue
        for start, end, first_line in reader.split(path, size, shard_bytes):
            shards.append(Shard(len(shards), path, fmt, compression, start, end, first_line, size))
    return shards


def read_shard(shard: Shard, plan: CheckPlan) -> Iterator[RecordBatch]:
    """The batches of one shard, in order, from the reader registered for its format."""
    reader = available_readers().get(shard.format)
    if reader is None:
        raise BadInput(f"no reader is installed for format {shard.format!r}", path=shard.file)
    builder = BatchBuilder(plan, file=shard.file, shard=shard.index)
    yield from reader.read(shard, plan, builder)


def read_file(path: str, plan: CheckPlan) -> Iterator[RecordBatch]:
    """Every batch of one whole file (for reference sets and tests), shard by shard."""
    for shard in plan_shards([path]):
        yield from read_shard(shard, plan)
