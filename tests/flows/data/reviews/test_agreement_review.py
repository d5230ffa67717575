"""An agreement gate the records cannot measure (each item annotated once) waits for review; the
reviewers' labels measure it, and Table 24-13's pass rate of the priority (P2: > 80 %) applies
because the contract sets none."""

from __future__ import annotations

import random
from pathlib import Path

from contract_fixtures import contract_text
from datapool_helpers import sentence, write_jsonl
from review_helpers import read_sheet, sft_pool, write_reviews_jsonl

from dataflywheel.domain.records.demand import Priority
from dataflywheel.domain.states import BatchState
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.data.reviews import review_sheet, take_reviews
from dataflywheel.flows.workspace import Workspace


def test_agreement_through_reviewers_labels(team: Workspace, tmp_path: Path) -> None:
    pool = sft_pool(team, contract_text=contract_text("preference-pairs"), priority=Priority.P2)
    rng = random.Random(5)
    rows = [{"pair_id": f"p-{i}", "prompt": sentence(rng), "chosen": sentence(rng),
             "rejected": sentence(rng), "annotator_id": "ann-1", "margin": "clear"}
            for i in range(20)]
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    batch = deliver(team, [path], dataset=pool.dataset,
                    contract_version_id="preference-pairs@1.0.0", requirement_id=pool.requirement,
                    delivered_by="annotation-engineer", engine="single").batch
    assert batch.state is BatchState.AWAITING_REVIEW, batch.failure_reason
    assert "agreement_krippendorff_alpha" in (batch.failure_reason or "")
    review_sheet(team, batch.id, tmp_path / "sheet.jsonl")
    sheet = read_sheet(tmp_path / "sheet.jsonl")
    assert len(sheet) == 20
    unlabelled = [{"record_id": r["record_id"], "reviewer": "data-engineer", "verdict": "pass"}
                  for r in sheet]
    first = take_reviews(team, batch.id, write_reviews_jsonl(tmp_path / "u.jsonl", unlabelled))
    assert first.batch.state is BatchState.AWAITING_REVIEW and len(first.taken) == 20
    assert first.lacking == ["agreement_krippendorff_alpha has no value yet: label sampled "
                             "records by two or more reviewers"]
    margins = ["slight", "clear", "strong"]
    reviews = [{"record_id": r["record_id"], "reviewer": who, "label": margins[n % 3],
                "verdict": "fail" if n < 3 else "pass"}
               for who in ("quality-evaluator", "data-owner") for n, r in enumerate(sheet)]
    out = take_reviews(team, batch.id, write_reviews_jsonl(tmp_path / "r.jsonl", reviews))
    assert out.report is not None
    gates = {g.metric: g for g in out.report.gates}
    assert gates["agreement_krippendorff_alpha"].observed == 1.0  # the two reviewers agree
    assert gates["spot_check_pass_rate"].source == (
        "Table 24-13 default (Exploratory experimental data (P2))")
    assert gates["spot_check_pass_rate"].observed == 0.85  # 17 of 20 > 80 %
    assert out.batch.state is BatchState.PASSED
