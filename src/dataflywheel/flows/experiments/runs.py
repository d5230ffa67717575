"""The Experiment Pool: log a run against dataset versions, with what is needed to reproduce it.

Guarantees (issue 6):
- a formal experiment uses frozen versions only, never one under a quality exception
  (`DatasetVersion.experimental`), and carries every reproducibility field (DESIGN §5); otherwise
  it is refused with the full list of what is wrong or missing, and nothing is written;
- an exploratory experiment may use candidates; each use keeps the version's state at that time
  (`ExperimentVersion.version_state`), so "ran on a candidate" stays visible for ever;
- no experiment may use a withdrawn or abandoned version;
- a completed experiment with a baseline is compared metric by metric
  (`flows.experiment_compare`); a regression opens an issue, in the same transaction, linked to
  both experiments, to the data versions of both and to the error samples that are new failures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, ValidationError
from sqlalchemy.orm import Session

from dataflywheel.canonjson import sorted_json
from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.experiment import (
    REPRODUCIBILITY_FIELDS,
    ErrorSample,
    Experiment,
    ExperimentKind,
    ExperimentVersion,
    UsageRole,
)
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.states import ExperimentState, VersionState, move
from dataflywheel.errors import BadInput, NotFound, PolicyViolation, from_validation
from dataflywheel.flows._audit import add_audited, audit, update_audited
from dataflywheel.flows.experiments.experiment_compare import (
    MetricDelta,
    compare_metrics,
    open_regression_issue,
)
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import DatasetVersions
from dataflywheel.store.repositories.experiments import (
    ErrorSamples,
    Experiments,
    ExperimentVersions,
)
from dataflywheel.store.repositories.people import People, Projects

NOTHING = "nothing was recorded"
_UNUSABLE = frozenset({VersionState.WITHDRAWN, VersionState.ABANDONED})


class VersionUse(BaseModel):
    """One dataset version an experiment used, and what for."""

    model_config = ConfigDict(extra="forbid")

    version_id: str = Field(min_length=1)
    role: UsageRole = UsageRole.TRAIN


class ErrorSampleCreate(BaseModel):
    """A record the model got wrong: its id in the data, and its category (e.g. question type)."""

    model_config = ConfigDict(extra="forbid")

    record_id: str = Field(min_length=1, max_length=500)
    category: str = Field(min_length=1, max_length=200)
    version_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class ExperimentCreate(BaseModel):
    """What a caller states to log an experiment (the CLI, the MLflow import and the demo)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    kind: ExperimentKind
    model_version: str = Field(min_length=1, max_length=200)
    versions: list[VersionUse] = Field(min_length=1)
    state: ExperimentState = ExperimentState.COMPLETED
    project_id: str | None = None
    owner_id: str | None = None
    baseline_experiment_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, FiniteFloat] = Field(default_factory=dict)
    conclusion: str | None = None
    runtime_env: dict[str, Any] | None = None
    container_image: str | None = None
    dependency_lock: str | None = None
    hardware_profile: dict[str, Any] | None = None
    cuda_driver: str | None = None
    random_seed: int | None = None
    determinism_flags: dict[str, Any] | None = None
    mlflow_run_id: str | None = None
    mlflow_tracking_uri: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    error_samples: list[ErrorSampleCreate] = Field(default_factory=list)


@dataclass
class LoggedExperiment:
    """What `log_experiment` wrote: the experiment, its version uses, samples, and any regression."""

    experiment: Experiment
    versions: list[ExperimentVersion]
    error_sample_count: int
    deltas: list[MetricDelta] = field(default_factory=list)
    issue: Issue | None = None

    @property
    def regressions(self) -> list[MetricDelta]:
        return [d for d in self.deltas if d.regressed]

    def to_dict(self) -> dict[str, Any]:
        return {"experiment": self.experiment.model_dump(mode="json"),
                "versions": [v.model_dump(mode="json") for v in self.versions],
                "error_samples": self.error_sample_count,
                "deltas": [d.to_dict() for d in self.deltas],
                "regressions": [d.name for d in self.regressions],
                "issue_id": self.issue.id if self.issue else None,
                "issue": self.issue.model_dump(mode="json") if self.issue else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoggedExperiment:
        """The record `to_dict` wrote (a server's answer), so a client prints it as it would
        print its own."""
        issue = data.get("issue")
        return cls(Experiment.model_validate(data["experiment"]),
                   [ExperimentVersion.model_validate(v) for v in data["versions"]],
                   int(data["error_samples"]), [MetricDelta(**d) for d in data["deltas"]],
                   Issue.model_validate(issue) if issue else None)


def parse_create(data: Any, *, source: str | None = None) -> ExperimentCreate:
    """Validate a mapping (a file, a request) into an `ExperimentCreate`, or one clear `BadInput`."""
    try:
        return ExperimentCreate.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, source=source, what="invalid experiment") from None


