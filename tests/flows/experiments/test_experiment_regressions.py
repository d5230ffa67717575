"""Regressions for the Experiments page: the metrics `compare` names, and the issue each opened."""

from __future__ import annotations

from exp_helpers import spec_dict

from dataflywheel.flows.experiments.experiment_read import experiments_on_version, list_experiments
from dataflywheel.flows.experiments.experiment_regressions import regressions
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace


def test_only_regressed_runs_are_listed_with_the_issue_they_opened(lab: Workspace) -> None:
    base = log_experiment(lab, parse_create(spec_dict())).experiment
    better = log_experiment(lab, parse_create(spec_dict(
        baseline_experiment_id=base.id, metrics={"accuracy": 0.9, "eval_loss": 0.3}))).experiment
    worse = log_experiment(lab, parse_create(spec_dict(
        baseline_experiment_id=base.id, versions=[{"version_id": "gsm-v2", "role": "eval"}],
        metrics={"accuracy": 0.7, "eval_loss": 0.5})))
    assert worse.issue is not None
    [found] = regressions(lab, list_experiments(lab))
    assert (found.experiment.id, found.baseline) == (worse.experiment.id, base.id)
    assert found.metrics == ["accuracy", "eval_loss"]
    assert [i.id for i in found.issues] == [worse.issue.id]
    assert regressions(lab, [base, better]) == []
    assert [e.id for e in experiments_on_version(lab, "gsm-v2")] == [worse.experiment.id]
    assert [e.id for e in experiments_on_version(lab, "gsm-v1")] == [base.id, better.id]
