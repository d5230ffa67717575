"""`flywheel experiments log|finish|list|show|capture-env|compare|import-mlflow|export-mlflow`.

With `FLYWHEEL_SERVER` set, the commands that change state (log, finish, import-mlflow,
export-mlflow) act through the team server (`cli.remote`): files named on the command line
(`--env`, `--errors`, `--results`) are read here and sent in the request, and the answer is
printed as a local run prints. `capture-env` always describes this machine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dataflywheel.cli._context import workspace
from dataflywheel.cli.options import All, Cursor, Json, Limit
from dataflywheel.cli.output import console, err_console, print_json, print_records
from dataflywheel.cli.paging import show_list
from dataflywheel.cli.remote import server_of
from dataflywheel.hookspecs import hookimpl

if TYPE_CHECKING:
    from dataflywheel.flows.experiments.runs import LoggedExperiment

app = typer.Typer(help="Experiments in the Experiment Pool (and MLflow runs).", no_args_is_help=True)
Many = Annotated[list[str] | None, typer.Option()]
COLUMNS = ["id", "kind", "state", "project_id", "model_version", "baseline_experiment_id", "title"]
ENV_FIELDS = ("runtime_env", "dependency_lock", "hardware_profile", "cuda_driver",
              "container_image", "random_seed", "determinism_flags")


@app.command("log")
def log(
    ctx: typer.Context,
    title: str,
    model: Annotated[str, typer.Option(help="Model version the run trained or evaluated.")],
    version: Annotated[list[str], typer.Option(help="VERSION_ID[:train|validation|eval]; repeat.")],
    kind: Annotated[str, typer.Option(help="formal (frozen versions, full context) or exploratory.")] = "formal",
    state: Annotated[str, typer.Option(help="completed, running or failed.")] = "completed",
    project: str | None = None,
    owner: Annotated[str | None, typer.Option(help="Person id of the experiment's owner.")] = None,
    baseline: Annotated[str | None, typer.Option(help="Experiment id to compare against.")] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE (JSON or text); repeat.")] = None,
    metric: Annotated[list[str] | None, typer.Option(help="NAME=NUMBER; repeat.")] = None,
    conclusion: str | None = None,
    env: Annotated[Path | None, typer.Option(help="JSON from `capture-env --json`.")] = None,
    container_image: str | None = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    determinism: Annotated[list[str] | None, typer.Option(help="FLAG=VALUE; repeat.")] = None,
    errors: Annotated[Path | None, typer.Option(help="JSONL of error samples.")] = None,
    results: Annotated[Path | None, typer.Option(help="Per-item results JSONL (GSM8K shape).")] = None,
    model_key: Annotated[str | None, typer.Option(help="Model key in --results.")] = None,
    id_field: Annotated[str | None, typer.Option(help="Item id field in --results.")] = None,
    category_field: Annotated[str | None, typer.Option(help="Category field in --results.")] = None,
    lower_is_better: Annotated[list[str] | None, typer.Option(help="Metric where lower is better.")] = None,
    tolerance: Annotated[float, typer.Option(help="Allowed absolute drop before it is a regression.")] = 0.0,
    json_: Json = False,
) -> None:
    """Log an experiment; a regression against --baseline opens an issue."""
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create

    data: dict[str, Any] = {
        "title": title, "kind": kind, "state": state, "model_version": model,
        "versions": [_use(v) for v in version], "project_id": project, "owner_id": owner,
        "baseline_experiment_id": baseline, "params": _pairs(param, "param", _value),
        "metrics": _pairs(metric, "metric", _number), "conclusion": conclusion,
        **_env_file(env), **_given(container_image, seed, determinism),
    }
    _add_results(data, errors, results, model_key, id_field, category_field)
    spec = parse_create(data, source="command line")
    client = server_of(ctx)
    if client is not None:
        from dataflywheel.flows.experiments.runs import LoggedExperiment

        body = {**spec.model_dump(mode="json", exclude={"project_id"}),
                "lower_is_better": sorted(lower_is_better or ()), "tolerance": tolerance}
        path = f"/api/v1/projects/{spec.project_id}/experiments" if spec.project_id \
            else "/api/v1/experiments"
        _show_logged(LoggedExperiment.from_dict(client.call("POST", path, json=body)), json_)
        return
    with workspace(ctx) as ws:
        logged = log_experiment(ws, spec, lower_is_better=frozenset(lower_is_better or ()),
                                tolerance=tolerance)
    _show_logged(logged, json_)


def _show_logged(logged: LoggedExperiment, json_: bool) -> None:
    if json_:
        print_json(logged.to_dict())
        return
    exp = logged.experiment
    console.print(f"[green]logged {exp.id}[/] ({exp.kind.value}) {exp.title}: "
                  f"{len(logged.versions)} version(s), {logged.error_sample_count} error sample(s)",
                  highlight=False)
    for delta in logged.deltas:
        mark = "[red]regressed[/]" if delta.regressed else "ok"
        console.print(f"  {delta.describe()}: {mark}", highlight=False)
    if logged.issue is not None:
        console.print(f"[red]opened {logged.issue.id}[/] ({logged.issue.severity.value}) "
                      f"{logged.issue.title}", highlight=False)


def _use(text: str) -> dict[str, str]:
    version_id, _, role = text.partition(":")
    return {"version_id": version_id.strip(), "role": role.strip() or "train"}


def _pairs(items: list[str] | None, name: str, convert: Any) -> dict[str, Any]:
    from dataflywheel.errors import BadInput

    found: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"cannot read --{name} {item!r}", field=name, expected="KEY=VALUE")
        found[key.strip()] = convert(raw.strip(), name, key.strip())
    return found


def _value(raw: str, name: str, key: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _number(raw: str, name: str, key: str) -> float:
    from dataflywheel.errors import BadInput

    try:
        return float(raw)
    except ValueError:
        raise BadInput(f"--{name} {key} is not a number", field=f"{name}.{key}",
                       expected="a number", got=raw) from None


def _env_file(path: Path | None) -> dict[str, Any]:
    from dataflywheel.errors import BadInput, NotFound

    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound("environment file not found", path=str(path),
                       hint="flywheel experiments capture-env --json > env.json") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"environment file is not JSON ({exc})", path=str(path)) from None
    if not isinstance(data, dict):
        raise BadInput("environment file is not a JSON object", path=str(path))
    return {k: data[k] for k in ENV_FIELDS if data.get(k) is not None}


def _given(image: str | None, seed: int | None, flags: list[str] | None) -> dict[str, Any]:
    given: dict[str, Any] = {"container_image": image, "random_seed": seed,
                             "determinism_flags": _pairs(flags, "determinism", _value) or None}
    return {k: v for k, v in given.items() if v is not None}


def _add_results(data: dict[str, Any], errors: Path | None, results: Path | None,
                 model_key: str | None, id_field: str | None, category_field: str | None) -> None:
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.experiments.experiment_results import (
        read_error_samples,
        read_item_results,
    )

    samples = [s.model_dump() for s in read_error_samples(errors)] if errors else []
    if results is not None:
        if not model_key:
            raise BadInput("--results needs --model-key (the model's key in each line)",
                           field="model_key")
        found = read_item_results(results, model_key=model_key, id_field=id_field,
                                  category_field=category_field)
        data["metrics"] = {**found.metrics(), **data["metrics"]}
        samples += [s.model_dump() for s in found.errors]
    data["error_samples"] = samples


@app.command("finish")
def finish(
    ctx: typer.Context, experiment_id: Annotated[str, typer.Argument(metavar="ID")],
    state: Annotated[str, typer.Option(help="completed or failed.")] = "completed",
    metric: Annotated[list[str] | None, typer.Option(help="NAME=NUMBER; repeat.")] = None,
    conclusion: str | None = None,
    errors: Annotated[Path | None, typer.Option(help="JSONL of more error samples.")] = None,
    lower_is_better: Many = None, tolerance: float = 0.0, json_: Json = False,
) -> None:
    """Finish a running experiment; a completed one is compared with its baseline."""
    from dataflywheel.domain.states import ExperimentState
    from dataflywheel.errors import BadInput
    from dataflywheel.flows.experiments.experiment_results import read_error_samples
    from dataflywheel.flows.experiments.runs import finish_experiment

    try:
        target = ExperimentState(state)
    except ValueError:
        raise BadInput(f"unknown state {state!r}", field="state",
                       expected="completed or failed") from None
    samples = read_error_samples(errors) if errors else []
    client = server_of(ctx)
    if client is not None:
        from dataflywheel.flows.experiments.runs import LoggedExperiment

        body = {"state": target.value, "metrics": _pairs(metric, "metric", _number),
                "conclusion": conclusion, "lower_is_better": sorted(lower_is_better or ()),
                "tolerance": tolerance,
                "error_samples": [x.model_dump(mode="json") for x in samples]}
        answer = client.call("POST", f"/api/v1/experiments/{experiment_id}/finish", json=body)
        _show_logged(LoggedExperiment.from_dict(answer), json_)
        return
    with workspace(ctx) as ws:
        logged = finish_experiment(ws, experiment_id, state=target,
                                   metrics=_pairs(metric, "metric", _number),
                                   conclusion=conclusion, error_samples=samples,
                                   lower_is_better=frozenset(lower_is_better or ()),
                                   tolerance=tolerance)
    _show_logged(logged, json_)


@app.command("list")
def list_(ctx: typer.Context, project: str | None = None, kind: str | None = None,
          state: str | None = None, limit: Limit = None, cursor: Cursor = None,
          all_: All = False, json_: Json = False) -> None:
    """Experiments, optionally of one project, kind or state."""
    from dataflywheel.flows.experiments.experiment_read import experiments

    with workspace(ctx) as ws:
        show_list(ctx, experiments(ws, project_id=project or None, kind=kind or None,
                                   state=state or None),
                  row=lambda e: e.model_dump(mode="json"), columns=COLUMNS, json_=json_, limit=limit, cursor=cursor, all_=all_)


@app.command("show")
def show(ctx: typer.Context, experiment_id: Annotated[str, typer.Argument(metavar="ID")],
         json_: Json = False) -> None:
    """One experiment: versions used (state then and now), error samples, linked issues."""
    from dataflywheel.flows.experiments.experiment_read import experiment_detail

    with workspace(ctx) as ws:
        detail = experiment_detail(ws, experiment_id)
    if json_:
        print_json(detail)
        return
    exp = detail["experiment"]
    for key in ("id", "title", "kind", "state", "model_version", "baseline_experiment_id",
                "metrics", "params", "conclusion", "mlflow_run_id"):
        console.print(f"[bold]{key}[/]: {exp[key]}", highlight=False)
    print_records(detail["versions"], columns=["version_id", "label", "role", "version_state",
                                               "state_now"], title="versions")
    console.print(f"[bold]error samples[/]: {detail['error_samples']}", highlight=False)
    missing = detail["missing_reproducibility"]
    console.print(f"[bold]reproducibility[/]: {'complete' if not missing else 'missing ' + ', '.join(missing)}",
                  highlight=False)
    for issue in detail["issues"]:
        console.print(f"[red]{issue['id']}[/] {issue['severity']} {issue['state']}: {issue['title']}",
                      highlight=False)


@app.command("capture-env")
def capture_env(
    project_root: Annotated[Path | None, typer.Option(help="Where to look for lock files.")] = None,
    json_: Json = False,
) -> None:
    """Describe this machine's reproducibility context (Python, OS, packages, lock, GPUs)."""
    from dataflywheel.envcapture import capture_env as run

    env = run(project_root)
    if json_:
        print_json(env.to_dict())
        return
    runtime = env.runtime_env
    console.print(f"python {runtime['python']} on {runtime['os']}; "
                  f"{len(runtime['packages'])} packages", highlight=False)
    console.print(f"dependency_lock: {env.dependency_lock}", highlight=False)
    gpus = env.hardware_profile["gpus"]
    console.print(f"hardware: {env.hardware_profile['cpu_count']} CPUs, "
                  f"{len(gpus)} GPU(s) {', '.join(g['name'] for g in gpus)}", highlight=False)
    console.print(f"cuda_driver: {env.cuda_driver}", highlight=False)
    console.print("not captured (state them when logging): " + ", ".join(env.not_captured),
                  highlight=False)
    for note in env.notes:
        console.print(f"note: {note}", highlight=False)


