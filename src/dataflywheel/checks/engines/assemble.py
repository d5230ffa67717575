"""The report of a run: files, every check's metrics, the gates on them, the rejects.

It is built from what the run merged (the read counts and every check's result), whichever
engine read the shards, so every engine's report is byte-identical to `single`'s.
"""

from __future__ import annotations

from dataflywheel.checks.base import CheckResult, Example, Reject
from dataflywheel.checks.engines.worker import FileStats, ReadPartial
from dataflywheel.checks.plan import CheckPlan, Threshold
from dataflywheel.checks.report import MAX_REJECTS_LISTED, FileSummary, GateResult, QualityReport
from dataflywheel.errors import BadInput


def all_rejects(paths: list[str], read: ReadPartial, results: list[CheckResult]) -> list[Reject]:
    order = {p: i for i, p in enumerate(paths)}
    every = list(read.rejects) + [r for res in results for r in res.rejects]
    return sorted(every, key=lambda r: (order.get(r.file, len(order)), r.line, r.check))


def _gate(
    t: Threshold,
    metrics: dict[str, float],
    examples: dict[str, list[Example]],
    max_examples: int,
    undefined: dict[str, str] | None = None,
) -> GateResult:
    """A gate on a metric the checks could not compute (e.g. agreement on one label) fails:
    an unknown value never passes a gate; the note says why when the check said."""
    observed = metrics.get(t.metric)
    passed = observed is not None and t.holds(observed)
    why = (undefined or {}).get(t.metric, "undefined for this batch (see the check's sections)")
    return GateResult(
        metric=t.metric,
        op=t.op,
        value=t.value,
        observed=observed,
        passed=passed,
        source=t.source,
        note=None if observed is not None else why,
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
    undefined: dict[str, str] = {}
    for res in sorted(results, key=lambda r: r.check):
        metrics.update(res.metrics)
        examples.update(res.examples)
        undefined.update(res.undefined)
    gates = [_gate(t, metrics, examples, plan.max_examples, undefined) for t in plan.thresholds]
    every = all_rejects(paths, read, results)
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
