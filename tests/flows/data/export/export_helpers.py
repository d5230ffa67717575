"""A frozen version built through the real flows: contract, requirement, dataset, two JSONL
deliveries, a candidate with a complete datasheet, frozen by the Data Owner through the gate."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from datapool_helpers import setup_pool

from dataflywheel.flows.workspace import Workspace

CONTRACT = "cleaned-raw-pool@1.0.0"
DATASHEET: dict[str, Any] = {
    "objective": "Cleaned raw text for annotation task design.",
    "sources": ["vendor crawl"], "sample_size": 30, "cleaning_rules": ["dedup", "markup removed"],
    "annotation_standard": "none (raw pool)", "guide_version": "g-1",
    "quality_summary": "no duplicates, no blanks", "compliance_conclusion": "public web text",
    "known_defects": ["some texts are short"], "applicable_scenarios": ["annotation"],
    "inapplicable_scenarios": ["evaluation"],
}
WORDS = [f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ri", "su", "ta")
         for b in ("n", "x", "m", "rt", "lk", "sp", "dd", "ng")]


def rows(prefix: str, n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"id": f"{prefix}-{i}", "content": " ".join(rng.choice(WORDS) for _ in range(12)),
             "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(n)]


def setup(ws: Workspace, *, dataset: str = "raw-pool") -> str:
    """The cleaned-raw-pool contract, a requirement in progress (returned) and a public dataset."""
    return setup_pool(ws, dataset=dataset, sensitivity="public", purpose="training").requirement


def deliver_rows(ws: Workspace, path: Path, data: list[dict[str, Any]], *, requirement: str,
                 dataset: str = "raw-pool") -> Any:
    """Deliver `data` as one JSONL file; returns the batch (passed or failed)."""
    from dataflywheel.flows.data.delivery import deliver

    path.write_text("".join(json.dumps(r) + "\n" for r in data))
    return deliver(ws, [path], dataset=dataset, contract_version_id=CONTRACT,
                   requirement_id=requirement, delivered_by="data-engineer",
                   engine="single").batch


def candidate(ws: Workspace, tmp: Path, *, dataset: str = "raw-pool") -> str:
    """A candidate version of two passed batches (30 rows) with a complete datasheet."""
    from dataflywheel.flows.data import versions as flows

    requirement = setup(ws, dataset=dataset)
    batch_ids = [deliver_rows(ws, tmp / f"{name}.jsonl", rows(name, n, seed),
                              requirement=requirement, dataset=dataset).id
                 for name, n, seed in (("a", 20, 1), ("b", 10, 2))]
    version = flows.create_version(ws, dataset, by="data-engineer", batch_ids=batch_ids)
    flows.set_datasheet(ws, version.id, DATASHEET, by="data-engineer")
    return version.id


def frozen(ws: Workspace, tmp: Path) -> str:
    from dataflywheel.flows.data.version_release import freeze

    version_id = candidate(ws, tmp)
    freeze(ws, version_id, by="data-owner")
    return version_id
