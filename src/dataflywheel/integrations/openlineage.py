"""OpenLineage run events, built with the `openlineage-python` models, for every run the product
makes: deliver, check, freeze, experiment, export, rollback and report.

Each call emits one run as START then its end (COMPLETE; FAIL for a failed experiment; none yet
for an experiment still running), sharing one UUIDv7 run id; START carries the time the run began
and the end the time it finished (a failed check is a completed run whose data-quality assertions
say `success: false`). Events are emitted after the commits they describe.

Where they go: the workspace's own file, always — one JSON line per event in
`<workspace>/.flywheel/lineage/events.jsonl` (one `write` of whole lines, flushed and fsynced; a
failed write raises `WorkspaceError`, nothing is dropped silently) — and, when the standard
OpenLineage configuration names a backend (`OPENLINEAGE_URL`, `openlineage.yml`,
`OPENLINEAGE_CONFIG`, `OPENLINEAGE__…` variables), that backend through `OpenLineageClient`
(Marquez or any OpenLineage HTTP endpoint, Kafka, …). A backend that is down is a warning naming
it: the records are committed and the events are in the file. Tests pass `transport=` to catch
events instead.

Names: jobs live in namespace `dataflywheel` (`deliver`, `check`, `freeze`, `experiment`,
`export`, `rollback`, `report`); datasets in namespace `dataflywheel` are `file/<sha256>` (a
stored file), `batch/<id>`, `dataset/<label>` (a version), `experiment/<id>`,
`export/<format>/<label>`, `report/<name>/<period>` and `report/<sha256>` (a quality report).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    data_quality_assertions_dataset,
    data_quality_metrics_input_dataset,
    dataset_version_dataset,
    job_type_job,
)
from openlineage.client.serde import Serde
from openlineage.client.uuid import generate_new_uuid

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import Batch, BatchFile, DatasetVersion
from dataflywheel.domain.records.experiment import Experiment
from dataflywheel.errors import WorkspaceError
from dataflywheel.settings import Settings

NAMESPACE = "dataflywheel"
PRODUCER = "https://github.com/dataflywheel/dataflywheel"
EVENTS_FILE = Path("lineage") / "events.jsonl"


class Transport(Protocol):
    def emit(self, event: RunEvent) -> Any: ...


def events_path(settings: Settings) -> Path:
    return settings.workspace / EVENTS_FILE


class FileTransport:
    """Appends one JSON line per event to a file, durably."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def emit(self, event: RunEvent) -> None:
        self.emit_many([event])

    def emit_many(self, events: Sequence[RunEvent]) -> None:
        data = "".join(Serde.to_json(e) + "\n" for e in events).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot append OpenLineage events: {exc.strerror}", path=str(self.path),
                expected="a writable workspace", kept="the records were committed; "
                "the lineage events were not written", hint="fix the permissions") from None


def read_events(settings: Settings) -> list[dict[str, Any]]:
    """The events of the workspace's file transport, oldest first (none if never written)."""
    path = events_path(settings)
    if not path.exists():
        return []
    out: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise WorkspaceError(f"unreadable OpenLineage event: {exc.msg}", path=str(path),
                                 line=number, kept="the file is unchanged") from None
    return out


def _job(name: str) -> Job:
    facet = job_type_job.JobTypeJobFacet(processingType="BATCH", integration="DATAFLYWHEEL",
                                         jobType=name.upper())
    return Job(namespace=NAMESPACE, name=name, facets={"jobType": facet})


