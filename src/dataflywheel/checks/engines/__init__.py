"""Engines run a plan over files and return a `QualityReport`; `run_checks` is the public API.

Guarantees: the plan is validated (checks installed, thresholds name produced metrics) and every
file is found and sized before any record is read; every engine folds the same partials in the
same shard order, so their reports are byte-identical; when `rejects` is given, every rejected
line or record is written there (JSONL, atomically), even when the report lists only the first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from dataflywheel.checks.base import CheckResult, Example, Partial, Reject
from dataflywheel.checks.engines.worker import FileStats, ReadPartial, ShardOutcome, checks_for
from dataflywheel.checks.plan import CheckPlan, Threshold
from dataflywheel.checks.readers import plan_shards
from dataflywheel.checks.report import (
    MAX_REJECTS_LISTED,
    FileSummary,
    GateResult,
    QualityReport,
    rejects_jsonl,
    write_text_atomic,
)
from dataflywheel.errors import BadInput

EngineName = Literal["local", "single"]
Progress = Callable[[int, int, int], None]  # (bytes done, bytes total, records done)
MIN_SHARD_BYTES = 4 * 1024 * 1024
MAX_SHARD_BYTES = 64 * 1024 * 1024
WHOLE_FILE = 1 << 62


def run_checks(
    files: Sequence[str | Path],
    plan: CheckPlan,
    *,
    engine: EngineName = "local",
    workers: int | None = None,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    shard_bytes: int | None = None,
) -> QualityReport:
    """Check `files` against `plan` and return the report (raises FlywheelError on bad input)."""
    if engine not in ("local", "single"):
        raise BadInput("unknown engine", field="engine", expected="local or single", got=engine)
    if workers is not None and workers < 1:
        raise BadInput("workers must be at least 1", field="workers", got=workers)
    paths = [str(f) for f in files]
    if len(set(paths)) != len(paths):
        raise BadInput(
            "the same file is named twice", expected="each input once", got=", ".join(paths)
        )
    checks = checks_for(plan)
    ncpu = workers or os.cpu_count() or 1
    if shard_bytes is None:  # the single engine reads each file whole: no line-counting pass
        shard_bytes = WHOLE_FILE if engine == "single" else _shard_bytes(paths, ncpu)
    shards = plan_shards(paths, shard_bytes=shard_bytes)
    total = sum(s.size for s in shards if s.start == 0)
    state = _Fold(len(checks), progress, total)
    if engine == "single":
        from dataflywheel.checks.engines.single import run_single

        run_single(shards, plan, state, state.batch_done if progress is not None else None)
    else:
        from dataflywheel.checks.engines.local import run_local

        run_local(shards, plan, state, workers=workers)
    results = [c.finish(p) for c, p in zip(checks, state.partials) if p is not None]
    report = build_report(paths, plan, state.read, results)
    if rejects is not None:
        write_text_atomic(rejects, rejects_jsonl(_all_rejects(paths, state.read, results)))
    return report


def _shard_bytes(paths: list[str], workers: int) -> int:
    from dataflywheel.checks.readers.source import file_size

    total = sum(file_size(p) for p in paths)
    return max(MIN_SHARD_BYTES, min(MAX_SHARD_BYTES, total // max(1, workers * 4)))


class _Fold:
    """Folds shard outcomes in order and reports progress."""

    def __init__(self, nchecks: int, progress: Progress | None, total: int) -> None:
        self.read = ReadPartial()
        self.partials: list[Partial | None] = [None] * nchecks
        self.progress = progress
        self.total = total
        self.done = 0
        self.records = 0
        self._batch_bytes = 0  # of the shard being read, reported by batch_done
        self._batch_records = 0

    def batch_done(self, nbytes: int, records: int) -> None:
        """Progress inside a shard (single engine); the shard's outcome replaces it when folded."""
        self._batch_bytes += nbytes
        self._batch_records += records
        if self.progress is not None:
            done = min(self.done + self._batch_bytes, self.total)
            self.progress(done, self.total, self.records + self._batch_records)

    def __call__(self, outcome: ShardOutcome) -> None:
        self._batch_bytes = self._batch_records = 0
        self.read = self.read + outcome.read
        for i, part in enumerate(outcome.partials):
            acc = self.partials[i]
            self.partials[i] = part if acc is None else acc + part
        self.done += outcome.nbytes
        self.records += sum(s.records for s in outcome.read.files.values())
        if self.progress is not None:
            self.progress(self.done, self.total, self.records)


def _all_rejects(paths: list[str], read: ReadPartial, results: list[CheckResult]) -> list[Reject]:
    order = {p: i for i, p in enumerate(paths)}
    every = list(read.rejects) + [r for res in results for r in res.rejects]
    return sorted(every, key=lambda r: (order.get(r.file, len(order)), r.line, r.check))


def _gate(
    t: Threshold, metrics: dict[str, float], examples: dict[str, list[Example]], max_examples: int
) -> GateResult:
    """A gate on a metric the checks could not compute (e.g. agreement on one label) fails:
    an unknown value never passes a gate."""
    observed = metrics.get(t.metric)
    passed = observed is not None and t.holds(observed)
    return GateResult(
        metric=t.metric,
        op=t.op,
        value=t.value,
        observed=observed,
        passed=passed,
        source=t.source,
        note=None
        if observed is not None
        else "undefined for this batch (see the check's sections)",
        examples=[] if passed else _examples_for(examples, t.metric)[:max_examples],
    )


def build_report(
    paths: list[str], plan: CheckPlan, read: ReadPartial, results: list[CheckResult]
) -> QualityReport:
    """Assemble the report: files, metrics of every check, gates, rejects."""
    for path in paths:
        stats = read.files.get(path, FileStats())
        if stats.lines == 0:
            raise BadInput(
                "input has no records",
                path=path,
                expected="at least one JSON record",
                got="no lines",
            )
    metrics: dict[str, float] = {}
    examples: dict[str, list[Example]] = {}
    for res in sorted(results, key=lambda r: r.check):
        metrics.update(res.metrics)
        examples.update(res.examples)
    gates = [_gate(t, metrics, examples, plan.max_examples) for t in plan.thresholds]
    every = _all_rejects(paths, read, results)
    files = [FileSummary(file=p, **_stats(read.files[p])) for p in paths]
    return QualityReport(
        plan=plan.name,
        contract=plan.contract,
        passed=all(g.passed for g in gates),
        files=files,
        records=sum(f.records for f in files),
        rejected=len(every),
        metrics=dict(sorted(metrics.items())),
        gates=gates,
        checks={
            r.check: r.model_copy(update={"rejects": []})
            for r in sorted(results, key=lambda r: r.check)
        },
        breakdown_by=plan.breakdown_by,
        rejects=every[:MAX_REJECTS_LISTED],
        rejects_total=len(every),
        warnings=list(dict.fromkeys(read.warnings)),
    )


def _examples_for(examples: dict[str, list[Example]], metric: str) -> list[Example]:
    """A metric's examples; a `x_count` metric shows the examples of its `x_rate` twin."""
    if metric in examples:
        return examples[metric]
    return examples.get(metric.removesuffix("_count") + "_rate", [])


def _stats(s: FileStats) -> dict[str, int]:
    return {
        "bytes": s.bytes,
        "lines": s.lines,
        "records": s.records,
        "undecodable": s.rejected,
        "empty_lines": s.empty_lines,
    }
