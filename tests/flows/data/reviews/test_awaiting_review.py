"""A batch whose only unmet gates wait for human review goes to `awaiting_review`: not failed,
no issue; any other failed gate still fails it."""

from __future__ import annotations

from pathlib import Path

from datapool_helpers import audit_count
from review_helpers import deliver_sft, sft_pool, sft_rows

from dataflywheel.domain.states import BatchState
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.issues import Issues


def test_clean_batch_under_a_spot_check_gate_awaits_review(team: Workspace,
                                                           tmp_path: Path) -> None:
    pool = sft_pool(team)
    result = deliver_sft(pool, tmp_path / "b.jsonl")
    batch = result.batch
    assert batch.state is BatchState.AWAITING_REVIEW, batch.failure_reason
    assert result.issue is None
    assert batch.nonconforming_count == 0 and batch.row_count == 30
    assert batch.report_sha256 is not None
    assert "awaiting review: spot_check_pass_rate" in (batch.failure_reason or "")
    with team.db.session() as s:
        assert Issues(s).list() == []
    assert audit_count(team, "batch.awaiting_review", batch.id) == 1


def test_a_batch_failing_another_gate_still_fails(team: Workspace, tmp_path: Path) -> None:
    pool = sft_pool(team)
    rows = sft_rows(30)
    for r in rows[:10]:
        r["output"] = "   "  # blank_rate 33 % > 0.5 %
    result = deliver_sft(pool, tmp_path / "b.jsonl", rows=rows)
    assert result.batch.state is BatchState.FAILED
    assert result.issue is not None
    assert "blank_rate" in (result.batch.failure_reason or "")
