"""Readers: files -> shards -> `RecordBatch`es (see `dataflywheel.checks.base` for the batch contract).

`plan_shards(files)` cuts the inputs (NotFound/BadInput before anything is read);
`read_shard(shard, plan)` streams one shard's batches, always at least one.
"""

from __future__ import annotations

from collections.abc import Iterator

from dataflywheel.checks.base import RecordBatch
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers.builder import BatchBuilder
from dataflywheel.checks.readers.columnar import read_csv, read_parquet
from dataflywheel.checks.readers.jsonl import read_jsonl
from dataflywheel.checks.readers.lines import read_range
from dataflywheel.checks.readers.shards import DEFAULT_SHARD_BYTES, Shard, plan_shards
from dataflywheel.checks.readers.source import CHUNK_BYTES, iter_chunks, open_raw

__all__ = ["DEFAULT_SHARD_BYTES", "Shard", "plan_shards", "read_file", "read_shard"]


def read_shard(shard: Shard, plan: CheckPlan) -> Iterator[RecordBatch]:
    """The batches of one shard, in order."""
    builder = BatchBuilder(plan, file=shard.file, shard=shard.index)
    if shard.format == "parquet":
        yield from read_parquet(shard.file, plan, builder)
    elif shard.format == "csv":
        yield from read_csv(shard.file, shard.compression, plan, builder)
    elif shard.compression != "none":
        yield from read_jsonl(
            iter_chunks(shard.file, shard.compression),
            builder,
            first_line=1,
            at_file_start=True,
            max_line_bytes=plan.max_line_bytes,
        )
    else:
        with open_raw(shard.file) as raw:
            end = shard.end if shard.end >= 0 else shard.size
            yield from read_jsonl(
                read_range(raw, shard.start, end, CHUNK_BYTES),
                builder,
                first_line=shard.first_line,
                at_file_start=shard.start == 0,
                max_line_bytes=plan.max_line_bytes,
            )


def read_file(path: str, plan: CheckPlan) -> Iterator[RecordBatch]:
    """Every batch of one whole file (for reference sets and tests), shard by shard."""
    for shard in plan_shards([path]):
        yield from read_shard(shard, plan)
