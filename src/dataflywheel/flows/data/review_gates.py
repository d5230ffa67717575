"""Gates that wait for people: which unmet gates of a report are waiting for reviews, and the
report re-judged once reviews are in.

A spot-check gate waits while sampled records have no verdict; an agreement gate waits while the
records themselves give no agreement (no item rated twice) and the reviewers' labels give none
yet. Such gates never pass while they wait: the batch is `awaiting_review`, not failed. Once every
sampled record has a verdict and every waiting gate has a value, `judge` gives the report with
the reviewers' figures, each gate decided, and the Table 24-13 defaults of the requirement's
priority added where the contract sets no threshold on that metric. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dataflywheel.checks.base import Example
from dataflywheel.checks.plan import Threshold
from dataflywheel.checks.registry import gate_names
from dataflywheel.checks.report import GateResult, QualityReport
from dataflywheel.checks.results import rate
from dataflywheel.domain.policies.review_targets import IAA, PASS_RATE, QualityTarget
from dataflywheel.domain.records.review import Review, ReviewVerdict


def _agreement_metrics() -> tuple[str, ...]:
    """The agreement check's gated metrics (its coefficients), as it declares them."""
    return gate_names("agreement")


def _waits(gate: GateResult, report: QualityReport) -> bool:
    if gate.metric == PASS_RATE:
        return report.metrics.get("spot_check_pending", 0.0) > 0
    return gate.metric in _agreement_metrics() and gate.observed is None


def waiting_gates(report: QualityReport) -> list[GateResult]:
    """The failed gates, when every one of them is waiting for reviews; else none."""
    failed = report.failed_gates
    return failed if failed and all(_waits(g, report) for g in failed) else []


def waiting_reason(report: QualityReport) -> str | None:
    """`awaiting review: …` naming the waiting gates, or None when the batch does not wait."""
    gates = waiting_gates(report)
    if not gates:
        return None
    return "awaiting review: " + ", ".join(f"{g.metric} (needs {g.op} {g.value:g})" for g in gates)


@dataclass
class Tally:
    """The reviews of a sample: per record, its verdicts; the figures the gates need."""

    sample: list[dict[str, Any]]
    reviews: list[Review]
    by_record: dict[str, list[Review]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.reviews:
            self.by_record.setdefault(r.record_id, []).append(r)

    @property
    def pending(self) -> list[str]:
        return [row["record_id"] for row in self.sample if row["record_id"] not in self.by_record]

    def failed_rows(self) -> list[dict[str, Any]]:
        """Sampled records with at least one `fail` verdict (a record passes only if all pass)."""
        return [row for row in self.sample if any(
            r.verdict is ReviewVerdict.FAIL for r in self.by_record.get(row["record_id"], []))]

    def metrics(self, level: str = "nominal") -> dict[str, float]:
        reviewed = len(self.sample) - len(self.pending)
        out = {PASS_RATE: rate(reviewed - len(self.failed_rows()), reviewed),
               "spot_check_sample_size": float(len(self.sample)),
               "spot_check_reviewed": float(reviewed),
               "spot_check_pending": float(len(self.pending))}
        out.update(self.agreement(level))
        return out

    def agreement(self, level: str) -> dict[str, float]:
        """Agreement of the reviewers' labels on records labelled by two or more of them:
        Krippendorff's alpha and Fleiss' kappa, and Cohen's kappa when exactly two reviewers
        labelled; an undefined statistic is left out (its gate then waits)."""
        from dataflywheel.checks.stats.agreement import (
            Ratings, fleiss_kappa, krippendorff_alpha, pair_kappa,
        )

        rows = [(r.record_id, r.reviewer_id, r.label) for r in self.reviews if r.label]
        twice = {rid for rid, labels in _count(rows).items() if labels >= 2}
        rows = [row for row in rows if row[0] in twice]
        if not rows:
            return {}
        ratings = Ratings.build(rows)
        counts = ratings.counts()
        found = {IAA: krippendorff_alpha(counts, ratings.label_values, level),  # type: ignore[arg-type]
                 "agreement_fleiss_kappa": fleiss_kappa(counts)}
        if len(ratings.annotator_names) == 2:
            found["agreement_cohen_kappa"] = pair_kappa(ratings, 0, 1)
        return {k: v for k, v in found.items() if not math.isnan(v)}


def _count(rows: Sequence[tuple[str, str, str | None]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for rid, _, _ in rows:
        out[rid] = out.get(rid, 0) + 1
    return out


def judge(report: QualityReport, tally: Tally, defaults: Sequence[QualityTarget], *,
          level: str = "nominal") -> QualityReport:
    """The report with the reviewers' figures and every gate decided (see the module docstring).

    A gate on a metric the records themselves measured (agreement of the annotators in the
    data) keeps that value; the reviewers' figures fill only what waited for them.
    """
    metrics = dict(report.metrics)
    for name, value in tally.metrics(level).items():
        if name not in report.metrics or name == PASS_RATE or name.startswith("spot_check_"):
            metrics[name] = value
    review = (PASS_RATE, *_agreement_metrics())
    gates = [_regate(g, metrics, tally) if g.metric in review else g for g in report.gates]
    present = {g.metric for g in gates}
    warnings = list(report.warnings)
    for t in defaults:
        if t.metric in present:
            continue
        if t.metric not in metrics:
            warnings.append(f"{t.source}: {t.metric} {t.op} {t.value:g} not measured "
                            "(no record was labelled by two reviewers)")
            continue
        gates.append(_regate(GateResult(metric=t.metric, op=t.op, value=t.value, observed=None,
                                        passed=False, source=t.source), metrics, tally))
    return report.model_copy(update={"metrics": metrics, "gates": gates, "warnings": warnings,
                                      "passed": all(g.passed for g in gates)})


def _regate(gate: GateResult, metrics: dict[str, float], tally: Tally) -> GateResult:
    observed = metrics.get(gate.metric)
    threshold = Threshold(metric=gate.metric, op=gate.op, value=gate.value)
    passed = observed is not None and threshold.holds(observed)
    examples = [] if passed or gate.metric != PASS_RATE else [
        Example(file=row["file"], line=row["line"], record_id=row["record_id"],
                detail="failed review by " + ", ".join(
                    f"{r.reviewer_id}{': ' + r.note if r.note else ''}"
                    for r in tally.by_record[row["record_id"]]
                    if r.verdict is ReviewVerdict.FAIL))
        for row in tally.failed_rows()]
    return gate.model_copy(update={
        "observed": observed, "passed": passed, "examples": examples[:10],
        "note": None if observed is not None else "undefined: the reviews give no value yet"})


def still_waiting(report: QualityReport, tally: Tally) -> list[str]:
    """What the reviews still lack before the judged report's gates can be decided (empty:
    decide now): sampled records without a verdict, agreement gates without a value."""
    lacking = []
    if tally.pending:
        lacking.append(f"{len(tally.pending)} of {len(tally.sample)} sampled record(s) have no "
                       f"verdict (first: {tally.pending[0]})")
    lacking += [f"{g.metric} has no value yet: label sampled records by two or more reviewers"
                for g in report.gates
                if g.metric in _agreement_metrics() and g.metric not in report.metrics]
    return lacking
