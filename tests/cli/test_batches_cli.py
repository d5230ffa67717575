"""`flywheel batches list|show|report` over real deliveries."""

from __future__ import annotations

import json
from pathlib import Path

from datapool_helpers import deliver_clean, setup_pool

from dataflywheel.flows.workspace import Workspace


def test_batches_list_show_and_report(team: Workspace, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pool = setup_pool(team)
    good = deliver_clean(pool, tmp_path / "good.jsonl", "g", seed=1)
    bad = deliver_clean(pool, tmp_path / "bad.jsonl", "b", seed=2, blank_every=2)
    listed = cli("batches", "list", "--json").json()
    assert [(b["id"], b["state"]) for b in listed] == [(good.batch.id, "passed"), (bad.batch.id, "failed")]
    assert [b["id"] for b in cli("batches", "list", "--state", "failed", "--json").json()] == [bad.batch.id]
    shown = cli("batches", "show", good.batch.id, "--json").json()
    assert shown["files"][0]["name"] == "good.jsonl" and shown["files"][0]["row_count"] == 20
    report = cli("batches", "report", bad.batch.id)
    assert report.code == 0 and json.loads(report.out)["passed"] is False
    assert "# Quality report" in cli("batches", "report", bad.batch.id, "--markdown").out


def test_unknown_batch_is_a_clear_error(ws: Workspace, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("batches", "show", "B-0404")
    assert result.code == 2
    assert "batch B-0404 does not exist. Next: flywheel batches list" in " ".join(result.err.split())
