"""The tests' own ODCS contracts, under `tests/fixtures/contracts/`.

A test of a flow builds on these, not on the demo's contracts: the demo is a showcase and may
change its scenario without moving any test. The four `<id>.odcs.yaml` files started as copies of
the shipped examples; `cleaned-raw-pool-2.0.0` is the breaking proposal of cleaned-raw-pool (a new
required field `language`, changed on 2026-11-25).
"""

from __future__ import annotations

from pathlib import Path

CONTRACTS = Path(__file__).resolve().parent / "fixtures" / "contracts"
CONTRACT_IDS = ["cleaned-raw-pool", "sft-instructions", "preference-pairs", "eval-set"]


def contract_path(name: str) -> Path:
    """The fixture file `name.odcs.yaml` (name: a contract id, or `<id>-<version>`)."""
    return CONTRACTS / f"{name}.odcs.yaml"


def contract_text(name: str) -> str:
    """The ODCS text of the fixture contract `name`."""
    return contract_path(name).read_text(encoding="utf-8")
