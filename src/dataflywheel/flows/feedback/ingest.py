"""Feedback ingestion: validate events from JSONL files or the Python API and keep every one.

Guarantees: each input item ends as exactly one of — a stored event (`received`), a stored event in
the triage queue (its project or stage is unknown; the reported id and the reason are kept), a
duplicate of an event already stored with the same content (counted, not stored twice), or a
`FeedbackRejection` whose raw bytes are in the blob store. Nothing is dropped. JSONL is read line by
line in binary (never the whole file); a line over `MAX_LINE_BYTES` is streamed to the blob store
and rejected without being parsed, so a 50 MB line costs no more memory than a chunk.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dataflywheel.checks.readers.jsonl import BOM, bom_warning, decode_line
from dataflywheel.checks.readers.source import file_size, open_raw
from dataflywheel.domain.records.base import Record, utcnow
from dataflywheel.domain.records.feedback import (
    EXCERPT_CHARS,
    MAX_PAYLOAD_BYTES,
    FeedbackEvent,
    FeedbackRejection,
)
from dataflywheel.domain.states import FeedbackState
from dataflywheel.errors import BadInput, FlywheelError
from dataflywheel.flows._audit import add_audited_many
from dataflywheel.flows.feedback.ingest_resume import FileCheckpoint
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.base import Repository, existing_keys
from dataflywheel.store.repositories.feedback import FeedbackEvents, FeedbackRejections
from dataflywheel.store.tables.data import DatasetVersionRow
from dataflywheel.store.tables.experiments import ExperimentRow
from dataflywheel.store.tables.plans import StageRow
from dataflywheel.store.tables.projects import ProjectRow

REQUIRED = ("id", "occurred_at", "source", "failure_type", "impact_scope", "payload")
INPUT_FIELDS = frozenset({*REQUIRED, "project_id", "stage_id", "model_version", "version_id",
                          "experiment_id", "recommended_action"})
ALIASES = {"time": "occurred_at", "project": "project_id", "stage": "stage_id"}
MAX_LINE_BYTES = MAX_PAYLOAD_BYTES + 65_536
# One transaction per batch: up to CHUNK_LINES items or CHUNK_BYTES of raw lines, whichever
# comes first (larger batches amortise the commit and the audit lock; the byte bound keeps a file
# of big payloads from holding thousands of them at once).
CHUNK_LINES = 2000
CHUNK_BYTES = 16 << 20
Problem = tuple[str, str | None]  # why an item is rejected, and the field at fault


@dataclass
class IngestReport:
    """What became of each input item; `rejected` are stored `FeedbackRejection` ids."""

    origin: str
    received: list[str] = field(default_factory=list)
    triaged: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[FeedbackRejection] = field(default_factory=list)
    blank_lines: int = 0
    warnings: list[str] = field(default_factory=list)
    resumed_after: int | None = None  # an earlier run of the same file committed lines 1..N

    @property
    def total(self) -> int:
        return len(self.received) + len(self.triaged) + len(self.duplicates) + len(self.rejected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin, "total": self.total, "received": len(self.received),
            "triaged": len(self.triaged), "duplicates": len(self.duplicates),
            "rejected": len(self.rejected), "blank_lines": self.blank_lines,
            "warnings": list(self.warnings),
            "rejections": [{"id": r.id, "line": r.line, "reason": r.reason, "field": r.field}
                           for r in self.rejected],
        } | ({} if self.resumed_after is None else {"resumed_after_line": self.resumed_after})


@dataclass(frozen=True)
class RawItem:
    """One input item: its line (files), raw bytes kept for a rejection, the parsed object."""

    line: int | None
    raw: bytes | None
    obj: Any = None
    problem: str | None = None
    problem_field: str | None = None
    spooled: IO[bytes] | None = None


def ingest_events(ws: Workspace, events: Iterable[Any], *, origin: str = "api",
                  now: datetime | None = None) -> IngestReport:
    """Ingest Python objects (dicts shaped like the event schema); see the module guarantees."""
    items = (RawItem(line=i, raw=None, obj=obj) for i, obj in enumerate(events, start=1))
    return _ingest(ws, items, origin=origin, now=now or utcnow())


def ingest_jsonl(ws: Workspace, path: str | Path, *, now: datetime | None = None,
                 origin: str | None = None) -> IngestReport:
    """Ingest a JSONL file line by line; every line is an event, a duplicate or a rejection.

    The file is judged as `flywheel check` judges it (`checks.readers`): a missing file, a
    directory or an empty file is refused whole, a leading BOM is dropped with a warning, and each
    line goes through the same decoder (duplicate keys, deep nesting, huge numbers rejected).

    Batches commit one by one, each with a checkpoint of the file's sha256 and its last line
    (flows.feedback.ingest_resume): after a crash, a rerun of the same file continues after the
    last committed line and says so (`resumed_after`); an error part-way names the committed
    lines and the line the rerun will start from.
    """
    source = str(path)
    if file_size(source) == 0:
        raise BadInput("input file is empty", path=source, expected="at least one record")
    report = IngestReport(origin=origin or source)
    mark = FileCheckpoint.load(ws, source, report.origin)
    if mark.after:
        report.resumed_after = mark.after
    stamp = now or utcnow()
    try:
        with open_raw(source) as fileobj:
            _ingest(ws, _after_line(read_lines(fileobj, report), mark.after), origin=report.origin,
                    now=stamp, report=report,
                    checkpoint=lambda s, line: mark.save(s, line, stamp))
    except FlywheelError as exc:
        mark.explain(exc)
        raise
    mark.clear(ws)
    if report.total == 0 and not mark.after:
        raise BadInput("input has no records", path=source, expected="at least one JSON record",
                       got=f"{report.blank_lines} blank line(s)")
    return report


def _after_line(items: Iterator[RawItem], after: int) -> Iterator[RawItem]:
    """The items past line `after` (what an earlier, interrupted run did not commit)."""
    for item in items:
        if item.line is not None and item.line <= after:
            if item.spooled is not None:
                item.spooled.close()
            continue
        yield item


def ingest_items(ws: Workspace, items: Iterable[RawItem], *, origin: str,
                 now: datetime | None = None) -> IngestReport:
    """Ingest items another reader made (see flows.feedback_body); see the module guarantees."""
    return _ingest(ws, items, origin=origin, now=now or utcnow())


def ingest_converted(ws: Workspace, items: Iterable[Any], *, origin: str,
                     now: datetime | None = None) -> IngestReport:
    """Ingest what an importer (integrations.evalresults) made of each line of a file.

    A line the importer could not read becomes a rejection with its bytes; each event it produced
    is ingested like any other (validated, deduplicated, rejected with its reason if invalid).
    """
    def raw_items() -> Iterator[RawItem]:
        for item in items:
            if item.problem is not None:
                yield RawItem(item.line, item.raw, problem=item.problem,
                              problem_field=item.field, spooled=item.spooled)
                continue
            for event in item.events:
                yield RawItem(item.line, None, obj=event)

    return _ingest(ws, raw_items(), origin=origin, now=now or utcnow())


def read_lines(fileobj: IO[bytes], report: IngestReport) -> Iterator[RawItem]:
    """Yield one `RawItem` per non-blank line; over-long lines are spooled, never held whole."""
    number = 0
    while True:
        chunk = fileobj.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            yield _spool_long_line(fileobj, chunk, number)
            continue
        if number == 1 and chunk.startswith(BOM):
            chunk = chunk[len(BOM):]
            report.warnings.append(bom_warning(report.origin))
        if not chunk.strip():
            report.blank_lines += 1
            continue
        yield parse_item(chunk, number)


def _spool_long_line(fileobj: IO[bytes], first: bytes, number: int) -> RawItem:
    spool = tempfile.SpooledTemporaryFile(max_size=MAX_LINE_BYTES)  # noqa: SIM115 - closed by caller
    spool.write(first)
    size = len(first)
    while not first.endswith(b"\n"):
        first = fileobj.readline(1 << 20)
        if not first:
            break
        spool.write(first)
        size += len(first)
    spool.seek(0)
    reason = (f"line is {size} bytes; the limit is {MAX_LINE_BYTES} "
              f"(an event's payload may be at most {MAX_PAYLOAD_BYTES} bytes)")
    return RawItem(line=number, raw=None, problem=reason, problem_field="payload", spooled=spool)


def parse_item(raw: bytes, number: int) -> RawItem:
    """One line or list element, decoded as `flywheel check` decodes a JSONL line (never raises)."""
    value, reason = decode_line(raw)
    if reason is not None:
        return RawItem(number, raw, problem=reason)
    return RawItem(number, raw, obj=value)


def _ingest(ws: Workspace, items: Iterable[RawItem], *, origin: str, now: datetime,
            report: IngestReport | None = None,
            checkpoint: Callable[[Session, int], None] | None = None) -> IngestReport:
    """Admit `items` in batches of `CHUNK_LINES`, one transaction each; `checkpoint(session,
    line)` runs inside each batch's transaction with the batch's last line."""
    report = report or IngestReport(origin=origin)
    batch: list[RawItem] = []
    held = 0
    for item in items:
        batch.append(item)
        held += len(item.raw or b"")
        if len(batch) >= CHUNK_LINES or held >= CHUNK_BYTES:
            _ingest_batch(ws, batch, report, now, checkpoint)
            batch, held = [], 0
    if batch:
        _ingest_batch(ws, batch, report, now, checkpoint)
    return report


def _ingest_batch(ws: Workspace, batch: list[RawItem], report: IngestReport, now: datetime,
                  checkpoint: Callable[[Session, int], None] | None) -> None:
    with ws.db.unit_of_work() as s:
        try:
            _admit_batch(ws, s, batch, report, now)
            if checkpoint is not None and batch[-1].line is not None:
                checkpoint(s, batch[-1].line)
        finally:
            for item in batch:
                if item.spooled is not None:
                    item.spooled.close()


def _admit_batch(ws: Workspace, s: Session, batch: list[RawItem], report: IngestReport,
                 now: datetime) -> None:
    """Judge every item of the batch as it was judged one by one before (same outcomes, same
    reasons, same order), then write what is new with one INSERT per table and one chained audit
    append, entries in item order.

    Why in bulk: the links, the already-stored ids and the already-kept rejections are one query
    each for the whole batch instead of several per event (see docs/feedback.md, bulk ingest).
    """
    judged = [_judge(item, report.origin, now) for item in batch]
    events_repo, rejections_repo = FeedbackEvents(s), FeedbackRejections(s)
    valid = [event for event, _ in judged if event is not None]
    known = _known_links(s, valid)
    stored = events_repo.find_many([event.id for event in valid])
    adds: list[tuple[Repository[Any, Any], Record, str | None]] = []
    for item, (event, problem) in zip(batch, judged, strict=True):
        if event is not None:
            event, problem = _resolve_links(event, known)
        if event is not None and problem is None and (existing := stored.get(event.id)) is not None:
            if _same(existing, event):
                report.duplicates.append(event.id)
                continue
            problem = (f"event id {event.id} already exists with other content", "id")
        if problem is not None:
            rejection = _rejection(ws, item, report.origin, problem, now)
            report.rejected.append(rejection)
            adds.append((rejections_repo, rejection, problem[0]))
        elif event is not None:
            stored[event.id] = event
            adds.append((events_repo, event, f"ingested from {report.origin}"))
            queue = report.triaged if event.state is FeedbackState.TRIAGE else report.received
            queue.append(event.id)
    kept = rejections_repo.existing_keys([r.id for _, r, _ in adds
                                          if isinstance(r, FeedbackRejection)])
    add_audited_many(s, [add for add in adds if _first_time(add, kept)], actor=ws.actor)


def _first_time(add: tuple[Repository[Any, Any], Record, str | None], kept: set[Any]) -> bool:
    """False for a rejection already kept (same origin, line and bytes); marks it kept otherwise.
    Events never repeat here: a second one with a stored id is a duplicate or a rejection."""
    _, record, _ = add
    if not isinstance(record, FeedbackRejection):
        return True
    if record.id in kept:
        return False
    kept.add(record.id)
    return True


def _judge(item: RawItem, origin: str, now: datetime) -> tuple[FeedbackEvent | None, Problem | None]:
    """The item's event, or why it is rejected (reason, field)."""
    if item.problem is not None:
        return None, (item.problem, item.problem_field)
    event, reason, bad_field = to_event(item.obj, origin=_origin(origin, item.line), now=now)
    if event is None:
        return None, (reason or "not an event", bad_field)
    return event, None


