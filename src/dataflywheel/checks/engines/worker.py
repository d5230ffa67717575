"""What one worker does with one shard: read it, run every enabled check, fold the partials.

The same function runs in-process (`single` engine), in a process pool (`local`) and, later, in
Ray tasks; it takes and returns plain data only (a `Shard`, a `CheckPlan`, partials).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self

from dataflywheel.checks.base import Check, Partial, RecordBatch, Reject, enabled_checks
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
    index: int
    read: ReadPartial
    partials: list[Partial]
    nbytes: int


_CHECKS: dict[str, list[Check]] = {}


def checks_for(plan: CheckPlan) -> list[Check]:
    """The plan's checks, built once per process (construction may load reference data)."""
    key = plan.model_dump_json(by_alias=True)
    if key not in _CHECKS:
        _CHECKS.clear()
        _CHECKS[key] = enabled_checks(plan)
    return _CHECKS[key]


def run_shard(
    shard: Shard, plan: CheckPlan, on_batch: Callable[[int, int], None] | None = None
) -> ShardOutcome:
    """Read one shard and fold each check's partials over its batches, in order.
    `on_batch(bytes, records)` is called after each batch (progress inside a big shard)."""
    checks = checks_for(plan)
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
    span = (shard.end if shard.end >= 0 else shard.size) - shard.start
    return ShardOutcome(shard.index, read, partials, span)