@app.command("compare")
def compare(ctx: typer.Context, experiment_id: Annotated[str, typer.Argument(metavar="ID")],
            baseline_id: Annotated[str, typer.Argument(metavar="BASELINE")],
            lower_is_better: Many = None, tolerance: float = 0.0, json_: Json = False) -> None:
    """Metric deltas, versions, and error samples new and fixed, against a baseline."""
    from dataflywheel.flows.experiments.experiment_compare import compare_experiments

    with workspace(ctx) as ws:
        report = compare_experiments(ws, experiment_id, baseline_id, tolerance=tolerance,
                                     lower_is_better=frozenset(lower_is_better or ()))
    if json_:
        print_json(report)
        return
    print_records(report["deltas"], columns=["name", "baseline", "value", "delta", "regressed"],
                  title=f"{experiment_id} vs {baseline_id}")
    samples = report["error_samples"]
    console.print(f"new failures: {len(samples['new_failures'])}; fixed: {len(samples['fixed'])}",
                  highlight=False)


@app.command("import-mlflow")
def import_mlflow(
    ctx: typer.Context,
    tracking_uri: Annotated[str, typer.Option(help="sqlite:///path/mlflow.db, a .db path, or a URI.")],
    experiment: Annotated[str | None, typer.Option(help="MLflow experiment name.")] = None,
    run: Annotated[list[str] | None, typer.Option(help="MLflow run id; repeat.")] = None,
    write_back: Annotated[bool, typer.Option(help="Log our versions as dataset inputs.")] = True,
    json_: Json = False,
) -> None:
    """Import tagged MLflow runs as experiments (all or none), then write our versions back.

    Through the team server, a store that is a SQLite file here is sent to the server (read
    there from a copy, so nothing is written back: `export-mlflow` does that for a store the
    server can open); any other URI is opened by the server itself."""
    from dataflywheel.flows.experiments.experiment_import import ImportResult
    from dataflywheel.flows.experiments.mlflow_sync import import_runs
    from dataflywheel.flows.experiments.runs import LoggedExperiment

    client = server_of(ctx)
    if client is not None:
        answer = _import_remote(client, tracking_uri, experiment, run, write_back)
        result = ImportResult([LoggedExperiment.from_dict(x) for x in answer["imported"]],
                              answer["skipped"])
    else:
        with workspace(ctx) as ws:
            result = import_runs(ws, tracking_uri, experiment=experiment, run_ids=run,
                                 write_back=write_back)
    if json_:
        print_json(result.to_dict())
        return
    for logged in result.imported:
        _show_logged(logged, False)
    for skipped in result.skipped:
        console.print(f"skipped {skipped['run_id']}: {skipped['reason']}", highlight=False)