def to_event(obj: Any, *, origin: str, now: datetime) -> tuple[FeedbackEvent | None, str | None, str | None]:
    """Validate one object against the event schema: (event, None, None) or (None, reason, field)."""
    if not isinstance(obj, dict):
        return None, f"expected a JSON object, got {type(obj).__name__}", None
    data: dict[str, Any] = {ALIASES.get(str(k), str(k)): v for k, v in obj.items()}
    unknown = sorted(set(data) - INPUT_FIELDS)
    if unknown:
        return None, ("unknown field(s): " + ", ".join(unknown) + "; expected only "
                      + ", ".join(sorted(INPUT_FIELDS))), unknown[0]
    missing = [f for f in REQUIRED if data.get(f) in (None, "")]
    if missing:
        return None, "missing required field(s): " + ", ".join(missing), missing[0]
    try:
        event = FeedbackEvent.model_validate({**data, "received_at": now, "origin": origin})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or None
        return None, f"invalid {where or 'event'}: {first.get('msg')}", where
    return event, None, None


LINKS = {"version_id": DatasetVersionRow, "experiment_id": ExperimentRow, "project_id": ProjectRow,
         "stage_id": StageRow}


def _known_links(s: Session, events: list[FeedbackEvent]) -> dict[str, set[Any]]:
    """For each link field, which of the ids the batch's events name are stored (one query each)."""
    return {name: existing_keys(s, row_type, [value for e in events
                                              if (value := getattr(e, name)) is not None])
            for name, row_type in LINKS.items()}


