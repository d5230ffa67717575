"""Regressions of experiments against their baselines, each with the issues it opened.

The regressed metrics are those `compare_experiments` names (the comparison
`GET /api/v1/experiments/{experiment}/compare` answers, with its defaults: no tolerance, the
direction each metric's name implies); the issues are those the regression opened: linked to the
experiment as `affects` and discovered by an experiment
(`experiment_compare.open_regression_issue`).
Reads only.
"""

from __future__ import annotations

from pydantic import BaseModel

from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.domain.records.issue import DiscoverySource, Issue, IssueRelation
from dataflywheel.domain.states import ExperimentState
from dataflywheel.flows.workspace import Workspace


class Regression(BaseModel):
    """An experiment worse than its baseline on `metrics`, and the issues that opened."""

    experiment: Experiment
    baseline: str
    metrics: list[str]
    issues: list[Issue]


def regressions(ws: Workspace, experiments: list[Experiment]) -> list[Regression]:
    """Those of `experiments` (completed, with a baseline) that regress, in the order given."""
    from dataflywheel.flows.experiments.experiment_compare import compare_experiments
    from dataflywheel.store.repositories.issues import IssueLinks, Issues

    found = []
    for e in experiments:
        if not e.baseline_experiment_id or e.state is not ExperimentState.COMPLETED:
            continue
        regressed = compare_experiments(ws, e.id, e.baseline_experiment_id)["regressions"]
        if not regressed:
            continue
        with ws.db.session() as s:
            opened = {link.issue_id for link in IssueLinks(s).list(experiment_id=e.id)
                      if link.relation is IssueRelation.AFFECTS}
            issues = [i for i in Issues(s).linked_to(experiment_id=e.id)
                      if i.id in opened and i.source is DiscoverySource.EXPERIMENT]
        found.append(Regression(experiment=e, baseline=e.baseline_experiment_id,
                                metrics=regressed, issues=issues))
    return found
