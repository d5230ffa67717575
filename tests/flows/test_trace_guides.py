"""Table 24-30: "Which batches were affected by the most recent annotation standard change?" —
answered from the guide's change record through the lineage: batches made under earlier versions,
the dataset versions holding them, the experiments that used those versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl
from guide_helpers import guide_text, next_version

from dataflywheel.errors import BadInput
from dataflywheel.flows.contracts.guides import add_guide, change_guide
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.trace import trace
from dataflywheel.flows.workspace import Workspace

AE = "annotation-engineer"


def _deliver(ws: Workspace, pool, path: Path, guide: str, seed: int) -> str:  # type: ignore[no-untyped-def]
    write_jsonl(path, records(path.stem, 20, seed=seed))
    return deliver(ws, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                   requirement_id=pool.requirement, delivered_by="data-engineer",
                   guide_version=guide, engine="single").batch.id


def test_the_latest_guide_change_names_batches_versions_and_experiments(
        team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.data.versions import create_version
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create

    pool = setup_pool(team)
    add_guide(team, guide_text().encode(), source="g.md", by=AE)
    b1 = _deliver(team, pool, tmp_path / "a.jsonl", "sft-guide@1.2.0", 1)
    b2 = _deliver(team, pool, tmp_path / "b.jsonl", "sft-guide@1.2.0", 2)
    version = create_version(team, pool.dataset, by="data-engineer", batch_ids=[b1])
    experiment = log_experiment(team, parse_create({
        "title": "sft on v1", "kind": "exploratory", "model_version": "m@1", "project_id": "P-TEST",
        "versions": [{"version_id": version.id, "role": "train"}], "metrics": {"acc": 0.7}})).experiment
    change_guide(team, guide_text(next_version()).encode(), source="g13.md", by=AE)
    b3 = _deliver(team, pool, tmp_path / "c.jsonl", "sft-guide@1.3.0", 3)
    [answer] = trace(team, only="guide")
    assert answer.status.value == "answered"
    assert answer.answer == (
        f"guide change sft-guide@1.3.0 (compatible) affects 2 batch(es) made under "
        f"sft-guide@1.2.0: {b1}, {b2}; dataset versions: {version.id}; experiments: {experiment.id}")
    text = "\n".join(answer.evidence)
    assert "change record sft-guide@1.3.0 (compatible) by annotation-engineer" in text
    assert "examples changed: EX-2, EX-4" in text and "notices: " in text
    assert f"batch {b1} under sft-guide@1.2.0" in text and f"in versions {version.id}" in text
    assert f"version {version.id} used by experiments {experiment.id}" in text
    assert f"under sft-guide@1.3.0 already: {b3}" in text
    [named] = trace(team, only="guide", guide="sft-guide@1.3.0")
    assert named.answer == answer.answer


def test_a_first_version_is_no_change_and_free_names_still_answer(team: Workspace,
                                                                   tmp_path: Path) -> None:
    pool = setup_pool(team)
    add_guide(team, guide_text().encode(), source="g.md", by=AE)
    with pytest.raises(BadInput, match="sft-guide@1.2.0 is the first version of its guide"):
        trace(team, only="guide", guide="sft-guide@1.2.0")
    b1 = _deliver(team, pool, tmp_path / "a.jsonl", "cleaning-rules-2.1", 1)
    [answer] = trace(team, only="guide")  # no change on record: the names batches carry
    assert answer.answer.startswith("guide cleaning-rules-2.1") and b1 in answer.answer