def _resolve_links(event: FeedbackEvent, known: dict[str, set[Any]]
                   ) -> tuple[FeedbackEvent, Problem | None]:
    """Unknown project or stage → triage (kept, with why); unknown version or experiment → reject."""
    for name in ("version_id", "experiment_id"):
        value = getattr(event, name)
        if value is not None and value not in known[name]:
            return event, (f"linked {name.removesuffix('_id')} {value} does not exist", name)
    reasons: list[str] = []
    update: dict[str, Any] = {}
    if event.project_id is not None and event.project_id not in known["project_id"]:
        reasons.append(f"unknown project {event.project_id!r}")
        update.update(project_id=None, reported_project_id=event.project_id, stage_id=None)
    if event.stage_id is not None and not update and event.stage_id not in known["stage_id"]:
        reasons.append(f"unknown stage {event.stage_id!r}")
        update["stage_id"] = None
    if not reasons:
        return event, None
    update.update(state=FeedbackState.TRIAGE, triage_reason="; ".join(reasons))
    return event.model_copy(update=update), None


def _same(a: FeedbackEvent, b: FeedbackEvent) -> bool:
    skip = {"received_at", "origin", "state", "route_rule", "theme_id", "triage_reason",
            "project_id", "stage_id", "reported_project_id"}
    return a.model_dump(mode="json", exclude=skip) == b.model_dump(mode="json", exclude=skip)


