"""Baseline comparison: a regressing metric opens an issue linked to both versions and samples."""

from __future__ import annotations

from typing import Any

import pytest
from exp_helpers import spec_dict

from dataflywheel.domain.records.experiment import ExperimentKind
from dataflywheel.domain.records.issue import Severity
from dataflywheel.errors import BadInput
from dataflywheel.flows.experiments.experiment_compare import (
    MetricDelta,
    compare_experiments,
    compare_metrics,
    higher_is_better,
    regression_severity,
)
from dataflywheel.flows.experiments.experiment_read import experiment_detail
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace


def _samples(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"record_id": r, "category": c} for r, c in pairs]


def _baseline(ws: Workspace) -> str:
    return log_experiment(ws, parse_create(spec_dict(
        metrics={"accuracy": 0.80, "eval_loss": 0.50},
        error_samples=_samples(("q1", "geometry"), ("q2", "percentage"))))).experiment.id


def _candidate(ws: Workspace, baseline: str, **changes: Any):  # type: ignore[no-untyped-def]
    fields: dict[str, Any] = {
        "title": "gsm8k eval, sft-7b on v2", "baseline_experiment_id": baseline,
        "versions": [{"version_id": "gsm-v2", "role": "eval"}],
        "metrics": {"accuracy": 0.70, "eval_loss": 0.45},
        "error_samples": _samples(("q1", "geometry"), ("q3", "percentage"), ("q4", "percentage"))}
    fields.update(changes)
    return log_experiment(ws, parse_create(spec_dict(**fields)))


def test_regression_opens_issue_linked_to_both_versions_and_new_error_samples(
        lab: Workspace) -> None:
    from dataflywheel.store.repositories.issues import Issues

    baseline = _baseline(lab)
    logged = _candidate(lab, baseline)
    assert [d.name for d in logged.regressions] == ["accuracy"]  # eval_loss improved
    issue = logged.issue
    assert issue is not None and issue.source.value == "experiment"
    assert issue.severity is Severity.P1  # formal, 12.5 % relative drop
    assert issue.title == ("EXP-0002 regresses against EXP-0001: accuracy 0.8 → 0.7 "
                           "(-0.1, higher is better)")
    assert issue.owner_id == "algorithm-engineer"  # R of training_set_version_release (24-7)
    assert issue.reporter_id == "algorithm-engineer" and issue.project_id == "P-TEST"
    with lab.db.session() as s:
        links = {(ln.relation.value, *ln.target) for ln in Issues(s).links(issue.id)}
    assert links == {
        ("affects", "experiment_id", "EXP-0002"), ("evidence", "experiment_id", "EXP-0001"),
        ("affects", "version_id", "gsm-v2"), ("evidence", "version_id", "gsm-v1"),
        ("evidence", "error_sample_id", "EXP-0002-ES00002"),  # q3: new failure
        ("evidence", "error_sample_id", "EXP-0002-ES00003"),  # q4: new failure
    }
    assert "New failures linked: 2 — by category: percentage 2." in issue.description
    assert experiment_detail(lab, "EXP-0002")["issues"][0]["id"] == issue.id


def test_no_issue_within_tolerance_or_when_metrics_improve(lab: Workspace) -> None:
    baseline = _baseline(lab)
    logged = log_experiment(lab, parse_create(spec_dict(
        baseline_experiment_id=baseline, metrics={"accuracy": 0.795})), tolerance=0.01)
    assert logged.issue is None and [d.regressed for d in logged.deltas] == [False]
    better = log_experiment(lab, parse_create(spec_dict(
        baseline_experiment_id=baseline, metrics={"accuracy": 0.9, "eval_loss": 0.3})))
    assert better.issue is None and better.regressions == []


def test_exploratory_regression_is_p3_and_small_formal_regression_is_p2(lab: Workspace) -> None:
    baseline = _baseline(lab)
    exploratory = _candidate(lab, baseline, kind="exploratory",
                             versions=[{"version_id": "gsm-cand"}])
    assert exploratory.issue is not None and exploratory.issue.severity is Severity.P3
    small = _candidate(lab, baseline, metrics={"accuracy": 0.78})
    assert small.issue is not None and small.issue.severity is Severity.P2


def test_running_experiment_is_not_compared(lab: Workspace) -> None:
    baseline = _baseline(lab)
    running = _candidate(lab, baseline, state="running")
    assert running.issue is None and running.deltas == []
    assert running.experiment.ended_at is None


def test_metric_direction_and_tolerance_rules() -> None:
    assert higher_is_better("accuracy") and higher_is_better("pass@1")
    assert not higher_is_better("eval_loss") and not higher_is_better("WER")
    assert not higher_is_better("refusals", frozenset({"refusals"}))
    deltas = compare_metrics({"acc": 0.5, "loss": 1.2, "only_now": 1.0},
                             {"acc": 0.6, "loss": 1.0, "only_before": 2.0})
    assert [(d.name, d.regressed) for d in deltas] == [("acc", True), ("loss", True)]
    with pytest.raises(BadInput, match="tolerance must be a finite number"):
        compare_metrics({}, {}, tolerance=-1)
    drop = MetricDelta("acc", 0.8, 0.7, -0.1, True, True)
    assert regression_severity(ExperimentKind.FORMAL, [drop]) is Severity.P1


def test_compare_reports_new_and_fixed_failures(lab: Workspace) -> None:
    baseline = _baseline(lab)
    _candidate(lab, baseline)
    report = compare_experiments(lab, "EXP-0002", baseline)
    assert report["regressions"] == ["accuracy"]
    assert report["versions"] == {"EXP-0002": ["gsm@2"], "EXP-0001": ["gsm@1"]}
    assert report["error_samples"]["new_failures"] == ["q3", "q4"]
    assert report["error_samples"]["fixed"] == ["q2"]
    assert report["error_samples"]["experiment"] == {"geometry": 1, "percentage": 2}
