"""Demo step: a time exception lets a failed vendor batch into a frozen version, then expires by
itself and the batch is blocked again; the frozen version's lineage is shown.

`demo_step(ws, console, failed_batch=..., version=..., now=...)`: with the ids of a failed batch
(and of a frozen version) from an earlier step it uses them; without, it builds its own on the
demo team (project P-K12, the seeded `cleaned-raw-pool@1.0.0` contract): two vendor deliveries,
one blank-heavy that fails, an approved time exception on it, and a version frozen through the
gate. Everything it generates is written under the workspace; nothing is read from outside.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.data import Batch
from dataflywheel.domain.records.governance import ExceptionRecord
from dataflywheel.errors import FlywheelError
from dataflywheel.flows.governance import exceptions as ex
from dataflywheel.flows.workspace import Workspace

PROJECT = "P-K12"
CONTRACT = "cleaned-raw-pool@1.0.0"
DATASET = "k12-raw-pool"
DATASHEET = {
    "objective": "Raw K-12 tutoring texts for annotation task design.",
    "sources": ["v-brightlabel crawl", "v-tagwise crawl"], "sample_size": 60,
    "cleaning_rules": ["exact dedup", "markup removed"], "annotation_standard": "none (raw pool)",
    "guide_version": "n/a", "quality_summary": "see the union report",
    "compliance_conclusion": "public web text", "known_defects": ["v-tagwise batch is blank-heavy"],
    "applicable_scenarios": ["annotation task design"],
    "inapplicable_scenarios": ["formal training", "evaluation"],
}
_WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ri", "su", "ta", "vo", "ze")
          for b in ("n", "x", "m", "rt", "lk", "sp", "dd", "ng", "ch", "st")]


@dataclass
class Built:
    failed_batch: str
    version: str


def demo_step(ws: Workspace, console: Console, *, failed_batch: str | None = None,
              version: str | None = None, now: datetime | None = None) -> ExceptionRecord:
    """Approve a time exception on a failed batch, let it expire at an explicit time, show that
    the batch is blocked again, and show the version's lineage."""
    now = now or utcnow()
    if failed_batch is None:
        built, record = _build(ws, console, now=now)
        failed_batch, version = built.failed_batch, built.version
    else:
        record = _approved_exception(ws, console, failed_batch, now=now)
    _expire(ws, console, record, failed_batch)
    if version is not None:
        show_lineage(ws, console, version, failed_batch)
    return record


def _approved_exception(ws: Workspace, console: Console, batch_id: str, *,
                        now: datetime) -> ExceptionRecord:
    req = ex.ExceptionRequest(
        type="time", scope=f"failed batch {batch_id}", project_id=PROJECT,
        reason="the vendor's re-delivery lands after the freeze date",
        usage_restriction="annotation task design only; no formal training",
        isolation_label=f"quarantine/{batch_id}", outstanding_checks=["blanks", "duplicates"],
        expires_at=now + timedelta(days=3), batch_ids=[batch_id])
    record = ex.request(ws, req, requested_by="chen.jie", now=now)
    view = ex.approve(ws, record.id, approver="lin.wei", note="until the re-delivery", now=now)
    console.print(f"Time exception {record.id} on {batch_id}: requested by chen.jie, "
                  f"{view.exception.state.value} by lin.wei (Data Owner), expires "
                  f"{record.expires_at:%Y-%m-%d %H:%M} UTC; usage: {record.usage_restriction}",
                  highlight=False)
    return view.exception


def compliance_exception(ws: Workspace, console: Console, version_id: str, *, reader: str,
                         now: datetime, days: int = 30) -> ExceptionRecord:
    """A compliance exception (Table 24-9) on restricted `version_id`: source, risk level and
    access list stated by chen.jie, approved by eva.novak (Legal) and lin.wei (Data Owner). Its
    expiry revokes the access grants that rest on it."""
    req = ex.ExceptionRequest(
        type="compliance", scope=f"restricted version {version_id}", project_id=PROJECT,
        reason="the v-tagwise crawl licence is under review",
        usage_restriction="replication in the isolated sandbox only; no new training",
        isolation_label="sandbox/k12-licence-review", outstanding_checks=["licence review"],
        expires_at=now + timedelta(days=days), version_ids=[version_id],
        source_description="v-tagwise and v-brightlabel web crawls, licence terms unconfirmed",
        risk_level="high", access_list=[reader])
    record = ex.request(ws, req, requested_by="chen.jie", now=now)
    ex.approve(ws, record.id, approver="eva.novak", note="sandbox only", now=now)
    view = ex.approve(ws, record.id, approver="lin.wei", now=now)
    e = view.exception
    console.print(f"Compliance exception {e.id} on {version_id}: risk {e.risk_level and e.risk_level.value}, "
                  f"access list {', '.join(e.access_list)}, {e.state.value} by eva.novak "
                  f"(Legal/Compliance) and lin.wei (Data Owner), expires "
                  f"{e.expires_at:%Y-%m-%d %H:%M} UTC — its expiry revokes what it allowed",
                  highlight=False)
    return e