@app.command("export-mlflow")
def export_mlflow(
    ctx: typer.Context, experiment_id: Annotated[str, typer.Argument(metavar="ID")],
    tracking_uri: Annotated[str | None, typer.Option(help="Store to export to.")] = None,
    mlflow_experiment: Annotated[str, typer.Option(help="MLflow experiment for a new run.")] = "flywheel",
    json_: Json = False,
) -> None:
    """Write an experiment's data versions to its MLflow run (creating the run if needed);
    through the team server, the store is one the server opens."""
    from dataflywheel.flows.experiments.mlflow_sync import export_experiment

    client = server_of(ctx)
    if client is not None:
        run_id = client.call("POST", f"/api/v1/experiments/{experiment_id}/export-mlflow",
                             json={"tracking_uri": tracking_uri,
                                   "mlflow_experiment": mlflow_experiment})["run_id"]
    else:
        with workspace(ctx) as ws:
            run_id = export_experiment(ws, experiment_id, tracking_uri,
                                       mlflow_experiment=mlflow_experiment)
    if json_:
        print_json({"experiment_id": experiment_id, "run_id": run_id})
    else:
        console.print(f"[green]{experiment_id} → MLflow run {run_id}[/]", highlight=False)


def _import_remote(client: Any, tracking_uri: str, experiment: str | None,
                   run: list[str] | None, write_back: bool) -> Any:
    """The server's answer to an import: a local SQLite store is uploaded, anything else is
    named for the server to open."""
    from dataflywheel.integrations.mlflow_store import normalise_uri

    uri = normalise_uri(tracking_uri)
    local = Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None
    if local is None or not local.is_file():
        return client.call("POST", "/api/v1/experiments/import-mlflow", json={
            "tracking_uri": tracking_uri, "experiment": experiment, "run_ids": run,
            "write_back": write_back})
    if write_back:
        err_console.print(f"[yellow]warning:[/] {uri} is sent to the server as a copy; our "
                          "versions are not written back to it (flywheel experiments "
                          "export-mlflow ID --tracking-uri on a store the server can open)",
                          highlight=False, soft_wrap=True)
    params: dict[str, Any] = {"source": uri, "experiment": experiment, "run_ids": run}
    return client.call("POST", "/api/v1/experiments/import-mlflow/upload",
                       content=local.read_bytes(), params={k: v for k, v in params.items() if v},
                       headers={"content-type": "application/octet-stream"})


@hookimpl
def register_commands(cli: typer.Typer) -> None:
    cli.add_typer(app, name="experiments")
