"""Reading the Experiment Pool: lists, one experiment in full, its error samples."""

from __future__ import annotations

from typing import Any

from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.flows._listing import Listing
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.experiments import (
    ErrorSamples,
    Experiments,
    ExperimentVersions,
)


def list_experiments(ws: Workspace, **equals: str) -> list[Experiment]:
    with ws.db.session() as s:
        return Experiments(s).list(**equals)


def experiments(ws: Workspace, **equals: str | None) -> Listing[Experiment]:
    """`list_experiments` a page at a time or streamed (`flywheel experiments list`)."""
    return Listing(ws, Experiments, **equals)


def get_experiment(ws: Workspace, experiment_id: str) -> Experiment:
    with ws.db.session() as s:
        return Experiments(s).get(experiment_id)


def experiment_detail(ws: Workspace, experiment_id: str) -> dict[str, Any]:
    """The experiment, the versions it used (state then and now), error samples by category,
    and the issues linked to it."""
    from dataflywheel.store.repositories.issues import Issues

    with ws.db.session() as s:
        experiment = Experiments(s).get(experiment_id)
        now_state = {v.id: v for v in Experiments(s).versions_of(experiment_id)}
        uses = ExperimentVersions(s).list(experiment_id=experiment_id)
        samples = ErrorSamples(s).list(experiment_id=experiment_id)
        issues = Issues(s).linked_to(experiment_id=experiment_id)
    by_category: dict[str, int] = {}
    for sample in samples:
        by_category[sample.category] = by_category.get(sample.category, 0) + 1
    return {
        "experiment": experiment.model_dump(mode="json"),
        "missing_reproducibility": experiment.missing_reproducibility(),
        "versions": [{**u.model_dump(mode="json"), "label": now_state[u.version_id].label,
                      "state_now": now_state[u.version_id].state.value} for u in uses],
        "error_samples": {"count": len(samples), "by_category": dict(sorted(by_category.items()))},
        "issues": [{"id": i.id, "severity": i.severity.value, "state": i.state.value,
                    "title": i.title} for i in issues],
    }


def experiments_on_version(ws: Workspace, version_ref: str) -> list[Experiment]:
    """The experiments that used the version (id or DATASET@N), by experiment id."""
    from dataflywheel.store.repositories.data import resolve_version

    with ws.db.session() as s:
        return Experiments(s).using(resolve_version(s, version_ref).id)