def log_experiment(
    ws: Workspace, spec: ExperimentCreate, *, lower_is_better: frozenset[str] | None = None,
    tolerance: float = 0.0, now: datetime | None = None,
) -> LoggedExperiment:
    """Record one experiment in one transaction, or refuse it before anything is written; then
    its OpenLineage run (the versions it used in, the experiment out)."""
    from dataflywheel.integrations.openlineage import emit_experiment

    with ws.db.unit_of_work() as s:
        logged = log_experiment_in(s, ws, spec, lower_is_better=lower_is_better,
                                   tolerance=tolerance, now=now)
        labels = [v.label for v in DatasetVersions(s).find_many(
            [u.version_id for u in logged.versions]).values()]
    emit_experiment(ws.settings, experiment=logged.experiment, version_labels=sorted(labels),
                    at=now)
    return logged


def log_experiment_in(
    s: Session, ws: Workspace, spec: ExperimentCreate, *,
    lower_is_better: frozenset[str] | None = None, tolerance: float = 0.0,
    now: datetime | None = None,
) -> LoggedExperiment:
    """`log_experiment` inside the caller's transaction (the MLflow import logs many at once)."""
    now = now or utcnow()
    repo = Experiments(s)
    versions = spec_versions(spec, DatasetVersions(s).find_many(
        [u.version_id for u in spec.versions]))
    excepted = quality_excepted(s, versions, now) if spec.kind is ExperimentKind.FORMAL else set()
    refuse_versions(spec.kind, versions, spec.title, quality_excepted=excepted)
    check_parents(spec, lambda kind, key: PARENT_REPOS[kind](s).find(key) is not None)
    plan = plan_experiment(spec, repo.next_id(), versions, now)
    add_audited(repo, plan.experiment, actor=ws.actor)
    for use in plan.uses:
        add_audited(ExperimentVersions(s), use, actor=ws.actor)
    _record_samples(s, ws, plan.experiment.id, plan.samples)
    logged = LoggedExperiment(plan.experiment, plan.uses, len(plan.samples))
    compare_with_baseline(s, ws, logged, lower_is_better=lower_is_better, tolerance=tolerance,
                          now=now)
    return logged


@dataclass
class ExperimentPlan:
    """The records one experiment adds, checked and built but not yet written."""

    experiment: Experiment
    uses: list[ExperimentVersion]
    samples: list[ErrorSample]


def plan_experiment(spec: ExperimentCreate, experiment_id: str, versions: list[DatasetVersion],
                    now: datetime) -> ExperimentPlan:
    """Build the experiment, its version uses and error samples, refusing an unreproducible
    formal run or a bad sample; the caller has checked the versions and the parents. Shared by
    the single write and the bulk import, so both refuse alike."""
    experiment = _build(spec, experiment_id, now)
    refuse_unreproducible(experiment)
    samples = _samples(experiment.id, spec.error_samples, versions)
    state_of = {v.id: v.state for v in versions}
    uses = [ExperimentVersion(experiment_id=experiment.id, version_id=u.version_id, role=u.role,
                              version_state=state_of[u.version_id]) for u in spec.versions]
    return ExperimentPlan(experiment, uses, samples)


def finish_experiment(
    ws: Workspace, experiment_id: str, *, state: ExperimentState = ExperimentState.COMPLETED,
    metrics: dict[str, float] | None = None, conclusion: str | None = None,
    error_samples: list[ErrorSampleCreate] | None = None, lower_is_better: frozenset[str] | None = None,
    tolerance: float = 0.0, now: datetime | None = None,
) -> LoggedExperiment:
    """running → completed | failed, adding final metrics (they win over earlier ones), the
    conclusion and more error samples; a completed experiment is then compared with its baseline."""
    now = now or utcnow()
    with ws.db.unit_of_work() as s:
        repo = Experiments(s)
        before = repo.get(experiment_id)
        target = move(f"experiment {experiment_id}", before.state, state)
        try:
            after = Experiment.model_validate({
                **before.model_dump(), "state": target, "ended_at": max(now, before.started_at),
                "metrics": {**before.metrics, **(metrics or {})},
                "conclusion": conclusion or before.conclusion})
        except ValidationError as exc:
            raise from_validation(exc, what=f"cannot finish experiment {experiment_id}") from None
        existing = ErrorSamples(s).list(experiment_id=experiment_id)
        samples = _samples(experiment_id, error_samples or [], repo.versions_of(experiment_id),
                           existing=existing)
        update_audited(repo, before, after, actor=ws.actor, action=f"experiment.{target.value}")
        _record_samples(s, ws, experiment_id, samples)
        uses = ExperimentVersions(s).list(experiment_id=experiment_id)
        logged = LoggedExperiment(after, uses, len(existing) + len(samples))
        compare_with_baseline(s, ws, logged, lower_is_better=lower_is_better,
                              tolerance=tolerance, now=now)
        return logged


