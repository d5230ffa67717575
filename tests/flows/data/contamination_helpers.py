"""The contamination tests' own contracts and evaluation items, under `fixtures/` here.

`k12-holdout` is an evaluation contract (text fields `question` and `reference_answer`, no
spot-check or row-count gate); `k12-clean-gated` is cleaned-raw-pool with
`contamination_rate <= 0`. `holdout-questions.jsonl` holds 20 evaluation items of the holdout
shape, no two sharing a word 8-gram, so one copied item is exactly one contaminated pair.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataflywheel.domain.records.contract import Contract
from dataflywheel.flows.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _contract(name: str) -> Contract:
    from dataflywheel.integrations.odcs import parse_odcs

    return parse_odcs((FIXTURES / f"{name}.odcs.yaml").read_text(encoding="utf-8"), source=name)


def holdout_contract() -> Contract:
    return _contract("k12-holdout")


def gated_contract() -> Contract:
    return _contract("k12-clean-gated")


def questions(n: int = 20) -> list[dict[str, Any]]:
    """The first `n` evaluation items."""
    lines = (FIXTURES / "holdout-questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:n]]


def register(ws: Workspace, contract: Contract, *, by: str, project_id: str) -> str:
    """Register `contract` (its ODCS text as stored) and return its version id."""
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import dump_odcs, parse_odcs

    text = dump_odcs(contract, status="active")
    return register_contract(ws, parse_odcs(text, source=contract.id), text, by=by,
                             project_id=project_id).id
