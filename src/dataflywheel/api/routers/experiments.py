"""The Experiment Pool over HTTP: list, show, log, finish, compare, MLflow import and export.

The same flows as `flywheel experiments`; each answer is what the command's `--json` prints.

What is not here, and why: `capture-env`. It describes the machine a run happened on (Python,
packages, lock file, GPUs, driver); over HTTP that would be the server's machine, which trained
nothing. The client captures its own context (`flywheel experiments capture-env --json`) and sends
it in the body of `POST …/experiments`, as the CLI does with `--env`.

MLflow: `import-mlflow` and `export-mlflow` name a tracking store the SERVER opens (a path or URI
on the server's side), so they are for the roles that run training infrastructure
(algorithm and platform engineers), and only an http(s) tracking server or a local store under a
folder the server's operator allowed (`Settings.mlflow_roots`, none by default:
`flows.experiments.mlflow_roots`); `import-mlflow/upload` takes an MLflow SQLite store sent in
the body instead (read on the server from a private temporary copy; nothing is written back).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace, Caller
from dataflywheel.api.paging import PageOut, Paging, page_out
from dataflywheel.api.policy import Holds, Member, Rule
from dataflywheel.api.routers.feedback import read_capped, require_member
from dataflywheel.domain.records.experiment import Experiment, ExperimentVersion
from dataflywheel.domain.records.issue import Issue
from dataflywheel.domain.roles import Role
from dataflywheel.domain.states import ExperimentState
from dataflywheel.errors import BadInput
from dataflywheel.flows.experiments.experiment_compare import compare_experiments
from dataflywheel.flows.experiments.experiment_regressions import Regression
from dataflywheel.flows.experiments.experiment_read import (
    experiment_detail,
    experiments,
    get_experiment,
)
from dataflywheel.flows.experiments.runs import (
    ErrorSampleCreate,
    ExperimentCreate,
    VersionUse,
    finish_experiment,
    log_experiment,
    parse_create,
)

router = APIRouter(prefix="/api/v1", tags=["experiments"])

MLFLOW_ROLES = frozenset({Role.ALGORITHM_ENGINEER, Role.PLATFORM_ENGINEER})
Names = Annotated[list[str], Field(default_factory=list, max_length=100)]

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/experiments"): Member(scope="project"),
    ("GET", "/api/v1/experiments/{experiment}"): Member(scope="experiment"),
    ("POST", "/api/v1/experiments"): Member(),
    ("POST", "/api/v1/projects/{project}/experiments"): Member(scope="project"),
    ("POST", "/api/v1/experiments/{experiment}/finish"): Member(scope="experiment"),
    ("GET", "/api/v1/experiments/{experiment}/compare"): Member(scope="experiment"),
    ("GET", "/api/v1/projects/{project}/regressions"): Member(scope="project"),
    ("POST", "/api/v1/experiments/import-mlflow"): Holds(roles=MLFLOW_ROLES),
    ("POST", "/api/v1/experiments/import-mlflow/upload"): Holds(roles=MLFLOW_ROLES),
    ("POST", "/api/v1/experiments/{experiment}/export-mlflow"):
        Holds(roles=MLFLOW_ROLES, scope="experiment"),
}

LOG_EXAMPLE: dict[str, Any] = {
    "title": "gsm8k eval, sft-7b", "kind": "exploratory", "model_version": "sft-7b@2026-11-20",
    "versions": [{"version_id": "V-0001", "role": "eval"}], "metrics": {"accuracy": 0.81},
    "params": {"temperature": 0.0}, "random_seed": 1234,
    "lower_is_better": ["eval_loss"], "tolerance": 0.0}


class ExperimentLog(ExperimentCreate):
    """`ExperimentCreate` (what `flywheel experiments log` states), bounded, plus how the run is
    compared with its baseline. The reproducibility fields come from the client's own
    `capture-env`. On `/projects/{project}/experiments` the project is the path's."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [LOG_EXAMPLE]})

    versions: list[VersionUse] = Field(min_length=1, max_length=100)
    error_samples: list[ErrorSampleCreate] = Field(default_factory=list, max_length=100_000)
    lower_is_better: Names
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)