def compare_with_baseline(s: Session, ws: Workspace, logged: LoggedExperiment, *,
                          lower_is_better: frozenset[str] | None, tolerance: float,
                          now: datetime, baseline: Experiment | None = None,
                          before_issue: Callable[[], None] | None = None) -> None:
    """Compare a completed experiment with its baseline and open the regression issue if any.

    `baseline`: the baseline record when the caller holds it (a bulk import, where it may not be
    stored yet); `before_issue`: called before the issue is opened (a bulk import writes what it
    holds first, so the issue's links and audit entries follow the experiment's)."""
    experiment = logged.experiment
    if not experiment.baseline_experiment_id or experiment.state is not ExperimentState.COMPLETED:
        return
    baseline = baseline or Experiments(s).get(experiment.baseline_experiment_id)
    logged.deltas = compare_metrics(experiment.metrics, baseline.metrics,
                                    lower_is_better=lower_is_better, tolerance=tolerance)
    if logged.regressions:
        if before_issue is not None:
            before_issue()
        logged.issue = open_regression_issue(s, ws, experiment, baseline, logged.regressions,
                                             now=now)


def refuse_versions(kind: ExperimentKind, versions: list[DatasetVersion], title: str, *,
                    quality_excepted: set[str] | frozenset[str] = frozenset()) -> None:
    """Raise `PolicyViolation` naming every version this kind of experiment may not use.

    `quality_excepted`: ids of versions an active quality exception covers right now (directly,
    through their dataset or through one of their batches), flagged or not.
    """
    problems = [p for v in versions
                if (p := version_problem(kind, v, quality_excepted=v.id in quality_excepted))]
    if not problems:
        return
    hint = ("freeze the version first, or log the run with --kind exploratory"
            if kind is ExperimentKind.FORMAL else "use a frozen or candidate version")
    raise PolicyViolation(
        f"{kind.value} experiment {title!r} may not use " + "; ".join(problems),
        field="versions", expected=_allowed(kind), kept=NOTHING, hint=hint)


def version_problem(kind: ExperimentKind, version: DatasetVersion, *,
                    quality_excepted: bool = False) -> str | None:
    """Why `version` may not be used by an experiment of this kind, or None when it may."""
    if version.state in _UNUSABLE:
        return f"{version.id} ({version.state.value})"
    if kind is ExperimentKind.EXPLORATORY:
        return None
    if version.state is not VersionState.FROZEN:
        return f"{version.id} ({version.state.value}, not frozen)"
    if version.experimental:
        return f"{version.id} (experimental: frozen under a quality exception or past a condition its scenario skips)"
    if quality_excepted:
        return f"{version.id} (covered by an active quality exception)"
    return None


def quality_excepted(s: Session, versions: list[DatasetVersion], at: datetime) -> set[str]:
    from dataflywheel.domain.records.governance import ExceptionType
    from dataflywheel.flows.governance.exceptions import covering_exception_kinds

    return {v.id for v in versions if v.state is VersionState.FROZEN
            and ExceptionType.QUALITY in covering_exception_kinds(s, v.id, at)}


def _allowed(kind: ExperimentKind) -> str:
    if kind is ExperimentKind.FORMAL:
        return "frozen versions that are not under a quality exception"
    return "candidate, frozen or archived versions"


def refuse_unreproducible(experiment: Experiment) -> None:
    """A formal experiment must carry every reproducibility field; name all that are missing."""
    missing = experiment.missing_reproducibility()
    if experiment.kind is not ExperimentKind.FORMAL or not missing:
        return
    raise PolicyViolation(
        f"formal experiment {experiment.title!r} lacks reproducibility context: "
        + ", ".join(missing), field="reproducibility", expected="all of " + ", ".join(REPRODUCIBILITY_FIELDS),
        got=", ".join(missing) + " missing", kept=NOTHING,
        hint="flywheel experiments capture-env --json > env.json; then pass --env env.json "
             "with --container-image, --seed and --determinism")