def _emit(settings: Settings, job: str, *, at: datetime | None, inputs: list[InputDataset],
          outputs: list[OutputDataset], transport: Transport | None,
          started_at: datetime | None = None,
          end: RunState | None = RunState.COMPLETE) -> list[dict[str, Any]]:
    """One run: START at `started_at` (default `at`), then `end` (COMPLETE, FAIL; None for a
    run still going) at `at`, the datasets on the last event. Written to the workspace's file
    (or `transport`), then sent to the backend the OpenLineage configuration names, if any."""
    at = at or utcnow()
    begun = started_at or at
    run = Run(runId=str(generate_new_uuid(begun)))
    states = [RunState.START] if end is None else [RunState.START, end]
    events = [RunEvent(eventType=state, eventTime=(begun if state is RunState.START
                                                   else at).isoformat(),
                       run=run, job=_job(job), producer=PRODUCER,
                       inputs=inputs if state is states[-1] else [],
                       outputs=outputs if state is states[-1] else [])
              for state in states]
    if transport is None:
        FileTransport(events_path(settings)).emit_many(events)
        send_configured(events, kept=events_path(settings))
    else:
        for event in events:
            transport.emit(event)
    return [Serde.to_dict(e) for e in events]


CONFIG_FILE = "openlineage.yml"


def configured() -> bool:
    """Whether the standard OpenLineage configuration names a backend: `OPENLINEAGE_URL`,
    `OPENLINEAGE_CONFIG`, an `OPENLINEAGE__…` variable, or an `openlineage.yml` in the working
    folder or `~/.openlineage/` (the places `OpenLineageClient` reads), and not
    `OPENLINEAGE_DISABLED=true`. Checked first so that, with none, no client is built (it would
    print every event to the console)."""
    env = os.environ
    if env.get("OPENLINEAGE_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OPENLINEAGE_URL") or env.get("OPENLINEAGE_CONFIG") or any(
            key.startswith("OPENLINEAGE__") for key in env):
        return True
    return any(p.is_file() for p in (Path.cwd() / CONFIG_FILE,
                                     Path.home() / ".openlineage" / CONFIG_FILE))


def send_configured(events: Sequence[RunEvent], *, kept: Path) -> bool:
    """Send `events` through the configured `OpenLineageClient` (HTTP to Marquez or any
    OpenLineage backend, Kafka, …). The records they describe are committed and the events are
    kept in the workspace's file, so a backend that is down does not fail the command: a warning
    names it and the file. Returns whether every event was sent."""
    if not configured():
        return True
    from openlineage.client import OpenLineageClient

    try:
        client = OpenLineageClient()
        for event in events:
            client.emit(event)
    except Exception as exc:  # noqa: BLE001 - any transport's failure is reported the same way
        logging.getLogger("dataflywheel.lineage").warning(
            "OpenLineage: %d event(s) not sent to the configured backend (%s: %s); they are kept "
            "in %s", len(events), type(exc).__name__, exc, kept)
        return False
    return True


def _file(f: BatchFile) -> InputDataset:
    return InputDataset(namespace=NAMESPACE, name=f"file/{f.sha256}")


def _batch_name(batch_id: str) -> str:
    return f"batch/{batch_id}"


def emit_delivery(settings: Settings, *, batch: Batch, files: Sequence[BatchFile],
                  at: datetime | None = None, started_at: datetime | None = None,
                  transport: Transport | None = None) -> list[dict[str, Any]]:
    """A delivery run: the stored files in, the batch out."""
    return _emit(settings, "deliver", at=at or batch.received_at, started_at=started_at,
                 inputs=[_file(f) for f in files],
                 outputs=[OutputDataset(namespace=NAMESPACE, name=_batch_name(batch.id))],
                 transport=transport)


def emit_check(settings: Settings, *, batch: Batch, report_sha256: str | None = None,
               metrics: Mapping[str, float | int | bool] | None = None,
               at: datetime | None = None, started_at: datetime | None = None,
               transport: Transport | None = None) -> list[dict[str, Any]]:
    """A check run over a batch: row counts and the pass/fail assertion as input facets, the
    quality report (if stored) as output."""
    passed = batch.state.value == "passed"
    assertions = [data_quality_assertions_dataset.Assertion(
        assertion="contract_check_plan", success=passed, expected="passed",
        actual=batch.state.value, description=batch.failure_reason)]
    for name, value in sorted((metrics or {}).items()):
        if isinstance(value, bool):
            assertions.append(data_quality_assertions_dataset.Assertion(
                assertion=name, success=value))
    facets: dict[str, Any] = {
        "dataQualityAssertions": data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
            assertions=assertions),
        "dataQualityMetrics": data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet(
            columnMetrics={}, rowCount=batch.row_count),
    }
    inputs = [InputDataset(namespace=NAMESPACE, name=_batch_name(batch.id), inputFacets=facets)]
    outputs = ([OutputDataset(namespace=NAMESPACE, name=f"report/{report_sha256}")]
               if report_sha256 else [])
    return _emit(settings, "check", at=at or batch.checked_at, started_at=started_at,
                 inputs=inputs, outputs=outputs, transport=transport)


