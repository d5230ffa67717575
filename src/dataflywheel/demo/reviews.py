"""Demo step: a spot check completed through review, and a baseline freeze that follows the
chapter's freeze procedure.

A vendor delivers SFT pairs under `sft-instructions@1.0.0` (a spot-check gate): the batch waits
for review instead of failing; the review sheet (stratified sample) is written, the Quality
Evaluator's verdicts are taken, the batch is accepted. The batch becomes a candidate; the freeze
notice goes to its producers (dated three days back: the demo has no three days to wait), the
Quality Evaluator completes the final spot check, and the Accountable freezes the quarter's
baseline. Everything it writes is generated here, under the workspace.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from dataflywheel.flows.workspace import Workspace

PROJECT = "P-K12"
CONTRACT = "sft-instructions@1.0.0"
DATASET = "k12-sft-pairs"
REVIEWER = "omar.haddad"  # the demo team's Quality Evaluator
_WORDS = ["solve", "explain", "fraction", "angle", "step", "because", "equation", "graph",
          "negative", "product", "ratio", "area", "prime", "divide", "check", "answer"]


def demo_step(ws: Workspace, console: Console) -> str:
    """Deliver, review, accept; then notice, final spot check and baseline freeze. The version id."""
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.data.versions import create_dataset

    folder = ws.settings.workspace / "demo-deliveries" / "reviews"
    folder.mkdir(parents=True, exist_ok=True)
    requirement = _requirement(ws)
    create_dataset(ws, DATASET, project_id=PROJECT, owner_id="lin.wei", purpose="training",
                   sensitivity="internal")
    batch = deliver(ws, [_write(folder / "brightlabel-sft-001.jsonl", 60)], dataset=DATASET,
                    contract_version_id=CONTRACT, requirement_id=requirement,
                    delivered_by="v-brightlabel", engine="single").batch
    console.print(f"v-brightlabel delivered 60 SFT pairs → {batch.id} {batch.state.value} "
                  f"({batch.failure_reason}; no issue filed)", highlight=False)
    _review(ws, console, batch.id, folder)
    return _baseline(ws, console, batch.id, folder)


def _requirement(ws: Workspace, title: str = "SFT pairs for the K-12 tutor, week 49",
                 week: str = "2026-W49") -> str:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.demand.requirements import submit_requirement

    req = submit_requirement(ws, title=title, project_id=PROJECT,
                             requester_id="li.na", kind=RequirementKind.ANNOTATION,
                             priority=Priority.P1, target_metric="tutor step accuracy",
                             acceptance_criteria=f"passes {CONTRACT}",
                             responsible_id="sara.kim", accountable_id="lin.wei",
                             deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id)
    demand.commit_week(ws, [req.id], week=week)
    demand.start(ws, req.id)
    return req.id


def _write(path: Path, n: int, seed: str = "sft") -> Path:
    rng = random.Random(seed)
    rows = [{"instruction": " ".join(rng.choice(_WORDS) for _ in range(10)) + f" #{i}",
             "output": " ".join(rng.choice(_WORDS) for _ in range(24)),
             "annotator_id": f"bl-{i % 4:02d}", "confidence": 0.9, "revision_count": i % 2}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _verdicts(sheet: Path, out: Path, *, fail: int = 0) -> Path:
    rows: list[dict[str, Any]] = [json.loads(line) for line in sheet.read_text().splitlines()]
    for n, row in enumerate(rows):
        row.update(reviewer=REVIEWER, verdict="fail" if n < fail else "pass",
                   note="answer skips the reasoning" if n < fail else "")
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return out


def _review(ws: Workspace, console: Console, batch_id: str, folder: Path) -> None:
    from dataflywheel.flows.data.reviews import review_sheet, take_reviews

    sheet = folder / f"{batch_id}-review-sheet.jsonl"
    rows = review_sheet(ws, batch_id, sheet)
    console.print(f"Review sheet: {rows} records (stratified sample) → {sheet.name}",
                  highlight=False)
    out = take_reviews(ws, batch_id, _verdicts(sheet, folder / f"{batch_id}-reviews.jsonl",
                                               fail=1))
    rate = out.report.metrics["spot_check_pass_rate"] if out.report else 0.0
    console.print(f"{REVIEWER} reviewed {len(out.taken)} records: pass rate {rate:.0%} "
                  f"(needs > 95 %) → {batch_id} [green]{out.batch.state.value}[/]",
                  highlight=False)


def _baseline(ws: Workspace, console: Console, batch_id: str, folder: Path) -> str:
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data.freeze_procedure import (
        final_check_sheet,
        issue_notice,
        take_final_check,
    )
    from dataflywheel.flows.data.version_release import freeze

    candidate = versions.create_version(ws, DATASET, by="sara.kim", batch_ids=[batch_id])
    versions.set_datasheet(ws, candidate.id, _datasheet(), by="sara.kim")
    versions.decide_compliance(ws, candidate.id, by="eva.novak", approve=True,
                               conclusion="vendor-written pairs; no personal data")
    sent = issue_notice(ws, candidate.id, now=utcnow() - timedelta(days=3))
    console.print(f"Freeze notice for {candidate.id} sent 3 days ago to the producers: "
                  + ", ".join(n.to_person_id for n in sent), highlight=False)
    sheet = folder / f"{candidate.id}-final-check.jsonl"
    final_check_sheet(ws, candidate.id, sheet)
    taken, _, pending = take_final_check(ws, candidate.id,
                                         _verdicts(sheet, folder / f"{candidate.id}-final.jsonl"))
    console.print(f"Final spot check by {REVIEWER}: {taken} records, {pending} pending",
                  highlight=False)
    frozen = freeze(ws, candidate.id, by="lin.wei", baseline=True)
    console.print(f"Baseline {DATASET}@{frozen.number} ({frozen.id}) frozen by lin.wei after the "
                  f"notice period and the final spot check", highlight=False)
    return frozen.id


def _datasheet() -> dict[str, Any]:
    return {
        "objective": "SFT pairs for the K-12 tutor.", "sources": ["v-brightlabel annotators"],
        "sample_size": 60, "cleaning_rules": ["exact dedup"],
        "annotation_standard": "sft-guide-3.0", "guide_version": "sft-guide-3.0",
        "quality_summary": "spot check 98 % (reviewed), final spot check complete",
        "compliance_conclusion": "no personal data", "known_defects": [],
        "applicable_scenarios": ["supervised fine-tuning"],
        "inapplicable_scenarios": ["evaluation"],
    }
