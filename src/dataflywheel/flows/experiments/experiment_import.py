"""Record runs tracked elsewhere (MLflow) as experiments: all of a batch, or none of it.

Guarantees:
- `import_experiments` logs every spec in ONE transaction through the same policy as
  `log_experiment` (formal only on frozen versions, reproducibility complete, versions exist);
  the first refusal names the run and rolls everything back;
- it is a bulk write (issue 24): the runs already imported, the versions and the parents are
  looked up once per batch, and the experiments, their version uses and error samples go in with
  one INSERT per kind and one chained audit append; the audit log reads entry for entry as if
  each run had been logged alone, in order (a regression issue is opened after what precedes it
  is written, so its entries stay in place);
- a run already imported (same `mlflow_run_id`) is skipped and listed with the experiment it
  became, so importing twice changes nothing;
- a baseline written `mlflow:<run id>` resolves to the experiment that run became (earlier in the
  same batch included);
- `link_mlflow_run` records, audited, which MLflow run an experiment was exported to; an
  experiment linked to another run is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.errors import FlywheelError, NotFound, PolicyViolation
from dataflywheel.flows._audit import update_audited
from dataflywheel.flows.experiments.import_batch import MLFLOW_REF, ImportBatch
from dataflywheel.flows.experiments.runs import ExperimentCreate, LoggedExperiment
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.experiments import Experiments


@dataclass
class ImportResult:
    """What an import wrote, and every run it did not write with the reason."""

    imported: list[LoggedExperiment] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"imported": [x.to_dict() for x in self.imported], "skipped": self.skipped}


def import_experiments(
    ws: Workspace, specs: list[ExperimentCreate], *, skipped: list[dict[str, str]] | None = None,
    lower_is_better: frozenset[str] | None = None, tolerance: float = 0.0,
    now: datetime | None = None,
) -> ImportResult:
    """Log `specs` (in order) in one transaction; `skipped` carries runs the caller set aside."""
    result = ImportResult(skipped=list(skipped or []))
    with ws.db.unit_of_work() as s:
        batch = ImportBatch(s, ws, specs, now=now or utcnow())
        for spec in specs:
            run_id = spec.mlflow_run_id
            already = batch.imported_as(run_id) if run_id else None
            if already:
                result.skipped.append({"run_id": str(run_id),
                                       "reason": f"already imported as {already}"})
                continue
            spec = _resolve_baseline(batch, spec)
            try:
                logged = batch.log(spec, lower_is_better=lower_is_better, tolerance=tolerance)
            except FlywheelError as exc:
                raise _for_run(exc, run_id) from None
            result.imported.append(logged)
        batch.write()
    return result


def _resolve_baseline(batch: ImportBatch, spec: ExperimentCreate) -> ExperimentCreate:
    ref = spec.baseline_experiment_id
    if ref is None or not ref.startswith(MLFLOW_REF):
        return spec
    run_id = ref.removeprefix(MLFLOW_REF)
    found = batch.imported_as(run_id)
    if not found:
        raise NotFound(f"baseline MLflow run {run_id} has not been imported", field="baseline",
                       kept="nothing was imported",
                       hint="import the baseline run first (or in the same batch, before it)")
    return spec.model_copy(update={"baseline_experiment_id": found})


def _for_run(exc: FlywheelError, run_id: str | None) -> FlywheelError:
    """The same error, naming the run it came from and saying that nothing was imported."""
    fields = {k: getattr(exc, k) for k in ("field", "expected", "got", "hint")}
    where = f"MLflow run {run_id}: " if run_id else ""
    clone = type(exc).__new__(type(exc))
    FlywheelError.__init__(clone, where + exc.what, path=exc.path, line=exc.line,
                           kept="nothing was imported", **fields)
    return clone


def link_mlflow_run(ws: Workspace, experiment_id: str, *, run_id: str,
                    tracking_uri: str) -> Experiment:
    """Record that `experiment_id` lives in MLflow as `run_id` (idempotent for the same run)."""
    with ws.db.unit_of_work() as s:
        repo = Experiments(s)
        experiment = repo.get(experiment_id)
        if experiment.mlflow_run_id == run_id and experiment.mlflow_tracking_uri == tracking_uri:
            return experiment
        if experiment.mlflow_run_id is not None:
            raise PolicyViolation(
                f"experiment {experiment_id} is already linked to MLflow run "
                f"{experiment.mlflow_run_id}", field="mlflow_run_id", got=run_id,
                kept=f"{experiment_id} is unchanged",
                hint=f"export to that run: flywheel experiments export-mlflow {experiment_id} "
                     f"--tracking-uri {experiment.mlflow_tracking_uri}")
        after = experiment.model_copy(update={"mlflow_run_id": run_id,
                                              "mlflow_tracking_uri": tracking_uri})
        return update_audited(repo, experiment, after, actor=ws.actor,
                              action="experiment.link_mlflow")
