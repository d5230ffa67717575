"""Import evaluation results and rated predictions as feedback events (integrations.evalresults).

Guarantees: the file is streamed; each line the reader cannot read is kept as a rejection with its
bytes; each event it makes is ingested like any other (see flows.feedback); the summary counts
items checked, items flagged and the labels seen, so nothing disappears between file and store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.feedback.ingest import IngestReport, ingest_converted
from dataflywheel.flows.workspace import Workspace
from dataflywheel.integrations import evalresults as er


@dataclass
class ImportSummary:
    """What the importer saw (items, flagged, labels) and what ingestion did with it."""

    stats: er.ImportStats
    ingest: IngestReport

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.stats.lines, "items_checked": self.stats.items_checked,
                "flagged": self.stats.flagged, "labels": dict(sorted(self.stats.by_label.items())),
                **self.ingest.to_dict()}


def _source(path: str | Path) -> Path:
    source = Path(path)
    if not source.is_file():
        raise NotFound("results file not found", path=str(source), hint="check the path and retry")
    return source


def import_eval_results(ws: Workspace, path: str | Path, *, project_id: str | None,
                        experiment_id: str | None = None, occurred_at: datetime | None = None,
                        now: datetime | None = None, origin: str | None = None) -> ImportSummary:
    """GSM8K-shaped per-item results: one `model_gap` event per wrong answer of each model.
    `origin` names where the lines came from (default: the path; an upload names its sender)."""
    source = _source(path)
    stats = er.ImportStats()
    with source.open("rb") as fileobj:
        items = er.read_gsm8k(fileobj, stem=source.name, project_id=project_id,
                              occurred_at=occurred_at or er.file_time(source),
                              experiment_id=experiment_id, stats=stats)
        report = ingest_converted(ws, items, origin=origin or str(source), now=now)
    return ImportSummary(stats, report)


def import_predictions(ws: Workspace, path: str | Path, *, project_id: str | None,
                       model: str | None = None, flag_below: str = "B",
                       occurred_at: datetime | None = None,
                       now: datetime | None = None, origin: str | None = None) -> ImportSummary:
    """Self-instruct-shaped predictions: an event per prediction rated worse than `flag_below`
    (`origin` as for `import_eval_results`)."""
    source = _source(path)
    flag = flag_below.strip().upper()
    if flag not in er.RATINGS:
        raise BadInput("unknown rating", field="flag_below", expected="one of A, B, C, D",
                       got=flag_below)
    stats = er.ImportStats()
    with source.open("rb") as fileobj:
        items = er.read_predictions(fileobj, stem=source.name,
                                    model=model or er.model_of_predictions(source),
                                    project_id=project_id,
                                    occurred_at=occurred_at or er.file_time(source),
                                    flag_below=flag, stats=stats)
        report = ingest_converted(ws, items, origin=origin or str(source), now=now)
    return ImportSummary(stats, report)
