"""MLflow: import runs as experiments, and write our data versions back as MLflow dataset inputs.

A run maps to an experiment through its tags (docs/experiments.md):
`flywheel.data_version` = `VERSION[:ROLE][,VERSION[:ROLE]...]` (required; runs without it are
skipped and listed), `flywheel.kind` (formal | exploratory, default exploratory),
`flywheel.model_version` (else the `model_version` or `model` param), `flywheel.project`,
`flywheel.owner`, `flywheel.baseline` (an EXP id or `mlflow:<run id>`), `flywheel.conclusion`,
and the reproducibility fields `flywheel.<field>` (JSON for runtime_env, hardware_profile and
determinism_flags). Params, the latest value of each metric, status and times come from the run.

Guarantees:
- a foreign store is read, never changed; only write-back, when asked, writes to it, through
  MLflow's API, and only to a store MLflow can open without migrating it (integrations.mlflow_store);
- every MLflow failure becomes one `BadInput` naming the store; import is all or nothing (see
  flows/experiments/experiment_import.py); write-back happens after our records are committed, is idempotent,
  and a failure there says what was kept and the command that finishes the job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from dataflywheel.domain.records.data import DatasetVersion
from dataflywheel.domain.records.experiment import REPRODUCIBILITY_FIELDS, ExperimentVersion
from dataflywheel.errors import BadInput, FlywheelError, NotFound
from dataflywheel.integrations.mlflow_store import (
    client,
    mlflow_errors,
    normalise_uri,
    reading_client,
)

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.tracking import MlflowClient

    from dataflywheel.flows.experiments.experiment_import import ImportResult
    from dataflywheel.flows.experiments.runs import ExperimentCreate
    from dataflywheel.flows.workspace import Workspace

TAG = "flywheel."
TAG_DATA_VERSION = "flywheel.data_version"
TAG_EXPERIMENT = "flywheel.experiment_id"
SOURCE_TYPE = "flywheel"
_JSON_FIELDS = frozenset({"runtime_env", "hardware_profile", "determinism_flags"})
_STATES = {"FINISHED": "completed", "FAILED": "failed", "KILLED": "failed",
           "RUNNING": "running", "SCHEDULED": "running"}
T = TypeVar("T")


def read_runs(mc: MlflowClient, uri: str, *, experiment: str | None = None,
              run_ids: list[str] | None = None) -> list[Run]:
    """The named runs, or every active run of `experiment` (all experiments when None), oldest first."""
    with mlflow_errors(uri, "the read"):
        if run_ids:
            return [mc.get_run(r) for r in run_ids]
        if experiment is not None:
            found = mc.get_experiment_by_name(experiment)
            if found is None:
                raise NotFound(f"MLflow experiment {experiment!r} does not exist", path=uri,
                               hint="list them with `mlflow experiments search`")
            ids = [found.experiment_id]
        else:
            ids = [e.experiment_id for e in mc.search_experiments()]
        return _all_pages(lambda token: mc.search_runs(
            ids, order_by=["attributes.start_time ASC"], page_token=token))


def _all_pages(fetch: Callable[[str | None], Any]) -> list[Any]:
    items: list[Any] = []
    token: str | None = None
    while True:
        page = fetch(token)
        items.extend(page)
        token = page.token
        if not token:
            return items


def run_to_spec(run: Run, uri: str) -> ExperimentCreate:
    """The experiment a tagged run describes; `BadInput` names the run and the tag that is wrong."""
    from dataflywheel.flows.experiments.runs import parse_create

    tags, params, run_id = run.data.tags, run.data.params, run.info.run_id
    model = tags.get(f"{TAG}model_version") or params.get("model_version") or params.get("model")
    if not model:
        raise BadInput(f"MLflow run {run_id} names no model version", path=uri,
                       field=f"{TAG}model_version", expected="a tag, or a model_version param",
                       kept="nothing was imported")
    data: dict[str, Any] = {
        "title": tags.get("mlflow.runName") or run_id, "kind": tags.get(f"{TAG}kind", "exploratory"),
        "model_version": model, "versions": parse_versions(tags[TAG_DATA_VERSION], run_id, uri),
        "state": _STATES.get(run.info.status, "failed"), "params": dict(params),
        "metrics": dict(run.data.metrics), "mlflow_run_id": run_id, "mlflow_tracking_uri": uri,
        "started_at": _time(run.info.start_time), "ended_at": _time(run.info.end_time),
    }
    for key, name in (("project", "project_id"), ("owner", "owner_id"),
                      ("baseline", "baseline_experiment_id"), ("conclusion", "conclusion")):
        if f"{TAG}{key}" in tags:
            data[name] = tags[f"{TAG}{key}"]
    for name in REPRODUCIBILITY_FIELDS:
        if f"{TAG}{name}" in tags:
            data[name] = _tag_value(name, tags[f"{TAG}{name}"], run_id, uri)
    return parse_create(data, source=f"{uri} run {run_id}")


def parse_versions(text: str, run_id: str, uri: str) -> list[dict[str, str]]:
    uses = []
    for part in (p.strip() for p in text.split(",")):
        version, _, role = part.partition(":")
        if not version.strip():
            raise BadInput(f"MLflow run {run_id} has an empty data version", path=uri,
                           field=TAG_DATA_VERSION, expected="VERSION[:ROLE][,VERSION[:ROLE]...]",
                           got=text, kept="nothing was imported")
        uses.append({"version_id": version.strip(), "role": role.strip() or "train"})
    return uses


def _tag_value(name: str, raw: str, run_id: str, uri: str) -> Any:
    if name == "random_seed":
        try:
            return int(raw)
        except ValueError:
            raise BadInput(f"MLflow run {run_id} has a random seed that is not an integer",
                           path=uri, field=f"{TAG}{name}", got=raw,
                           kept="nothing was imported") from None
    if name not in _JSON_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise BadInput(f"MLflow run {run_id} tag is not JSON", path=uri, field=f"{TAG}{name}",
                       expected="a JSON object", got=raw, kept="nothing was imported") from None


def _time(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def import_runs(ws: Workspace, tracking_uri: str, *, experiment: str | None = None,
                run_ids: list[str] | None = None, write_back: bool = True) -> ImportResult:
    """Import the tagged runs (all or none), then write each one's data versions back to it."""
    from dataflywheel.flows.experiments.experiment_import import import_experiments

    uri = normalise_uri(tracking_uri)
    writer = client(uri) if write_back else None  # a store it may not write to: refused first
    with reading_client(uri) as mc:
        runs = read_runs(mc, uri, experiment=experiment, run_ids=run_ids)
    specs, skipped = [], []
    for run in runs:
        if TAG_DATA_VERSION not in run.data.tags:
            if run_ids:
                raise BadInput(f"MLflow run {run.info.run_id} has no {TAG_DATA_VERSION} tag",
                               path=uri, expected="VERSION[:ROLE][,...]",
                               kept="nothing was imported")
            skipped.append({"run_id": run.info.run_id, "reason": f"no {TAG_DATA_VERSION} tag"})
            continue
        specs.append(run_to_spec(run, uri))
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


