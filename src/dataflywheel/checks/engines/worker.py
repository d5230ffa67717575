"""What one worker does with one shard: read it, run every enabled check, fold the partials.

The same function runs in this process (`single` engine, and the `local` engine's own share), in
its helper processes (`local`) and, later, in Ray tasks; it takes the run's checks (built once
per run and process: construction may load reference data) and plain data (a `Shard`, a
`CheckPlan`), and returns plain data (partials). It spills into the directory of the context it
runs in (`dataflywheel.checks.spill.using`). Outcomes of consecutive shards add up
(`ShardOutcome.__add__`), so a process can fold a run of shards before sending one outcome.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Self

from dataflywheel.checks.base import Check, Partial, RecordBatch, Reject
from dataflywheel.checks.plan import CheckPlan
from dataflywheel.checks.readers import Shard, read_shard


@dataclass(slots=True)
class FileStats:
    """Counts for one input file (summed over its shards)."""

    bytes: int = 0
    lines: int = 0  # non-empty lines (or rows): records + rejected
    records: int = 0
    rejected: int = 0
    empty_lines: int = 0

    def __add__(self, other: FileStats) -> FileStats:
        return FileStats(
            self.bytes + other.bytes,
            self.lines + other.lines,
            self.records + other.records,
            self.rejected + other.rejected,
            self.empty_lines + other.empty_lines,
        )


@dataclass(slots=True)
class ReadPartial(Partial):
    """What reading found, independent of the checks: per-file counts, undecodable lines, notes."""

    files: dict[str, FileStats] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add_batch(self, batch: RecordBatch) -> None:
        stats = FileStats(
            batch.nbytes,
            len(batch) + len(batch.rejects),
            len(batch),
            len(batch.rejects),
            batch.empty_lines,
        )
        self.files[batch.file] = self.files.get(batch.file, FileStats()) + stats
        self.rejects.extend(batch.rejects)
        self.warnings.extend(batch.warnings)

    def __add__(self, other: Self) -> Self:
        for name, stats in other.files.items():
            self.files[name] = self.files.get(name, FileStats()) + stats
        self.rejects.extend(other.rejects)
        self.warnings.extend(other.warnings)
        return self


@dataclass(slots=True)
class ShardOutcome:
    """What reading shards `index` .. `index + shards - 1` gave: counts, one partial per check."""

    index: int
    read: ReadPartial
    partials: list[Partial]
    nbytes: int
    shards: int = 1

    def __add__(self, other: ShardOutcome) -> ShardOutcome:
        """The outcome of this run of shards followed by the next run (`other` starts where this
        one ends); like partials, it may reuse this operand."""
        if other.index != self.index + self.shards:
            raise ValueError(f"shard {other.index} does not follow shards {self.index}..")
        self.read = self.read + other.read
        self.partials = [a + b for a, b in zip(self.partials, other.partials, strict=True)]
        self.nbytes += other.nbytes
        self.shards += other.shards
        return self


def import_modules(checks: Sequence[Check]) -> None:
    """Import the modules the checks import on their first batch (`Check.modules`), ahead of it."""
    for name in sorted({name for check in checks for name in check.modules}):
        importlib.import_module(name)


def run_shard(
    shard: Shard,
    plan: CheckPlan,
    checks: Sequence[Check],
    on_batch: Callable[[int, int], None] | None = None,
) -> ShardOutcome:
    """Read one shard and fold each of `checks`' partials (the plan's, `enabled_checks(plan)`)
    over its batches, in order. `on_batch(bytes, records)` is called after each batch (progress
    inside a big shard)."""
    read = ReadPartial()
    folded: list[Partial | None] = [None] * len(checks)
    for batch in read_shard(shard, plan):
        if on_batch is not None:
            on_batch(batch.nbytes, len(batch))
        read.add_batch(batch)
        for i, check in enumerate(checks):
            part = check.partial(batch)
            acc = folded[i]
            folded[i] = part if acc is None else acc + part
    partials = [p for p in folded if p is not None]
    span = shard.stop - shard.start
    return ShardOutcome(shard.index, read, partials, span)
