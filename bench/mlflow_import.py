#!/usr/bin/env python3
"""MLflow import throughput (issue 24: bulk ingest of MLflow runs, every run in the audit log),
before and after, side by side in one run, interleaved:

    .venv/bin/python bench/mlflow_import.py [--runs 2000,10000] [--store-runs 1000] [--repeat 3]
        [--backends sqlite,postgres] [--before SRC] [--after SRC] [--pg-url URL]

`--before` names the src/ of the code to compare against (the code before the bulk import), `--after` to this
checkout's src; `--pg-url` to $FLYWHEEL_TEST_POSTGRES_URL (PostgreSQL is skipped without one).
Each measurement is a fresh process on a fresh workspace (a project, its owner, a frozen version).

Two measurements, because MLflow's own reading is not ours to speed up:
- "record": N runs already read, as the fields `run_fields` gives (formal, complete
  reproducibility context, every tenth with three error samples); timed: validating them
  (`parse_create`) and recording them (`import_experiments`), i.e. our whole share;
- "mlflow": a real MLflow SQLite store of `--store-runs` tagged runs (built once, not timed) read
  end to end as `flywheel experiments import-mlflow --no-write-back` does, timing MLflow's read
  (`read_runs`), our translation (`tagged_runs`, `run_fields`, `parse_create`) and our recording
  (`import_experiments`) apart.
After each measurement the child checks that every run became one experiment and that the audit
chain verifies, so a fast but lossy run cannot pass. Prints one line per measurement and medians.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VERSION = "bench-v1"
REPRO: dict[str, Any] = {
    "runtime_env": {"python": "3.11.9", "os": "Linux-6.8", "packages": {"torch": "2.5.1"}},
    "container_image": "registry.example/train@sha256:" + "ab" * 32,
    "dependency_lock": "sha256:" + "cd" * 32 + " uv.lock",
    "hardware_profile": {"gpus": [{"name": "NVIDIA H100 80GB HBM3"}], "gpu_count": 8},
    "cuda_driver": "550.54.15 (CUDA 12.4)", "random_seed": 1234,
    "determinism_flags": {"torch.use_deterministic_algorithms": True}}


def run_dicts(n: int) -> list[dict[str, Any]]:
    """N runs as `run_fields` gives them (what the "record" measurement starts from)."""
    runs = []
    for i in range(n):
        fields: dict[str, Any] = {
            "title": f"eval run {i}", "kind": "formal", "model_version": f"sft-7b@{i % 50}",
            "versions": [{"version_id": VERSION, "role": "eval"}], "project_id": "P-BENCH",
            "owner_id": "owner", "params": {"temperature": "0.0", "shots": str(i % 8)},
            "metrics": {"accuracy": (i % 100) / 100, "eval_loss": 1 - (i % 100) / 100},
            "mlflow_run_id": f"{i:032x}", "mlflow_tracking_uri": "sqlite:///bench.db",
            "started_at": "2026-11-20T09:00:00+00:00", "ended_at": "2026-11-20T10:00:00+00:00",
            **REPRO}
        if i % 10 == 3:
            fields["error_samples"] = [{"record_id": f"q{i}-{k}", "category": "geometry"}
                                       for k in range(3)]
        runs.append(fields)
    return runs


def make_store(path: Path, n: int) -> None:
    """A real MLflow tracking store with `n` tagged runs (not timed)."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    mc = MlflowClient(tracking_uri=f"sqlite:///{path}")
    exp = mc.create_experiment("bench")
    tags = {"flywheel.data_version": f"{VERSION}:eval", "flywheel.kind": "formal",
            "flywheel.model_version": "sft-7b", "flywheel.project": "P-BENCH",
            "flywheel.owner": "owner"}
    tags |= {f"flywheel.{k}": json.dumps(v) if isinstance(v, dict) else str(v)
             for k, v in REPRO.items()}
    for i in range(n):
        run = mc.create_run(exp, run_name=f"run {i}", tags=tags, start_time=1_700_000_000_000 + i)
        mc.log_batch(run.info.run_id, metrics=[Metric("accuracy", (i % 100) / 100, 0, 0)],
                     params=[Param("temperature", "0.0")], tags=[RunTag("i", str(i))])
        mc.set_terminated(run.info.run_id, "FINISHED")


