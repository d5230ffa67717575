"""Helpers for the review tests: a team workspace with the shipped SFT contract (which gates on
`spot_check_pass_rate > 95 %`), a requirement of a chosen priority in progress, a dataset, and
generated SFT deliveries."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from datapool_helpers import sentence, write_jsonl

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.demand import Priority, RequirementKind
from dataflywheel.flows.data.delivery import Delivery, deliver
from dataflywheel.flows.workspace import Workspace

SFT = "sft-instructions@1.0.0"


@dataclass
class SftPool:
    ws: Workspace
    requirement: str
    dataset: str


def sft_pool(ws: Workspace, *, priority: Priority = Priority.P1, dataset: str = "sft",
             contract_text: str | None = None) -> SftPool:
    """On a `team` workspace: the SFT contract (or `contract_text`), a requirement of `priority`
    in progress, and a training dataset."""
    from contract_fixtures import contract_text as fixture_text

    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.flows.data.versions import create_dataset
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text or fixture_text("sft-instructions")
    register_contract(ws, parse_odcs(text, source="sft"), text, by="data-owner",
                      project_id="P-TEST")
    req = submit_requirement(ws, title="SFT pairs", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.ANNOTATION,
                             priority=priority, target_metric="tutor accuracy",
                             acceptance_criteria="passes the contract",
                             responsible_id="annotation-engineer", accountable_id="data-owner",
                             deadline=utcnow() + timedelta(days=7))
    demand.triage(ws, req.id, approver="data-owner" if priority is Priority.P0 else None)
    demand.commit_week(ws, [req.id], week="2026-W48")
    demand.start(ws, req.id)
    create_dataset(ws, dataset, project_id="P-TEST", owner_id="data-owner", purpose="training",
                   sensitivity="public")
    return SftPool(ws, req.id, dataset)


def sft_rows(n: int, *, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"instruction": sentence(rng), "output": sentence(rng), "annotator_id": "bl-07",
             "confidence": 0.9, "revision_count": 0} for _ in range(n)]


def deliver_sft(pool: SftPool, path: Path, n: int = 30, *, seed: int = 3,
                rows: list[dict[str, Any]] | None = None) -> Delivery:
    write_jsonl(path, rows if rows is not None else sft_rows(n, seed=seed))
    return deliver(pool.ws, [path], dataset=pool.dataset, contract_version_id=SFT,
                   requirement_id=pool.requirement, delivered_by="annotation-engineer",
                   engine="single")


def read_sheet(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_reviews_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_reviews_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["record_id", "reviewer", "verdict", "label",
                                                 "note"])
        writer.writeheader()
        for r in rows:
            writer.writerow({k: r.get(k, "") for k in writer.fieldnames})
    return path


def verdicts(sheet: list[dict[str, Any]], reviewer: str, *, fail: int = 0) -> list[dict[str, Any]]:
    """A review row for every sheet line by `reviewer`, the first `fail` of them failing."""
    return [{"record_id": r["record_id"], "reviewer": reviewer,
             "verdict": "fail" if n < fail else "pass"} for n, r in enumerate(sheet)]
