"""One bulk import of experiments: checked run by run, written at once (issue 24).

Why: logging runs one by one pays a lookup per version, parent and run id, a flush per record
and a lock, head read and flush per audit entry; an MLflow store of thousands of runs then
imports at a few hundred runs a second. `ImportBatch` applies the same checks as
`log_experiment_in` (`spec_versions`, `refuse_versions`, `check_parents`, `plan_experiment`)
against lookups made once per batch, holds what passed, and `write` inserts it with one INSERT
per kind and one chained audit append (`append_audit_many`).

Guarantees:
- the audit entries are those of logging each run alone, in the same order: `experiment.add`,
  one `experiment_version_use.add` per version, one `error_sample.add` when it has samples;
- what is held is written before a regression issue is opened, so the issue's links find their
  rows and its entries follow the experiment's, as when logged alone;
- nothing is written outside the caller's transaction: a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.experiment import (
    ErrorSample,
    Experiment,
    ExperimentKind,
    ExperimentVersion,
)
from dataflywheel.flows._audit import added_entry
from dataflywheel.flows.experiments.runs import (
    PARENT_REPOS,
    ExperimentCreate,
    LoggedExperiment,
    check_parents,
    compare_with_baseline,
    plan_experiment,
    quality_excepted,
    refuse_versions,
    samples_digest_body,
    spec_versions,
)
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import PendingEntry, append_audit_many, digest
from dataflywheel.store.repositories.data import DatasetVersions
from dataflywheel.store.repositories.experiments import (
    ErrorSamples,
    Experiments,
    ExperimentVersions,
)

MLFLOW_REF = "mlflow:"


class ImportBatch:
    """The experiments of one import, checked as they come and written by `write`."""

    def __init__(self, s: Session, ws: Workspace, specs: Sequence[ExperimentCreate], *,
                 now: datetime) -> None:
        self.s, self.ws, self.now = s, ws, now
        self.experiments, self.uses = Experiments(s), ExperimentVersions(s)
        self.samples = ErrorSamples(s)
        runs = [spec.mlflow_run_id for spec in specs if spec.mlflow_run_id]
        runs += [ref.removeprefix(MLFLOW_REF) for spec in specs
                 if (ref := spec.baseline_experiment_id) and ref.startswith(MLFLOW_REF)]
        self._stored_runs = self.experiments.by_mlflow_run(runs)
        self._versions = DatasetVersions(s).find_many(
            [u.version_id for spec in specs for u in spec.versions])
        self._count = len(specs)
        self._ids: Iterator[str] | None = None
        self._held: dict[str, Experiment] = {}
        self._held_runs: dict[str, str] = {}
        self._exists: dict[tuple[str, str], bool] = {}
        self._excepted: dict[str, bool] = {}
        self._pending: tuple[list[Experiment], list[ExperimentVersion], list[ErrorSample]] = (
            [], [], [])
        self._entries: list[PendingEntry] = []

    def imported_as(self, run_id: str) -> str | None:
        """The experiment MLflow run `run_id` became: stored before, or earlier in this batch."""
        return self._stored_runs.get(run_id) or self._held_runs.get(run_id)

    def log(self, spec: ExperimentCreate, *, lower_is_better: frozenset[str] | None,
            tolerance: float) -> LoggedExperiment:
        """Check `spec` as `log_experiment_in` does and hold its records (see `write`)."""
        versions = spec_versions(spec, self._versions)
        excepted = ({v.id for v in versions if self._quality_excepted(v)}
                    if spec.kind is ExperimentKind.FORMAL else set())
        refuse_versions(spec.kind, versions, spec.title, quality_excepted=excepted)
        check_parents(spec, self._parent_exists)
        plan = plan_experiment(spec, self._next_id(), versions, self.now)
        self._hold(plan.experiment, plan.uses, plan.samples)
        logged = LoggedExperiment(plan.experiment, plan.uses, len(plan.samples))
        baseline = plan.experiment.baseline_experiment_id
        compare_with_baseline(self.s, self.ws, logged, lower_is_better=lower_is_better,
                              tolerance=tolerance, now=self.now,
                              baseline=self._held.get(baseline) if baseline else None,
                              before_issue=self.write)
        return logged

    def write(self) -> None:
        """Insert what is held, one INSERT per kind, and its entries in one audit append."""
        experiments, uses, samples = self._pending
        if not self._entries:
            return
        self.experiments.add_many(experiments)
        self.uses.add_many(uses)
        self.samples.add_many(samples)
        append_audit_many(self.s, self._entries)
        self._pending = ([], [], [])
        self._entries = []

    def _hold(self, experiment: Experiment, uses: list[ExperimentVersion],
              samples: list[ErrorSample]) -> None:
        actor = self.ws.actor
        self._held[experiment.id] = experiment
        if experiment.mlflow_run_id:
            self._held_runs.setdefault(experiment.mlflow_run_id, experiment.id)
        self._pending[0].append(experiment)
        self._pending[1].extend(uses)
        self._pending[2].extend(samples)
        self._entries.append(added_entry(self.experiments, experiment, actor=actor, reason=None))
        self._entries += [added_entry(self.uses, use, actor=actor, reason=None) for use in uses]
        if samples:
            self._entries.append(PendingEntry(
                actor=actor, action="error_sample.add", record_kind="error_sample",
                record_id=experiment.id, before_digest=None,
                after_digest=digest(samples_digest_body(experiment.id, samples))))

    def _next_id(self) -> str:
        if self._ids is None:  # as many ids as specs, taken once; a skipped run uses none
            self._ids = iter(self.experiments.next_ids(self._count))
        return next(self._ids)

    def _parent_exists(self, kind: str, key: str) -> bool:
        if kind == "experiment" and key in self._held:
            return True
        if (kind, key) not in self._exists:
            self._exists[kind, key] = PARENT_REPOS[kind](self.s).find(key) is not None
        return self._exists[kind, key]

    def _quality_excepted(self, version: DatasetVersion) -> bool:
        if version.id not in self._excepted:
            self._excepted[version.id] = bool(quality_excepted(self.s, [version], self.now))
        return self._excepted[version.id]
