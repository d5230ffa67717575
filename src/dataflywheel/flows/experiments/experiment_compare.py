"""Compare an experiment with its baseline, and turn a regression into an issue.

Rules (docs/experiments.md):
- a metric is compared only when both experiments measured it; higher is better unless its name
  says otherwise (contains loss, error, perplexity, ppl, wer, cer, latency) or the caller names it
  in `lower_is_better`;
- a metric regresses when it is worse than the baseline by more than `tolerance` (absolute);
- the regression issue's tier: a formal experiment whose worst regression is ≥ 10 % of the
  baseline value (relative) is P1, any other formal regression P2, an exploratory one P3; its
  owner is the first Responsible of `training_set_version_release` for the project (RACI), the
  reporter the experiment's owner;
- the issue links the experiment (affects), the baseline (evidence), every data version of the
  experiment (affects) and of the baseline (evidence), and the experiment's error samples that are
  new failures — records the baseline did not get wrong (all of them if the baseline recorded none).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dataflywheel.domain.policies.evaluation import higher_is_better
from dataflywheel.domain.records.experiment import ErrorSample, Experiment, ExperimentKind
from dataflywheel.domain.records.issue import DiscoverySource, Issue, Severity
from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows.workspace import Workspace

P1_RELATIVE_DROP = 0.10
RELEASE_ITEM = "training_set_version_release"


@dataclass(frozen=True)
class MetricDelta:
    """One metric measured by both: values, signed change, direction, and whether it regressed."""

    name: str
    baseline: float
    value: float
    delta: float
    higher_is_better: bool
    regressed: bool

    @property
    def relative_drop(self) -> float:
        """How much worse, as a share of the baseline (0 when not worse or the baseline is 0)."""
        worse = -self.delta if self.higher_is_better else self.delta
        return max(worse, 0.0) / abs(self.baseline) if self.baseline else 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        arrow = "higher is better" if self.higher_is_better else "lower is better"
        return f"{self.name} {self.baseline:g} → {self.value:g} ({self.delta:+g}, {arrow})"


def compare_metrics(
    current: dict[str, float], baseline: dict[str, float], *,
    lower_is_better: frozenset[str] | None = None, tolerance: float = 0.0,
) -> list[MetricDelta]:
    """Deltas for the metrics both measured, by name; `regressed` applies `tolerance`."""
    if not math.isfinite(tolerance) or tolerance < 0:
        raise BadInput("the regression tolerance must be a finite number ≥ 0", field="tolerance",
                       got=tolerance)
    deltas = []
    for name in sorted(set(current) & set(baseline)):
        up = higher_is_better(name, lower_is_better)
        delta = current[name] - baseline[name]
        worse = -delta if up else delta
        deltas.append(MetricDelta(name, baseline[name], current[name], delta, up,
                                  worse > tolerance))
    return deltas


def regression_severity(kind: ExperimentKind, regressions: list[MetricDelta]) -> Severity:
    if kind is ExperimentKind.EXPLORATORY:
        return Severity.P3
    worst = max(d.relative_drop for d in regressions)
    return Severity.P1 if worst >= P1_RELATIVE_DROP else Severity.P2


def new_failures(current: list[ErrorSample], baseline: list[ErrorSample]) -> list[ErrorSample]:
    """Samples of `current` whose record the baseline did not get wrong (all when it has none)."""
    if not baseline:
        return list(current)
    before = {b.record_id for b in baseline}
    return [c for c in current if c.record_id not in before]


def open_regression_issue(s: Session, ws: Workspace, experiment: Experiment, baseline: Experiment,
                          regressions: list[MetricDelta], *, now: datetime) -> Issue:
    """Open the regression issue inside the caller's transaction (see the module rules)."""
    from dataflywheel.flows.issues.lifecycle import calendar_of, open_issue_in
    from dataflywheel.store.repositories.experiments import ErrorSamples, Experiments

    repo = Experiments(s)
    mine = [v.id for v in repo.versions_of(experiment.id)]
    theirs = [v.id for v in repo.versions_of(baseline.id) if v.id not in mine]
    fresh = new_failures(ErrorSamples(s).list(experiment_id=experiment.id),
                         ErrorSamples(s).list(experiment_id=baseline.id))
    links: list[tuple[str, str] | tuple[str, str, str]] = [
        ("experiment", experiment.id, "affects"), ("experiment", baseline.id, "evidence"),
        *[("version", v, "affects") for v in mine], *[("version", v, "evidence") for v in theirs],
        *[("error_sample", e.id, "evidence") for e in fresh]]
    project = experiment.project_id or baseline.project_id
    worst = max(regressions, key=lambda d: d.relative_drop)
    return open_issue_in(
        s, actor=ws.actor, calendar=calendar_of(ws), now=now,
        title=f"{experiment.id} regresses against {baseline.id}: {worst.describe()}",
        severity=regression_severity(experiment.kind, regressions),
        source=DiscoverySource.EXPERIMENT, project_id=project,
        owner_id=_release_owner(s, project), reporter_id=experiment.owner_id, links=links,
        description=_description(experiment, baseline, regressions, fresh, mine, theirs))


