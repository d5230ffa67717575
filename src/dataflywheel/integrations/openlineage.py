"""OpenLineage run events for deliver, check and freeze, built with the `openlineage-python` models.

Each call emits one run as two events, START then COMPLETE (a failed check is a completed run
whose data-quality assertions say `success: false`), sharing one UUIDv7 run id. The default
transport appends one JSON line per event to `<workspace>/.flywheel/lineage/events.jsonl`
(one `write` of whole lines, flushed and fsynced); pass any `openlineage.client` transport
(HTTP, Kafka, …) as `transport=` to send them elsewhere. A write that fails raises
`WorkspaceError`; nothing is dropped silently.

Names: jobs live in namespace `dataflywheel` (`deliver`, `check`, `freeze`); datasets in namespace
`dataflywheel` are `file/<sha256>` (a stored file), `batch/<id>` and `dataset/<id>@<number>`.

Signatures (keyword-only after `settings`; `at` defaults to now):

- `emit_delivery(settings, *, batch, files, at=None, transport=None) -> list[dict]`
- `emit_check(settings, *, batch, report_sha256=None, metrics=None, at=None, transport=None)`
- `emit_freeze(settings, *, version, batch_ids, at=None, transport=None)`

Each returns the events as JSON-ready dicts.
"""

from __future__ import annotations

import json
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
          outputs: list[OutputDataset], transport: Transport | None) -> list[dict[str, Any]]:
    at = at or utcnow()
    run = Run(runId=str(generate_new_uuid(at)))
    events = [RunEvent(eventType=state, eventTime=at.isoformat(), run=run, job=_job(job),
                       producer=PRODUCER, inputs=inputs if state is RunState.COMPLETE else [],
                       outputs=outputs if state is RunState.COMPLETE else [])
              for state in (RunState.START, RunState.COMPLETE)]
    if transport is None:
        FileTransport(events_path(settings)).emit_many(events)
    else:
        for event in events:
            transport.emit(event)
    return [Serde.to_dict(e) for e in events]


def _file(f: BatchFile) -> InputDataset:
    return InputDataset(namespace=NAMESPACE, name=f"file/{f.sha256}")


def _batch_name(batch_id: str) -> str:
    return f"batch/{batch_id}"


def emit_delivery(settings: Settings, *, batch: Batch, files: Sequence[BatchFile],
                  at: datetime | None = None,
                  transport: Transport | None = None) -> list[dict[str, Any]]:
    """A delivery run: the stored files in, the batch out."""
    return _emit(settings, "deliver", at=at or batch.received_at,
                 inputs=[_file(f) for f in files],
                 outputs=[OutputDataset(namespace=NAMESPACE, name=_batch_name(batch.id))],
                 transport=transport)


def emit_check(settings: Settings, *, batch: Batch, report_sha256: str | None = None,
               metrics: Mapping[str, float | int | bool] | None = None,
               at: datetime | None = None,
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
    return _emit(settings, "check", at=at or batch.checked_at, inputs=inputs, outputs=outputs,
                 transport=transport)


def emit_freeze(settings: Settings, *, version: DatasetVersion, batch_ids: Sequence[str],
                at: datetime | None = None,
                transport: Transport | None = None) -> list[dict[str, Any]]:
    """A freeze run: the batches in, the frozen version out, its manifest digest as version."""
    facet = dataset_version_dataset.DatasetVersionDatasetFacet(
        datasetVersion=version.manifest_sha256 or version.id)
    output = OutputDataset(namespace=NAMESPACE, name=f"dataset/{version.label}",
                           facets={"version": facet})
    inputs = [InputDataset(namespace=NAMESPACE, name=_batch_name(b)) for b in batch_ids]
    return _emit(settings, "freeze", at=at or version.frozen_at, inputs=inputs,
                 outputs=[output], transport=transport)
