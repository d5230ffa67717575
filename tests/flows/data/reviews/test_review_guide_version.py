"""Every review names the annotation-guide version it followed: the batch's by default, another
named in the row, and a row naming an unknown version of a registered guide rejected by line."""

from __future__ import annotations

from pathlib import Path

from guide_helpers import guide_text, next_version
from review_helpers import SFT, read_sheet, sft_pool, sft_rows, verdicts, write_reviews_jsonl

from dataflywheel.domain.states import BatchState
from dataflywheel.flows.contracts.guides import add_guide, change_guide
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.data.reviews import review_sheet, take_reviews
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.reviews import Reviews


def test_reviews_name_the_guide_version(team: Workspace, tmp_path: Path) -> None:
    from datapool_helpers import write_jsonl

    add_guide(team, guide_text().encode(), source="g.md", by="annotation-engineer")
    change_guide(team, guide_text(next_version()).encode(), source="g13.md",
                 by="annotation-engineer")
    pool = sft_pool(team)
    path = write_jsonl(tmp_path / "b.jsonl", sft_rows(60))
    batch = deliver(team, [path], dataset=pool.dataset, contract_version_id=SFT,
                    requirement_id=pool.requirement, delivered_by="annotation-engineer",
                    guide_version="sft-guide@1.2.0", engine="single").batch
    assert batch.state is BatchState.AWAITING_REVIEW
    review_sheet(team, batch.id, tmp_path / "sheet.jsonl")
    rows = verdicts(read_sheet(tmp_path / "sheet.jsonl"), "quality-evaluator")
    rows[0]["guide_version"] = "sft-guide@1.3.0"
    rows[1]["guide_version"] = "sft-guide@7.0.0"
    out = take_reviews(team, batch.id, write_reviews_jsonl(tmp_path / "r.jsonl", rows))
    assert [(r.line, r.reason) for r in out.rejected] == [
        (2, "guide version sft-guide@7.0.0 does not exist")]
    with team.db.session() as s:
        taken = {r.record_id: r.guide_version for r in Reviews(s).list(batch_id=batch.id)}
    assert taken[str(rows[0]["record_id"])] == "sft-guide@1.3.0"
    assert {v for k, v in taken.items() if k != str(rows[0]["record_id"])} == {"sft-guide@1.2.0"}
