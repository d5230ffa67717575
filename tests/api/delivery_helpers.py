"""Helpers for the Data Pool's API tests: SFT rows as JSONL bytes (on the `seed_data` contract),
what the workspace holds (batches, objects, staged uploads), and the CLI pointed at the server."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from dataflywheel.flows.workspace import Workspace

QUERY = {"dataset": "api-sft", "contract": "sft-instructions@1.0.0"}
"""The delivery query naming the dataset and contract `seed_data` made."""


def sft_jsonl(n: int, *, seed: int = 5, duplicate: bool = False) -> bytes:
    """`n` SFT records (all the same record when `duplicate`: fails the duplicate gate)."""
    from datapool_helpers import sentence

    rng = random.Random(seed)
    rows = [{"instruction": sentence(rng), "output": sentence(rng), "annotator_id": "bl-07",
             "confidence": 0.9, "revision_count": 0} for _ in range(n)]
    if duplicate:
        rows = [rows[0]] * n
    return "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")


def batch_ids(ws: Workspace) -> list[str]:
    from dataflywheel.flows.data.batches import list_batches

    return [b.id for b in list_batches(ws)]


def objects(ws: Workspace) -> set[str]:
    """The content-addressed objects in the store (temp files left out)."""
    root = Path(ws.settings.objects_root)
    return {p.name for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts}


def staged_uploads(ws: Workspace) -> list[Path]:
    root = ws.settings.workspace / "uploads"
    return list(root.iterdir()) if root.exists() else []


def through_server(monkeypatch: pytest.MonkeyPatch, live_server: Any,
                   headers: dict[str, str]) -> None:
    """Point the CLI at the loopback server with the token in `headers`."""
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", headers["Authorization"].split()[1])
