"""A project's checks passed count its finished experiments: completed passes, failed does not,
running is not counted yet (`flows/demand/project_checks.py`)."""

from __future__ import annotations

from exp_helpers import spec_dict

from dataflywheel.domain.states import ExperimentState
from dataflywheel.flows.demand.projects import project_checks
from dataflywheel.flows.experiments.runs import finish_experiment, log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace


def test_finished_experiments_are_the_projects_checks(lab: Workspace) -> None:
    ids = [log_experiment(lab, parse_create(spec_dict(title=f"run {n}", state="running")))
           .experiment.id for n in range(3)]
    finish_experiment(lab, ids[0])
    finish_experiment(lab, ids[1], state=ExperimentState.FAILED)
    # ids[2] is still running: 2 checks, 1 passed
    assert project_checks(lab, "P-TEST") == {"project_id": "P-TEST", "passed": 1, "total": 2,
                                             "source": "records", "all_passed": False}