def emit_freeze(settings: Settings, *, version: DatasetVersion, batch_ids: Sequence[str],
                at: datetime | None = None, started_at: datetime | None = None,
                transport: Transport | None = None) -> list[dict[str, Any]]:
    """A freeze run: the batches in, the frozen version out, its manifest digest as version."""
    facet = dataset_version_dataset.DatasetVersionDatasetFacet(
        datasetVersion=version.manifest_sha256 or version.id)
    output = OutputDataset(namespace=NAMESPACE, name=f"dataset/{version.label}",
                           facets={"version": facet})
    inputs = [InputDataset(namespace=NAMESPACE, name=_batch_name(b)) for b in batch_ids]
    return _emit(settings, "freeze", at=at or version.frozen_at, started_at=started_at,
                 inputs=inputs, outputs=[output], transport=transport)


def _version(label: str) -> InputDataset:
    return InputDataset(namespace=NAMESPACE, name=f"dataset/{label}")


def emit_experiment(settings: Settings, *, experiment: Experiment, version_labels: Sequence[str],
                    at: datetime | None = None,
                    transport: Transport | None = None) -> list[dict[str, Any]]:
    """An experiment run: the dataset versions it used in, the experiment out. START at its
    `started_at`; COMPLETE (or FAIL) at its `ended_at` once it has ended, nothing more while it
    runs."""
    end = {"completed": RunState.COMPLETE, "failed": RunState.FAIL}.get(experiment.state.value)
    return _emit(settings, "experiment", at=experiment.ended_at or at or experiment.started_at,
                 started_at=experiment.started_at, end=end,
                 inputs=[_version(label) for label in version_labels],
                 outputs=[OutputDataset(namespace=NAMESPACE,
                                        name=f"experiment/{experiment.id}")],
                 transport=transport)


def emit_export(settings: Settings, *, version_label: str, fmt: str, manifest_sha256: str,
                started_at: datetime, at: datetime | None = None,
                transport: Transport | None = None) -> list[dict[str, Any]]:
    """An export run: the frozen version in, its files in `fmt` out (named by format and label,
    versioned by the manifest digest they were written from)."""
    facet = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=manifest_sha256)
    output = OutputDataset(namespace=NAMESPACE, name=f"export/{fmt}/{version_label}",
                           facets={"version": facet})
    return _emit(settings, "export", at=at, started_at=started_at,
                 inputs=[_version(version_label)], outputs=[output], transport=transport)


def emit_rollback(settings: Settings, *, withdrawn: str, current: str | None,
                  started_at: datetime, at: datetime | None = None,
                  transport: Transport | None = None) -> list[dict[str, Any]]:
    """A rollback run: the withdrawn version in, the version now current out (none when the
    dataset has no earlier frozen version)."""
    outputs = ([OutputDataset(namespace=NAMESPACE, name=f"dataset/{current}")] if current
               else [])
    return _emit(settings, "rollback", at=at, started_at=started_at,
                 inputs=[_version(withdrawn)], outputs=outputs, transport=transport)


def emit_report(settings: Settings, *, name: str, period: str, sha256: str,
                started_at: datetime, at: datetime | None = None,
                transport: Transport | None = None) -> list[dict[str, Any]]:
    """A report sent: the stored report out (its blob digest as version)."""
    facet = dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=sha256)
    output = OutputDataset(namespace=NAMESPACE, name=f"report/{name}/{period}",
                           facets={"version": facet})
    return _emit(settings, "report", at=at, started_at=started_at, inputs=[],
                 outputs=[output], transport=transport)
