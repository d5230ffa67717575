"""Import MLflow runs as experiments, and write our data versions back to MLflow runs.

The MLflow side (reading runs, the tag format, dataset inputs, creating a run) is the
integration's (integrations/mlflow.py, integrations/mlflow_store.py); this flow decides what is
recorded and when, and reads the records the integration writes to MLflow.

Guarantees:
- a foreign store is read, never changed; only write-back, when asked, writes to it, and only
  to a store MLflow can open without migrating it (a store it may not write to is refused before
  anything is read or recorded);
- import is all or nothing (`import_experiments`); write-back happens after our records are
  committed, is idempotent, and a failure there says what was kept and the command that finishes
  the job;
- export links a new run to the experiment (audited) before it logs the inputs, so a failure
  after the run exists is finished by running the same export again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows.experiments.experiment_import import (
    ImportResult,
    import_experiments,
    link_mlflow_run,
)
from dataflywheel.flows.experiments.experiment_read import get_experiment
from dataflywheel.flows.experiments.mlflow_roots import check_served_store
from dataflywheel.flows.experiments.runs import parse_create
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations.mlflow import (
    create_run,
    log_dataset_inputs,
    read_runs,
    run_fields,
    tagged_runs,
)
from dataflywheel.integrations.mlflow_store import client, normalise_uri, reading_client
from dataflywheel.store.repositories.data import DatasetVersions
from dataflywheel.store.repositories.experiments import ExperimentVersions

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient


def import_runs(ws: Workspace, tracking_uri: str, *, experiment: str | None = None,
                run_ids: list[str] | None = None, write_back: bool = True,
                recorded_uri: str | None = None,
                served_roots: Sequence[Path] | None = None) -> ImportResult:
    """Import the tagged runs (all or none), then write each one's data versions back to it.

    `recorded_uri`: the store the runs live in, when `tracking_uri` is a copy of it (a store
    uploaded to the team server): it is what the experiments record and what messages name;
    a copy is never written back to. `served_roots`: the team server names the folders a
    caller's local store must lie under (`mlflow_roots.check_served_store`); None: any store."""
    uri = normalise_uri(tracking_uri)
    if served_roots is not None:
        check_served_store(uri, served_roots, kept="nothing was imported")
    named = normalise_uri(recorded_uri) if recorded_uri else uri
    if named != uri and write_back:
        raise BadInput("a copy of an MLflow store cannot be written back to", field="write_back",
                       path=named, kept="nothing was imported",
                       hint=f"import without write-back, then flywheel experiments export-mlflow "
                            f"ID --tracking-uri {named}")
    writer = client(uri) if write_back else None  # a store it may not write to: refused first
    with reading_client(uri) as mc:
        runs = read_runs(mc, named, experiment=experiment, run_ids=run_ids)
    tagged, skipped = tagged_runs(runs, named, named=bool(run_ids))
    specs = [parse_create(run_fields(run, named), source=f"{named} run {run.info.run_id}")
             for run in tagged]
    result = import_experiments(ws, specs, skipped=skipped)
    if writer is not None:
        for logged in result.imported:
            _write_back(ws, writer, uri, str(logged.experiment.mlflow_run_id), logged.experiment.id)
    return result


def _write_back(ws: Workspace, mc: MlflowClient, uri: str, run_id: str, experiment_id: str) -> None:
    try:
        log_versions(ws, mc, uri, run_id, experiment_id)
    except FlywheelError as exc:
        raise BadInput(f"writing data versions back to MLflow run {run_id} failed: {exc.what}",
                       path=uri, kept=f"{experiment_id} is recorded here",
                       hint=f"flywheel experiments export-mlflow {experiment_id} "
                            f"--tracking-uri {uri}") from None


def log_versions(ws: Workspace, mc: MlflowClient, uri: str, run_id: str,
                 experiment_id: str) -> None:
    """Log each version the experiment used as a dataset input of `run_id` (idempotent)."""
    with ws.db.session() as s:
        uses = ExperimentVersions(s).list(experiment_id=experiment_id)
        inputs = [(DatasetVersions(s).get(u.version_id), u.role.value) for u in uses]
    log_dataset_inputs(mc, uri, run_id, experiment_id, inputs)


def export_experiment(ws: Workspace, experiment_id: str, tracking_uri: str | None = None, *,
                      mlflow_experiment: str = "flywheel",
                      served_roots: Sequence[Path] | None = None) -> str:
    """Write the experiment's data versions to its MLflow run, creating the run when it has none.

    A new run carries the params, metrics, status, times and `flywheel.*` tags, so importing it
    back gives the same experiment. Returns the run id. `served_roots`: as `import_runs`, checked
    on the store written to (the one named, else the one the experiment is linked to).
    """
    experiment = get_experiment(ws, experiment_id)
    target = tracking_uri or experiment.mlflow_tracking_uri
    if not target:
        raise BadInput(f"experiment {experiment_id} has no MLflow run yet", field="tracking_uri",
                       expected="--tracking-uri of the store to export to")
    uri = normalise_uri(target)
    if served_roots is not None:
        check_served_store(uri, served_roots, kept="nothing was written to any store")
    linked = experiment.mlflow_tracking_uri
    if experiment.mlflow_run_id is not None and linked != uri:
        raise BadInput(f"experiment {experiment_id} lives in another MLflow store", path=uri,
                       expected=str(linked), kept="nothing was written to either store",
                       hint=f"flywheel experiments export-mlflow {experiment_id}")
    mc = client(uri, create=True)
    run_id = experiment.mlflow_run_id
    if run_id is None:
        with ws.db.session() as s:
            uses = ExperimentVersions(s).list(experiment_id=experiment_id)
        run_id = create_run(mc, uri, experiment, uses, mlflow_experiment)
        link_mlflow_run(ws, experiment_id, run_id=run_id, tracking_uri=uri)
    log_versions(ws, mc, uri, run_id, experiment_id)
    return run_id