@contextmanager
def workspace(backend: str, pg_url: str | None) -> Iterator[Any]:
    """A fresh workspace: project P-BENCH, its owner, frozen version `VERSION`."""
    from benchws import scratch_workspace

    from dataflywheel.domain.records.data import Dataset, DatasetPurpose, DatasetVersion
    from dataflywheel.domain.states import VersionState
    from dataflywheel.store.repositories.data import Datasets, DatasetVersions

    with scratch_workspace(backend, pg_url, prefix="mlflow-bench",
                           roles=("data_owner", "algorithm_engineer")) as ws:
        with ws.db.unit_of_work() as s:  # as the version flows would write them (cf. tests)
            Datasets(s).add(Dataset(id="bench", name="bench", project_id="P-BENCH",
                                    owner_id="owner", purpose=DatasetPurpose.EVALUATION))
            DatasetVersions(s).add(DatasetVersion(
                id=VERSION, dataset_id="bench", number=1, state=VersionState.FROZEN,
                manifest_sha256="a" * 64, frozen_at=datetime_utc(), created_by_id="owner"))
        yield ws


def datetime_utc() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def timed(times: dict[str, float], name: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = call()
    times[name] = time.perf_counter() - start
    return value


def child(mode: str, arg: str, backend: str, pg_url: str | None) -> None:
    """One measurement, run with PYTHONPATH pointing at the side under test."""
    from sqlalchemy import func, select

    from dataflywheel.flows.experiments.experiment_import import import_experiments
    from dataflywheel.flows.experiments.runs import parse_create
    from dataflywheel.store.audit import verify_chain
    from dataflywheel.store.tables.experiments import ExperimentRow

    times: dict[str, float] = {}
    with workspace(backend, pg_url) as ws:
        if mode == "record":
            fields = run_dicts(int(arg))
        else:
            from dataflywheel.integrations.mlflow import read_runs, run_fields, tagged_runs
            from dataflywheel.integrations.mlflow_store import normalise_uri, reading_client

            uri = normalise_uri(f"sqlite:///{arg}")

            def read() -> Any:
                with reading_client(uri) as mc:
                    return read_runs(mc, uri)
            runs = timed(times, "mlflow_read", read)
            fields = timed(times, "translate", lambda: [
                run_fields(r, uri) for r in tagged_runs(runs, uri, named=False)[0]])
        specs = timed(times, "parse", lambda: [parse_create(f) for f in fields])
        result = timed(times, "record", lambda: import_experiments(ws, specs))
        with ws.db.session() as s:
            stored = s.scalar(select(func.count()).select_from(ExperimentRow))
            problems = verify_chain(s)
        assert stored == len(specs) == len(result.imported), (stored, len(specs))
        assert not problems, problems[:3]
    print(json.dumps({"runs": len(specs), **times}))


def measure(src: Path, mode: str, arg: str, backend: str, pg_url: str | None) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--child", mode, arg, backend, pg_url or ""],
                         env=env, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", default="2000,10000", help="N for the record measurement")
    parser.add_argument("--store-runs", type=int, default=1000, help="0: no MLflow measurement")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--after", type=Path, default=HERE.parent / "src")
    parser.add_argument("--pg-url", default=os.environ.get("FLYWHEEL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b != "postgres" or args.pg_url]
    sides = {"before": args.before, "after": args.after}
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("record", n) for n in args.runs.split(",") if n]
        if args.store_runs:
            store = Path(tmp) / "mlflow.db"
            start = time.perf_counter()
            make_store(store, args.store_runs)
            print(f"MLflow store of {args.store_runs} runs built in "
                  f"{time.perf_counter() - start:.1f}s (not timed below)", flush=True)
            cases.append(("mlflow", str(store)))
        got: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for run in range(args.repeat):
            for mode, arg in cases:
                for backend in backends:
                    for side, src in sides.items():  # interleaved: both sides share the load
                        result = measure(src, mode, arg, backend, args.pg_url)
                        label = mode if mode == "mlflow" else f"record {arg}"
                        got.setdefault((label, backend, side), []).append(result)
                        print(f"run {run + 1} {label:12} {backend:8} {side:6} "
                              + " ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                         for k, v in result.items()), flush=True)
    print(f"\n{args.repeat} run(s), load average {os.getloadavg()[0]:.2f} (medians)")
    for (label, backend, side), results in sorted(got.items()):
        median = {k: statistics.median(r[k] for r in results) for k in results[0] if k != "runs"}
        n = results[0]["runs"]
        ours = median["parse"] + median["record"] + median.get("translate", 0.0)
        line = (f"{label:12} {backend:8} {side:6} record {n / median['record']:9,.0f} runs/s  "
                f"ours (parse+record{'+translate' if 'translate' in median else ''}) "
                f"{n / ours:9,.0f} runs/s")
        if "mlflow_read" in median:
            line += f"  MLflow read {median['mlflow_read']:.2f}s ({n / median['mlflow_read']:,.0f} runs/s)"
        print(line)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] or None)
    else:
        main()