def _expire(ws: Workspace, console: Console, record: ExceptionRecord, batch_id: str) -> None:
    later = record.expires_at + timedelta(minutes=1)
    expired = ex.sweep_expired(ws, later)
    with ws.db.unit_of_work() as s:
        still = ex.active_exception_covering(s, "batch", batch_id, later)
    console.print(f"At {later:%Y-%m-%d %H:%M} UTC the sweep expired {', '.join(expired) or 'none'};"
                  f" {batch_id} is covered by {still.id if still else 'nothing'} and is blocked "
                  "again.", highlight=False)
    try:
        from dataflywheel.flows.data.versions import create_version

        made = create_version(ws, _dataset_of(ws, batch_id), by="chen.jie", batch_ids=[batch_id])
        console.print(f"  unexpectedly, candidate {made.id} accepted it", highlight=False)
    except FlywheelError as refused:
        console.print(f"  a new candidate with it is refused: {refused.what}", highlight=False)


def _dataset_of(ws: Workspace, batch_id: str) -> str:
    from dataflywheel.store.repositories.data import Batches

    with ws.db.session() as s:
        return Batches(s).get(batch_id).dataset_id


def show_lineage(ws: Workspace, console: Console, version_ref: str, batch_id: str) -> None:
    """The version's batches and sources, and what depends on the excepted batch."""
    from dataflywheel.flows.data.lineage import batch_dependents, version_lineage

    got = version_lineage(ws, version_ref)
    table = Table(title=f"Lineage of {got.label} ({got.version.state.value}, "
                        f"experimental={got.version.experimental})")
    for column in ("batch", "state", "source", "contract", "requirement", "rows", "files"):
        table.add_column(column)
    for part in got.batches:
        b = part.batch
        table.add_row(b.id, b.state.value, part.source, b.contract_version_id, b.requirement_id,
                      str(b.row_count), ", ".join(f"{f.name} {f.sha256[:10]}…" for f in part.files))
    console.print(table)
    deps = batch_dependents(ws, batch_id)
    console.print(f"{batch_id} → versions {', '.join(v.label for v in deps.versions) or 'none'}; "
                  f"issues {', '.join(i.id for i in deps.issues) or 'none'}; exceptions "
                  + (", ".join(f"{e.id} ({e.state.value})" for e in deps.exceptions) or "none"),
                  highlight=False)


def _build(ws: Workspace, console: Console, *, now: datetime) -> tuple[Built, ExceptionRecord]:
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.version_release import freeze

    requirement = _requirement(ws)
    versions.create_dataset(ws, DATASET, project_id=PROJECT, owner_id="lin.wei",
                            purpose="exploration", sensitivity="public")
    folder = ws.settings.workspace / "demo-deliveries"
    good = _deliver(ws, folder / "brightlabel-001.jsonl", "bl", requirement, "v-brightlabel",
                    blank_every=0, now=now)
    bad = _deliver(ws, folder / "tagwise-001.jsonl", "tw", requirement, "v-tagwise",
                   blank_every=3, now=now)
    console.print(f"Deliveries: {good.id} from v-brightlabel {good.state.value}; {bad.id} from "
                  f"v-tagwise {bad.state.value}: {bad.failure_reason or 'no reason recorded'}",
                  highlight=False)
    record = _approved_exception(ws, console, bad.id, now=now)
    candidate = versions.create_version(ws, DATASET, by="chen.jie", batch_ids=[good.id, bad.id])
    versions.set_datasheet(ws, candidate.id, DATASHEET, by="chen.jie")
    frozen = freeze(ws, candidate.id, by="lin.wei", now=now + timedelta(hours=1))
    console.print(f"Frozen {DATASET}@{frozen.number} through the gate while {record.id} covers "
                  f"{bad.id}; manifest {frozen.manifest_sha256}", highlight=False)
    return Built(failed_batch=bad.id, version=frozen.id), record


def _requirement(ws: Workspace) -> str:
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(ws, title="Raw K-12 pool for task design", project_id=PROJECT,
                             requester_id="li.na", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, target_metric="task coverage",
                             acceptance_criteria="passes cleaned-raw-pool@1.0.0",
                             responsible_id="chen.jie", accountable_id="lin.wei",
                             deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    return req.id


def _deliver(ws: Workspace, path: Path, prefix: str, requirement: str, vendor: str, *,
             blank_every: int, now: datetime) -> Batch:
    from dataflywheel.flows.data.delivery import deliver

    rng = random.Random(prefix)
    rows = []
    for i in range(30):
        text = " ".join(rng.choice(_WORDS) for _ in range(14))
        if blank_every and i % blank_every == 0:
            text = "   "
        rows.append({"id": f"{prefix}-{i}", "content": text, "source": "web",
                     "clean_timestamp": "2026-11-20T09:30:00Z"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return deliver(ws, [path], dataset=DATASET, contract_version_id=CONTRACT,
                   requirement_id=requirement, delivered_by=vendor, engine="single",
                   now=now).batch
