"""An annotation delivery carries its annotator ids and guide version, and the contract's
inter-annotator agreement is part of its report and summary."""

from __future__ import annotations

import random
from pathlib import Path

from datapool_helpers import sentence, setup_pool, write_jsonl

from dataflywheel.domain.states import BatchState
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace

MARGINS = ["slight", "clear", "strong"]


def _pairs(n: int, annotators: list[str], *, disagree: bool) -> list[dict[str, str]]:
    rng = random.Random(9)
    rows = []
    for i in range(n):
        prompt, chosen, rejected = sentence(rng), sentence(rng), sentence(rng)
        for k, who in enumerate(annotators):
            margin = MARGINS[(i + (k if disagree else 0)) % 3]
            rows.append({"pair_id": f"p-{i}", "prompt": prompt, "chosen": chosen,
                         "rejected": rejected, "annotator_id": who, "margin": margin})
    return rows


def _register(team: Workspace) -> None:
    from contract_fixtures import contract_text

    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.integrations.odcs import parse_odcs

    # the fixture (a copy of the shipped example) rates `margin` on the ordinal scale slight < clear < strong
    text = contract_text("preference-pairs")
    register_contract(team, parse_odcs(text, source="preference-pairs"), text, by="data-owner",
                      project_id="P-TEST")


def test_agreement_is_in_the_report_and_the_batch(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team, dataset="prefs")
    _register(team)
    annotators = ["ann-1", "ann-2", "ann-3"]
    for name, disagree, state in (("agree.jsonl", False, BatchState.PASSED),
                                  ("disagree.jsonl", True, BatchState.FAILED)):
        path = write_jsonl(tmp_path / name, _pairs(12, annotators, disagree=disagree))
        result = deliver(team, [path], dataset="prefs",
                         contract_version_id="preference-pairs@1.0.0",
                         requirement_id=pool.requirement, delivered_by="annotation-engineer",
                         annotator_ids=annotators, guide_version="preference-guide-1.2",
                         engine="single")
        batch = result.batch
        assert batch.state is state, batch.failure_reason
        assert batch.annotator_ids == annotators and batch.guide_version == "preference-guide-1.2"
        alpha = batch.quality_summary["metrics"]["agreement_krippendorff_alpha"]
        assert result.report is not None
        assert alpha == result.report.metrics["agreement_krippendorff_alpha"]
        assert (alpha > 0.85) is (state is BatchState.PASSED)