def _rejection(ws: Workspace, item: RawItem, origin: str, problem: Problem,
               now: datetime) -> FeedbackRejection:
    """The rejection of `item`, its raw bytes put in the blob store (the id is stable: a rerun
    of the same line with the same bytes gives the same id)."""
    reason, bad_field = problem
    if item.spooled is not None:
        ref = ws.blobs.put_stream(item.spooled)
        item.spooled.seek(0)
        excerpt = item.spooled.read(EXCERPT_CHARS).decode("utf-8", "replace")
    else:
        raw = item.raw if item.raw is not None else _raw_of(item.obj)
        ref = ws.blobs.put_stream(io.BytesIO(raw))
        excerpt = raw[:EXCERPT_CHARS * 4].decode("utf-8", "replace")
    key = f"{origin}\0{item.line}\0{ref.sha256}".encode()
    return FeedbackRejection(
        id="FR-" + hashlib.sha256(key).hexdigest()[:20], origin=origin, line=item.line,
        raw_sha256=ref.sha256, raw_size=ref.size, excerpt=excerpt[:EXCERPT_CHARS], reason=reason,
        field=bad_field, received_at=now)


def _raw_of(obj: Any) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return repr(obj).encode("utf-8", "replace")


def _origin(origin: str, line: int | None) -> str:
    return origin if line is None else f"{origin}:{line}"


def list_events(ws: Workspace, **equals: Any) -> list[FeedbackEvent]:
    with ws.db.session() as s:
        return FeedbackEvents(s).list(**equals)


def list_rejections(ws: Workspace, *, origin: str | None = None) -> list[FeedbackRejection]:
    with ws.db.session() as s:
        repo = FeedbackRejections(s)
        return repo.list(origin=origin) if origin else repo.list()
