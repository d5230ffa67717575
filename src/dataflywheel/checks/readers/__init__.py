"""Readers: files -> shards -> `RecordBatch`es (see `dataflywheel.checks.base` for the batch contract).

`plan_shards(files)` cuts the inputs (NotFound/BadInput before anything is read);
`read_shard(shard, plan)` streams one shard's batches, always at least one. Formats are
`Reader`s registered through the `register_readers` hook (see `registry`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.registry import Reader, available_readers
from dataflywheel.checks.readers.shards import DEFAULT_SHARD_BYTES, Shard, plan_shards
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