def dataset_entity(version: DatasetVersion, role: str) -> Any:
    """The MLflow `DatasetInput` naming our version (digest: its manifest, else its id)."""
    from mlflow.entities import Dataset, DatasetInput, InputTag

    basis = version.manifest_sha256 or hashlib.sha256(f"candidate:{version.id}".encode()).hexdigest()
    source = {"uri": f"flywheel://{version.dataset_id}/{version.id}", "version_id": version.id}
    profile = {"version_id": version.id, "state": version.state.value, "number": version.number,
               "manifest_sha256": version.manifest_sha256, "experimental": version.experimental}
    dataset = Dataset(name=version.label, digest=basis[:32], source_type=SOURCE_TYPE,
                      source=json.dumps(source, sort_keys=True),
                      profile=json.dumps(profile, sort_keys=True))
    return DatasetInput(dataset=dataset, tags=[InputTag("mlflow.data.context", role)])


def log_versions(ws: Workspace, mc: MlflowClient, uri: str, run_id: str,
                 experiment_id: str) -> None:
    """Log each version the experiment used as a dataset input of `run_id` (idempotent)."""
    from dataflywheel.store.repositories.data import DatasetVersions
    from dataflywheel.store.repositories.experiments import ExperimentVersions

    with ws.db.session() as s:
        uses: list[ExperimentVersion] = ExperimentVersions(s).list(experiment_id=experiment_id)
        inputs = [dataset_entity(DatasetVersions(s).get(u.version_id), u.role.value) for u in uses]
    with mlflow_errors(uri, "the dataset inputs"):
        mc.log_inputs(run_id, datasets=inputs)
        mc.set_tag(run_id, TAG_EXPERIMENT, experiment_id)


