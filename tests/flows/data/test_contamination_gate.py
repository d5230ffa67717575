"""Contamination in the Data Pool (issue "Trust", item 1): a frozen evaluation set is read at its
own contract's text fields, so a delivery that copies an evaluation item fails its
`contamination_rate` gate, and a candidate's union summary finds what a later evaluation set
holds and stops the freeze. Before, both read the evaluation set at the *training* fields
(`content`), indexed no text, reported a rate of 0 and `contamination_checked: true`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from contamination_helpers import gated_contract, holdout_contract, questions, register
from datapool_helpers import FULL_DATASHEET, Pool, setup_pool, write_jsonl

from dataflywheel.domain.states import BatchState
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.data import version_release as release
from dataflywheel.flows.data import versions
from dataflywheel.flows.data.delivery import Delivery, deliver
from dataflywheel.flows.data.version_summary import refresh_summary
from dataflywheel.flows.workspace import Workspace

EVAL_SHEET = FULL_DATASHEET | {"applicable_scenarios": ["evaluation"],
                               "inapplicable_scenarios": ["training"]}


def _contracts(team: Workspace) -> tuple[Pool, str, str]:
    pool = setup_pool(team)
    holdout = register(team, holdout_contract(), by="data-owner", project_id="P-TEST")
    gated = register(team, gated_contract(), by="data-owner", project_id="P-TEST")
    versions.create_dataset(team, "holdout", project_id="P-TEST", owner_id="data-owner",
                            purpose="evaluation", sensitivity="public")
    return pool, holdout, gated


def _freeze_eval(team: Workspace, pool: Pool, contract: str, rows: list[dict[str, Any]],
                 path: Path) -> str:
    eb = deliver(team, [write_jsonl(path, rows)], dataset="holdout", contract_version_id=contract,
                 requirement_id=pool.requirement, delivered_by="data-engineer", engine="single")
    assert eb.batch.state is BatchState.PASSED, eb.batch.failure_reason
    candidate = versions.create_version(team, "holdout", by="data-engineer",
                                        batch_ids=[eb.batch.id])
    versions.set_datasheet(team, candidate.id, EVAL_SHEET, by="data-engineer")
    return release.freeze(team, candidate.id, by="data-owner").id


def _training(team: Workspace, pool: Pool, contract: str, path: Path, leaked: str) -> Delivery:
    rows = [{"id": f"t-{i}", "content": f"plain training text number {i} about ratios and "
             f"angles in a classroom exercise", "source": "web",
             "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(20)]
    rows[5]["content"] = leaked
    return deliver(team, [write_jsonl(path, rows)], dataset=pool.dataset,
                   contract_version_id=contract, requirement_id=pool.requirement,
                   delivered_by="data-engineer", engine="single")


def test_a_delivery_copying_an_evaluation_item_fails_the_contamination_gate(
    team: Workspace, tmp_path: Path,
) -> None:
    pool, holdout, gated = _contracts(team)
    evaluation = questions()
    eval_version = _freeze_eval(team, pool, holdout, evaluation, tmp_path / "eval.jsonl")
    result = _training(team, pool, gated, tmp_path / "train.jsonl", evaluation[3]["question"])
    assert result.batch.state is BatchState.FAILED
    assert result.batch.failure_reason == "failed gates: contamination_rate 0.05 (needs <= 0)"
    assert result.report is not None
    section = result.report.checks["contamination"].sections
    reference = f"{eval_version}-B-0001-0-eval.jsonl"  # the stored object, not a temp path
    assert section["reference"]["files"] == [reference]
    assert section["reference"]["records_with_text"] == 20
    assert section["pairs"][0]["batch"]["record_id"] == "t-5"
    assert section["pairs"][0]["reference"] == {"file": reference, "line": 4,
                                                "record_id": "eval-003"}
    assert result.issue is not None and "contamination_rate" in result.issue.description


def test_the_union_summary_reads_a_later_evaluation_set_at_its_own_fields_and_stops_the_freeze(
    team: Workspace, tmp_path: Path,
) -> None:
    pool, holdout, gated = _contracts(team)
    evaluation = questions()
    _freeze_eval(team, pool, holdout, evaluation[:10], tmp_path / "eval1.jsonl")
    batch = _training(team, pool, gated, tmp_path / "train.jsonl", evaluation[15]["question"])
    assert batch.batch.state is BatchState.PASSED  # the item is not in the first set
    candidate = versions.create_version(team, pool.dataset, by="data-engineer",
                                        batch_ids=[batch.batch.id])
    versions.set_datasheet(team, candidate.id, FULL_DATASHEET, by="data-engineer")
    second = _freeze_eval(team, pool, holdout, evaluation[10:], tmp_path / "eval2.jsonl")
    summary = refresh_summary(team, candidate.id).quality_summary
    assert summary["evaluation_versions"][-1] == second
    assert summary["contamination_checked"] is True
    assert summary["metrics"]["contamination_rate"] == pytest.approx(1 / 20)
    assert [g["metric"] for g in summary["failed_gates"]] == ["contamination_rate"]
    with pytest.raises(PolicyViolation) as refused:
        release.freeze(team, candidate.id, by="data-owner")
    assert "(c) the quality report: the union report fails contamination_rate 0.05 (needs <= 0)" \
        in str(refused.value)


def test_an_evaluation_set_without_text_fails_the_gate_and_the_issue_says_why(
    team: Workspace, tmp_path: Path,
) -> None:
    """An evaluation set whose text field is empty in every record was compared with nothing:
    the delivery fails on an undefined `contamination_rate` and the issue names the stored file."""
    from dataflywheel.domain.records.contract import Contract

    pool = setup_pool(team)
    data = holdout_contract().model_dump(mode="json")
    data["id"], data["operational"]["thresholds"] = "holdout-empty", []
    data["structural"]["text_fields"] = ["reference_answer"]
    for f in data["structural"]["fields"]:
        if f["name"] == "reference_answer":  # required: true would mean no nulls (ODCS)
            f["nullable"], f["required"] = True, False
    holdout = register(team, Contract.model_validate(data), by="data-owner", project_id="P-TEST")
    gated = register(team, gated_contract(), by="data-owner", project_id="P-TEST")
    versions.create_dataset(team, "holdout", project_id="P-TEST", owner_id="data-owner",
                            purpose="evaluation", sensitivity="public")
    rows = [q | {"reference_answer": None} for q in questions(5)]
    version = _freeze_eval(team, pool, holdout, rows, tmp_path / "eval.jsonl")
    result = _training(team, pool, gated, tmp_path / "train.jsonl", rows[0]["question"])
    assert result.batch.state is BatchState.FAILED
    assert result.batch.failure_reason == (
        "failed gates: contamination_rate undefined (needs <= 0)")
    why = (f"not checked: reference {version}-B-0001-0-eval.jsonl has no text at "
           "reference_answer (5 record(s) read)")
    assert result.batch.quality_summary["failed_gates"][0]["note"] == why
    assert result.issue is not None
    assert f"Gate contamination_rate could not be evaluated: {why}" in result.issue.description