class ExperimentFinish(BaseModel):
    """running → completed | failed, with final metrics, a conclusion and more error samples."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"state": "completed", "metrics": {"accuracy": 0.83}, "conclusion": "better on algebra"}]})

    state: ExperimentState = ExperimentState.COMPLETED
    metrics: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        default_factory=dict, max_length=1000)
    conclusion: str | None = Field(default=None, max_length=20_000)
    error_samples: list[ErrorSampleCreate] = Field(default_factory=list, max_length=100_000)
    lower_is_better: Names
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)


class MlflowImport(BaseModel):
    """A tracking store the server can open, and which runs to import."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"tracking_uri": "sqlite:////srv/mlflow/mlflow.db", "experiment": "gsm8k",
         "write_back": False}]})

    tracking_uri: str = Field(min_length=1, max_length=2000, description=(
        "an http(s):// tracking server, or a store on the server under a folder its operator "
        "allowed (FLYWHEEL_MLFLOW_ROOTS)"))
    experiment: str | None = Field(default=None, max_length=500)
    run_ids: list[Annotated[str, Field(max_length=200)]] | None = Field(default=None,
                                                                          max_length=1000)
    write_back: bool = True


class MlflowExport(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"mlflow_experiment": "flywheel"}]})

    tracking_uri: str | None = Field(default=None, max_length=2000,
                                     description="default: the store the experiment is linked to")
    mlflow_experiment: str = Field(default="flywheel", min_length=1, max_length=500)


class Delta(BaseModel):
    name: str
    baseline: float
    value: float
    delta: float
    higher_is_better: bool
    regressed: bool


class Logged(BaseModel):
    """What `flywheel experiments log|finish --json` prints."""

    experiment: Experiment
    versions: list[ExperimentVersion]
    error_samples: int
    deltas: list[Delta]
    regressions: list[str]
    issue_id: str | None
    issue: Issue | None


class Imported(BaseModel):
    imported: list[Logged]
    skipped: list[dict[str, str]]


class Exported(BaseModel):
    experiment_id: str
    run_id: str


class Detail(BaseModel):
    """What `flywheel experiments show --json` prints."""

    experiment: Experiment
    missing_reproducibility: list[str]
    versions: list[dict[str, Any]]
    error_samples: dict[str, Any]
    issues: list[dict[str, Any]]


class Comparison(BaseModel):
    """What `flywheel experiments compare --json` prints."""

    experiment: str
    baseline: str
    versions: dict[str, list[str]]
    deltas: list[Delta]
    regressions: list[str]
    only_in_experiment: list[str]
    only_in_baseline: list[str]
    error_samples: dict[str, Any]


@router.get("/experiments", response_model=PageOut[Experiment])
def list_experiments(ws: ActingWorkspace, paging: Paging, project: str | None = None,
                     kind: str | None = None, state: str | None = None) -> Response:
    """One page of experiments, optionally of one project, kind or state (`experiments list`)."""
    listing = experiments(ws, project_id=project or None, kind=kind or None, state=state or None)
    return page_out(listing.page(paging.limit, paging.cursor))


@router.get("/experiments/{experiment}", response_model=Detail)
def show_experiment(experiment: str, ws: ActingWorkspace) -> dict[str, Any]:
    """The experiment, versions used (state then and now), error samples, linked issues."""
    return experiment_detail(ws, experiment)


def _log(ws: Any, body: ExperimentLog, project: str | None) -> dict[str, Any]:
    data = body.model_dump(exclude={"lower_is_better", "tolerance"})
    data["project_id"] = project
    spec = parse_create(data, source="request body")
    return log_experiment(ws, spec, lower_is_better=frozenset(body.lower_is_better),
                          tolerance=body.tolerance).to_dict()


@router.post("/experiments", response_model=Logged, status_code=201)
def log_team_experiment(body: ExperimentLog, ws: ActingWorkspace) -> dict[str, Any]:
    """Log a team-wide experiment (no project); a regression against its baseline opens an
    issue. An experiment of a project is logged at `/projects/{project}/experiments`."""
    if body.project_id is not None:
        raise BadInput("an experiment of a project is logged under its project",
                       field="project_id", got=body.project_id, kept="nothing was recorded",
                       hint=f"POST /api/v1/projects/{body.project_id}/experiments")
    return _log(ws, body, None)


@router.post("/projects/{project}/experiments", response_model=Logged, status_code=201)
def log_project_experiment(project: str, body: ExperimentLog,
                           ws: ActingWorkspace) -> dict[str, Any]:
    """Log an experiment of `project` (a body's `project_id`, if given, must be the same)."""
    if body.project_id not in (None, project):
        raise BadInput("the body names another project than the path", field="project_id",
                       expected=project, got=body.project_id, kept="nothing was recorded")
    return _log(ws, body, project)