def export_experiment(ws: Workspace, experiment_id: str, tracking_uri: str | None = None, *,
                      mlflow_experiment: str = "flywheel") -> str:
    """Write the experiment's data versions to its MLflow run, creating the run when it has none.

    A new run carries the params, metrics, status, times and `flywheel.*` tags, so importing it
    back gives the same experiment. Returns the run id.
    """
    from dataflywheel.flows.experiments.experiment_import import link_mlflow_run
    from dataflywheel.flows.experiments.experiment_read import get_experiment

    experiment = get_experiment(ws, experiment_id)
    target = tracking_uri or experiment.mlflow_tracking_uri
    if not target:
        raise BadInput(f"experiment {experiment_id} has no MLflow run yet", field="tracking_uri",
                       expected="--tracking-uri of the store to export to")
    uri = normalise_uri(target)
    linked = experiment.mlflow_tracking_uri
    if experiment.mlflow_run_id is not None and linked != uri:
        raise BadInput(f"experiment {experiment_id} lives in another MLflow store", path=uri,
                       expected=str(linked), kept="nothing was written to either store",
                       hint=f"flywheel experiments export-mlflow {experiment_id}")
    mc = client(uri, create=True)
    run_id = experiment.mlflow_run_id
    if run_id is None:
        run_id = _create_run(mc, uri, experiment_id, ws, mlflow_experiment)
        link_mlflow_run(ws, experiment_id, run_id=run_id, tracking_uri=uri)
    log_versions(ws, mc, uri, run_id, experiment_id)
    return run_id


def _create_run(mc: MlflowClient, uri: str, experiment_id: str, ws: Workspace, name: str) -> str:
    from mlflow.entities import Metric, Param

    from dataflywheel.flows.experiments.experiment_read import get_experiment
    from dataflywheel.store.repositories.experiments import ExperimentVersions

    exp = get_experiment(ws, experiment_id)
    with ws.db.session() as s:
        uses = ExperimentVersions(s).list(experiment_id=experiment_id)
    tags = {TAG_EXPERIMENT: exp.id, f"{TAG}kind": exp.kind.value,
            f"{TAG}model_version": exp.model_version,
            TAG_DATA_VERSION: ",".join(f"{u.version_id}:{u.role.value}" for u in uses)}
    for key, value in (("project", exp.project_id), ("owner", exp.owner_id),
                       ("conclusion", exp.conclusion)):
        if value:
            tags[f"{TAG}{key}"] = value
    for field in REPRODUCIBILITY_FIELDS:
        value = getattr(exp, field)
        if value is not None:
            tags[f"{TAG}{field}"] = json.dumps(value, sort_keys=True) if field in _JSON_FIELDS \
                else str(value)
    start = int(exp.started_at.timestamp() * 1000)
    with mlflow_errors(uri, "the export"):
        found = mc.get_experiment_by_name(name)
        mlflow_exp = found.experiment_id if found else mc.create_experiment(name)
        run = mc.create_run(mlflow_exp, start_time=start, run_name=exp.title, tags=tags)
        params = [Param(k, v if isinstance(v, str) else json.dumps(v, sort_keys=True))
                  for k, v in sorted(exp.params.items())]
        metrics = [Metric(k, v, start, 0) for k, v in sorted(exp.metrics.items())]
        mc.log_batch(run.info.run_id, metrics=metrics, params=params)
        status = {"completed": "FINISHED", "failed": "FAILED"}.get(exp.state.value)
        if status is not None:
            end = int(exp.ended_at.timestamp() * 1000) if exp.ended_at else None
            mc.set_terminated(run.info.run_id, status=status, end_time=end)
    return str(run.info.run_id)
