"""Demo step: two vendors deliver; one delivery (a duplicated file and a blank-heavy file) fails
and files a tiered issue; a version is frozen through the gate; its manifest digest is printed;
then a delivery that copies a frozen evaluation question is stopped by the contamination gate
(`demo/contamination.py`).

`demo_step(ws, console)` runs on the demo team (project P-K12, the seeded
`cleaned-raw-pool@1.0.0` contract) and returns the ids a later step can use (the failed batch and
the frozen version). Everything it delivers is generated here, under the workspace.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from dataflywheel.errors import FlywheelError
from dataflywheel.flows.workspace import Workspace

PROJECT = "P-K12"
CONTRACT = "cleaned-raw-pool@1.0.0"
DATASET = "k12-clean-pool"
WORDS = [f"{a}{b}{c}" for a in ("ka", "lo", "mi", "nu", "pe", "ri", "su", "ta")
          for b in ("n", "x", "m", "rt", "lk", "sp", "dd", "ng")
          for c in ("", "a", "o", "e")]
DATASHEET: dict[str, Any] = {
    "objective": "Cleaned K-12 tutoring texts handed to annotation task design.",
    "sources": ["v-brightlabel collection (textbook exercises)"], "sample_size": 40,
    "cleaning_rules": ["exact and near dedup", "markup removed", "PII scrubbed"],
    "annotation_standard": "none (raw pool)", "guide_version": "n/a",
    "quality_summary": "union report: no duplicates across batches, no contamination",
    "compliance_conclusion": "pending Legal/Compliance", "known_defects": [],
    "applicable_scenarios": ["annotation task design"],
    "inapplicable_scenarios": ["evaluation", "benchmarking"],
}


@dataclass
class DataPoolDemo:
    failed_batch: str
    version: str
    issue: str | None


def demo_step(ws: Workspace, console: Console) -> DataPoolDemo:
    """Deliver, fail one batch (issue), freeze a version through the gate, print its digest."""
    from dataflywheel.flows.data.versions import create_dataset

    requirement = _requirement(ws)
    create_dataset(ws, DATASET, project_id=PROJECT, owner_id="lin.wei", purpose="training",
                   sensitivity="internal")
    folder = ws.settings.workspace / "demo-deliveries" / "data-pool"
    good = _deliver(ws, console, [write_rows(folder / "brightlabel-001.jsonl", "bl", 40)],
                    requirement, "v-brightlabel")
    bad = _deliver(ws, console, [
        write_rows(folder / "tagwise-001.jsonl", "tw", 30, duplicate_every=3),
        write_rows(folder / "tagwise-002.jsonl", "tb", 30, blank_every=2)], requirement, "v-tagwise")
    version = _release(ws, console, good.batch.id, bad.batch.id)
    from dataflywheel.demo.contamination import demo_step as contamination_step

    contamination_step(ws, console, requirement=requirement, project_id=PROJECT)
    return DataPoolDemo(failed_batch=bad.batch.id, version=version,
                        issue=bad.issue.id if bad.issue else None)


def _requirement(ws: Workspace) -> str:
    from datetime import timedelta

    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(ws, title="Cleaned K-12 pool, week 48", project_id=PROJECT,
                             requester_id="sara.kim", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, target_metric="annotation-ready documents",
                             acceptance_criteria=f"passes {CONTRACT}",
                             responsible_id="chen.jie", accountable_id="lin.wei",
                             deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    return req.id


def write_rows(path: Path, prefix: str, n: int, *, duplicate_every: int = 0,
               blank_every: int = 0) -> Path:
    """`n` raw-pool records seeded by `prefix` (a rerun writes the same bytes); every
    `duplicate_every`-th repeats the one before, every `blank_every`-th is blank."""
    rng = random.Random(prefix)
    rows: list[dict[str, str]] = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(16))
        if duplicate_every and i % duplicate_every == duplicate_every - 1:
            text = rows[i - 1]["content"]
        if blank_every and i % blank_every == 0:
            text = "  "
        rows.append({"id": f"{prefix}-{i:03d}", "content": text, "source": "textbook",
                     "clean_timestamp": "2026-11-20T09:30:00Z"})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _deliver(ws: Workspace, console: Console, files: list[Path], requirement: str,
             vendor: str) -> Any:
    from dataflywheel.flows.data.delivery import deliver

    result = deliver(ws, files, dataset=DATASET, contract_version_id=CONTRACT,
                     requirement_id=requirement, delivered_by=vendor, engine="single")
    b = result.batch
    console.print(f"{vendor} delivered {', '.join(f.name for f in result.files)} → {b.id} "
                  f"[{'green' if b.state.value == 'passed' else 'red'}]{b.state.value}[/] "
                  f"({b.row_count} records, {b.nonconforming_count} non-conforming; report "
                  f"{(b.report_sha256 or '')[:12]}…)", highlight=False)
    if b.failure_reason:
        console.print(f"  {b.failure_reason}", highlight=False)
    if result.issue:
        console.print(f"  filed {result.issue.severity.value} {result.issue.id} "
                      f"(Table 24-19, formal training set), owner {result.issue.owner_id}",
                      highlight=False)
    return result


def _release(ws: Workspace, console: Console, good: str, bad: str) -> str:
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.version_release import check_gate, freeze

    candidate = versions.create_version(ws, DATASET, by="chen.jie", batch_ids=[good])
    try:
        versions.add_batches(ws, candidate.id, [bad], by="chen.jie")
    except FlywheelError as refused:
        console.print(f"Candidate {candidate.id}: adding {bad} is refused: {refused.what}",
                      highlight=False)
    unmet = [c for c in check_gate(ws, candidate.id, approver="lin.wei") if not c.met]
    console.print("Gate before the paperwork: " + "; ".join(
        f"({c.code}) {c.problems[0]}" for c in unmet), highlight=False)
    versions.set_datasheet(ws, candidate.id, DATASHEET, by="chen.jie")
    versions.decide_compliance(ws, candidate.id, by="eva.novak", approve=True,
                               conclusion="licensed textbook exercises; no personal data")
    frozen = freeze(ws, candidate.id, by="lin.wei",
                    consultations={"omar.haddad": "union report reviewed, OK"})
    console.print(f"Frozen {DATASET}@{frozen.number} ({frozen.id}) by lin.wei, the A for "
                  f"training-set version release; consultations recorded, I notified",
                  highlight=False)
    console.print(f"  manifest digest (the version's identity): {frozen.manifest_sha256}",
                  highlight=False)
    return frozen.id


def next_version(ws: Workspace, console: Console, *, previous: str, prefix: str,
                 records: int = 40, freeze_it: bool = True) -> str:
    """The next version of the demo dataset: the previous version's batches plus a new passed
    delivery, with its datasheet and compliance approval; frozen through the gate if asked."""
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.lineage import version_lineage
    from dataflywheel.flows.data.version_release import freeze

    requirement = _requirement(ws)
    folder = ws.settings.workspace / "demo-deliveries" / "data-pool"
    fresh = _deliver(ws, console, [write_rows(folder / f"brightlabel-{prefix}.jsonl", prefix, records)],
                     requirement, "v-brightlabel")
    kept = [b.batch.id for b in version_lineage(ws, previous).batches]
    candidate = versions.create_version(ws, DATASET, by="chen.jie",
                                        batch_ids=[*kept, fresh.batch.id])
    versions.set_datasheet(ws, candidate.id, DATASHEET | {"sample_size": 40 + records},
                           by="chen.jie")
    versions.decide_compliance(ws, candidate.id, by="eva.novak", approve=True,
                               conclusion="licensed textbook exercises; no personal data")
    if not freeze_it:
        console.print(f"Candidate {candidate.id} is ready to freeze", highlight=False)
        return candidate.id
    frozen = freeze(ws, candidate.id, by="lin.wei",
                    consultations={"omar.haddad": "union report reviewed, OK"})
    console.print(f"Frozen {DATASET}@{frozen.number} ({frozen.id}), manifest "
                  f"{(frozen.manifest_sha256 or '')[:16]}…", highlight=False)
    return frozen.id