def _release_owner(s: Session, project_id: str | None) -> str | None:
    from dataflywheel.flows.governance.raci import who

    try:
        answer = who(s, RELEASE_ITEM, project_id)
    except FlywheelError:
        return None  # no matrix item or nobody holds the role: the issue opens unassigned
    return answer.responsible[0] if answer.responsible else None


def _description(experiment: Experiment, baseline: Experiment, regressions: list[MetricDelta],
                 fresh: list[ErrorSample], mine: list[str], theirs: list[str]) -> str:
    by_category: dict[str, int] = {}
    for sample in fresh:
        by_category[sample.category] = by_category.get(sample.category, 0) + 1
    categories = ", ".join(f"{k} {v}" for k, v in sorted(by_category.items(), key=lambda kv:
                                                            (-kv[1], kv[0])))
    lines = [
        (f"Experiment {experiment.id} ({experiment.kind.value}, model {experiment.model_version}) "
        f"against baseline {baseline.id} (model {baseline.model_version})."),
        "Regressed: " + "; ".join(d.describe() for d in regressions) + ".",
        f"Data versions: {', '.join(mine)} (experiment)"
        + (f"; {', '.join(theirs)} (baseline only)" if theirs else "") + ".",
        f"New failures linked: {len(fresh)}" + (f" — by category: {categories}" if fresh else "")
        + ".",
    ]
    return "\n".join(lines)


def compare_experiments(ws: Workspace, experiment_id: str, baseline_id: str, *,
                        lower_is_better: frozenset[str] | None = None,
                        tolerance: float = 0.0) -> dict[str, Any]:
    """Metric deltas, versions on each side, and error samples new, fixed and by category."""
    from dataflywheel.store.repositories.experiments import ErrorSamples, Experiments

    with ws.db.session() as s:
        repo = Experiments(s)
        current, base = repo.get(experiment_id), repo.get(baseline_id)
        versions = {e.id: [v.label for v in repo.versions_of(e.id)] for e in (current, base)}
        mine = ErrorSamples(s).list(experiment_id=experiment_id)
        theirs = ErrorSamples(s).list(experiment_id=baseline_id)
    deltas = compare_metrics(current.metrics, base.metrics, lower_is_better=lower_is_better,
                             tolerance=tolerance)
    wrong_now, wrong_before = {m.record_id for m in mine}, {t.record_id for t in theirs}
    return {
        "experiment": experiment_id, "baseline": baseline_id,
        "versions": versions,
        "deltas": [d.to_dict() for d in deltas],
        "regressions": [d.name for d in deltas if d.regressed],
        "only_in_experiment": sorted(set(current.metrics) - set(base.metrics)),
        "only_in_baseline": sorted(set(base.metrics) - set(current.metrics)),
        "error_samples": {
            "experiment": _count_by_category(mine), "baseline": _count_by_category(theirs),
            "new_failures": sorted(wrong_now - wrong_before),
            "fixed": sorted(wrong_before - wrong_now),
        },
    }


def _count_by_category(samples: list[ErrorSample]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sample in samples:
        counts[sample.category] = counts.get(sample.category, 0) + 1
    return dict(sorted(counts.items()))