@router.post("/experiments/{experiment}/finish", response_model=Logged)
def finish(experiment: str, body: ExperimentFinish, ws: ActingWorkspace) -> dict[str, Any]:
    """Finish a running experiment; a completed one is compared with its baseline."""
    return finish_experiment(ws, experiment, state=body.state, metrics=body.metrics,
                             conclusion=body.conclusion, error_samples=body.error_samples,
                             lower_is_better=frozenset(body.lower_is_better),
                             tolerance=body.tolerance).to_dict()


@router.get("/experiments/{experiment}/compare", response_model=Comparison)
def compare(experiment: str, ws: ActingWorkspace, who: Caller,
            baseline: Annotated[str | None, Query(max_length=64, description=(
                "experiment to compare against; default: the experiment's own baseline"))] = None,
            lower_is_better: Annotated[list[str] | None, Query(max_length=100)] = None,
            tolerance: Annotated[float, Query(ge=0, allow_inf_nan=False)] = 0.0
            ) -> dict[str, Any]:
    """Metric deltas, versions, and error samples new and fixed, against a baseline."""
    against = baseline or get_experiment(ws, experiment).baseline_experiment_id
    if not against:
        raise BadInput(f"experiment {experiment} has no baseline", field="baseline",
                       expected="?baseline=EXP-…", hint="flywheel experiments list")
    require_member(who, get_experiment(ws, against).project_id, f"baseline {against}")
    return compare_experiments(ws, experiment, against, tolerance=tolerance,
                               lower_is_better=frozenset(lower_is_better or ()))


@router.get("/projects/{project}/regressions", response_model=list[Regression])
def project_regressions(project: str, ws: ActingWorkspace) -> list[Regression]:
    """The project's runs worse than their baselines (the comparison `compare` answers, with
    its defaults), each with the metrics that regressed and the issues it opened."""
    from dataflywheel.flows.experiments.experiment_regressions import regressions

    return regressions(ws, list(experiments(ws, project_id=project).stream()))


@router.post("/experiments/import-mlflow", response_model=Imported, status_code=201)
def import_mlflow(body: MlflowImport, ws: ActingWorkspace) -> dict[str, Any]:
    """Import tagged runs of a store the server can open (all or none), then write our versions
    back to them (unless `write_back` is false)."""
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    return import_runs(ws, body.tracking_uri, experiment=body.experiment, run_ids=body.run_ids,
                       write_back=body.write_back,
                       served_roots=ws.settings.mlflow_roots).to_dict()


UPLOAD_EXAMPLE = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"},
    "example": "SQLite format 3"}}}}


@router.post("/experiments/import-mlflow/upload", response_model=Imported, status_code=201,
             openapi_extra=UPLOAD_EXAMPLE)
async def import_mlflow_upload(
        request: Request, ws: ActingWorkspace,
        experiment: Annotated[str | None, Query(max_length=500)] = None,
        run_ids: Annotated[list[str] | None, Query(max_length=1000)] = None,
        source: Annotated[str | None, Query(max_length=2000, description=(
            "the store's own URI where it lives (recorded on each experiment); "
            "default: upload://mlflow.db"))] = None) -> dict[str, Any]:
    """Import tagged runs of an MLflow SQLite store sent as the body (a copy of `mlflow.db`).
    The copy is read and deleted; nothing is written back to it (`source` names the original,
    which `export-mlflow` can write to later)."""
    from dataflywheel.flows.experiments.mlflow_sync import import_runs

    body = await read_capped(request, request.app.state.max_body_bytes)
    if not body.startswith(b"SQLite format 3\x00"):
        raise BadInput("the body is not an MLflow SQLite store", field="body",
                       expected="the bytes of an mlflow.db file", got=f"{len(body)} bytes",
                       kept="nothing was recorded",
                       hint="send the store itself, or name one the server can open: "
                            "POST /api/v1/experiments/import-mlflow")

    def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="flywheel-mlflow-") as tmp:
            path = Path(tmp) / "mlflow.db"
            path.write_bytes(body)
            return import_runs(ws, f"sqlite:///{path}", experiment=experiment,
                               run_ids=run_ids, write_back=False,
                               recorded_uri=source or "upload://mlflow.db").to_dict()

    return await run_in_threadpool(run)


@router.post("/experiments/{experiment}/export-mlflow", response_model=Exported)
def export_mlflow(experiment: str, body: MlflowExport, ws: ActingWorkspace) -> dict[str, Any]:
    """Write the experiment's data versions to its MLflow run (creating the run if needed)."""
    from dataflywheel.flows.experiments.mlflow_sync import export_experiment

    run_id = export_experiment(ws, experiment, body.tracking_uri,
                               mlflow_experiment=body.mlflow_experiment,
                               served_roots=ws.settings.mlflow_roots)
    return {"experiment_id": experiment, "run_id": run_id}