def spec_versions(spec: ExperimentCreate,
                  stored: Mapping[str, DatasetVersion]) -> list[DatasetVersion]:
    """The versions `spec` names, in its order, from `stored` (looked up by the caller, one
    query for a whole import); a version named twice or not stored is refused."""
    ids = [u.version_id for u in spec.versions]
    if len(set(ids)) != len(ids):
        raise BadInput("a version is named twice", field="versions", got=", ".join(ids),
                       expected="each version once (one role per version)", kept=NOTHING)
    absent = [i for i in ids if i not in stored]
    if absent:
        raise NotFound(f"dataset version {', '.join(absent)} does not exist", field="versions",
                       kept=NOTHING, hint="flywheel versions list")
    return [stored[i] for i in ids]


PARENT_REPOS: dict[str, Callable[[Session], Projects | People | Experiments]] = {
    "project": Projects, "person": People, "experiment": Experiments}


def check_parents(spec: ExperimentCreate, exists: Callable[[str, str], bool]) -> None:
    """Refuse a spec whose project, owner or baseline does not exist; `exists(kind, id)` answers
    for "project", "person" and "experiment" (a bulk import answers from what it holds)."""
    if spec.project_id is not None and not exists("project", spec.project_id):
        raise NotFound(f"project {spec.project_id} does not exist", field="project",
                       kept=NOTHING, hint="flywheel projects list")
    if spec.owner_id is not None and not exists("person", spec.owner_id):
        raise NotFound(f"person {spec.owner_id} does not exist", field="owner",
                       kept=NOTHING, hint="flywheel people list")
    baseline = spec.baseline_experiment_id
    if baseline is not None and not exists("experiment", baseline):
        raise NotFound(f"baseline experiment {baseline} does not exist", field="baseline",
                       kept=NOTHING, hint="flywheel experiments list")


def _build(spec: ExperimentCreate, experiment_id: str, now: datetime) -> Experiment:
    fields = spec.model_dump(exclude={"versions", "error_samples", "started_at", "ended_at"})
    for name, value in (("started_at", spec.started_at), ("ended_at", spec.ended_at)):
        if value is not None and value.tzinfo is None:
            raise BadInput("a time must carry a time zone", field=name, got=value.isoformat(),
                           kept=NOTHING)
    started = spec.started_at or now
    ended = spec.ended_at
    if ended is None and spec.state is not ExperimentState.RUNNING:
        ended = max(now, started)
    try:
        return Experiment(id=experiment_id, started_at=started, ended_at=ended, **fields)
    except ValidationError as exc:
        raise from_validation(exc, what="invalid experiment") from None


def _samples(experiment_id: str, items: list[ErrorSampleCreate], versions: list[DatasetVersion], *,
             existing: list[ErrorSample] | None = None) -> list[ErrorSample]:
    allowed = {v.id for v in versions}
    seen = {e.record_id for e in existing or []}
    samples: list[ErrorSample] = []
    for n, item in enumerate(items, start=len(seen) + 1):
        if item.record_id in seen:
            raise BadInput(f"error sample {n} repeats record {item.record_id!r}",
                           field="error_samples", expected="each record id once", kept=NOTHING)
        if item.version_id is not None and item.version_id not in allowed:
            raise BadInput(f"error sample {n} names version {item.version_id}, which the "
                           "experiment does not use", field="error_samples",
                           expected="one of " + ", ".join(sorted(allowed)), kept=NOTHING)
        seen.add(item.record_id)
        samples.append(ErrorSample(id=f"{experiment_id}-ES{n:05d}", experiment_id=experiment_id,
                                   **item.model_dump()))
    return samples


def _record_samples(s: Session, ws: Workspace, experiment_id: str,
                    samples: list[ErrorSample]) -> None:
    """Insert the samples, with one audit entry that digests the whole set."""
    if not samples:
        return
    repo = ErrorSamples(s)
    for sample in samples:
        repo.session.add(repo.row_type(**repo.to_row_values(sample)))
    s.flush()
    audit(s, actor=ws.actor, action="error_sample.add", kind="error_sample",
          record_id=experiment_id, before=None, after=samples_digest_body(experiment_id, samples))


def samples_digest_body(experiment_id: str, samples: list[ErrorSample]) -> dict[str, Any]:
    """What the one `error_sample.add` entry of a set of samples digests: count and a hash."""
    # Python's default layout, not canonical_json: the digests already in audit entries used it.
    body = sorted_json([x.model_dump(mode="json") for x in samples])
    return {"experiment_id": experiment_id, "count": len(samples),
            "sha256": hashlib.sha256(body.encode()).hexdigest()}
