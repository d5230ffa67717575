"""Table 24-29 decides which control points the release gate holds a dataset to: an exploratory
dataset takes a batch still awaiting its human review and freezes without the Accountable
person's approval, each skipped condition said "not required for exploratory_data"; a formal
training corpus may do neither. On both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clirun import unwrapped
from datapool_helpers import FULL_DATASHEET, deliver_clean, setup_pool, write_jsonl
from review_helpers import SFT, deliver_sft, sft_pool, sft_rows

from dataflywheel.domain.policies.governance_intensity import GovernanceScenario
from dataflywheel.domain.records.experiment import ExperimentKind
from dataflywheel.domain.states import BatchState, VersionState
from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows.data import versions
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.data.version_release import check_gate, freeze
from dataflywheel.flows.experiments.runs import version_problem
from dataflywheel.flows.workspace import Workspace


def _exploratory_batch(team: Workspace, tmp_path: Path) -> tuple[str, str]:
    pool = sft_pool(team)
    ds = versions.create_dataset(team, "sft-explore", project_id="P-TEST", owner_id="data-owner",
                                 purpose="exploration", sensitivity="public")
    assert ds.scenario is GovernanceScenario.EXPLORATORY_DATA  # the default of its purpose
    write_jsonl(tmp_path / "e.jsonl", sft_rows(30))
    batch = deliver(team, [tmp_path / "e.jsonl"], dataset=ds.name, contract_version_id=SFT,
                    requirement_id=pool.requirement, delivered_by="annotation-engineer",
                    engine="single").batch
    assert batch.state is BatchState.AWAITING_REVIEW
    return ds.name, batch.id


def test_an_exploratory_dataset_skips_human_review_and_release_approval(
        team: Workspace, tmp_path: Path, cli: Any) -> None:
    dataset, batch = _exploratory_batch(team, tmp_path)
    version = versions.create_version(team, dataset, by="data-engineer", batch_ids=[batch])
    versions.set_datasheet(team, version.id, FULL_DATASHEET, by="data-engineer")
    shown = cli("versions", "show", version.id, "--approver", "data-engineer")
    assert unwrapped("(r) met human review: no batch awaiting its spot-check review (not "
                     f"required for exploratory_data: batch {batch} is awaiting_review and no "
                     "active approved exception covers it)") in unwrapped(shown.out)
    shown = {c.code: (c.met, c.problems, c.note) for c in check_gate(team, version.id)}
    assert shown["r"] == (True, [], "not required for exploratory_data")
    assert shown["f"] == (True, [], "not required for exploratory_data")
    assert shown["a"] == (True, [], None) and shown["e"] == (True, [], None)
    frozen = freeze(team, version.id, by="data-engineer")  # not the release's A, data-owner
    assert frozen.state is VersionState.FROZEN and frozen.approved_by_id == "data-engineer"
    # frozen past what a formal corpus needs: labelled experimental, so formal experiments
    # refuse it (runs.version_problem)
    assert frozen.experimental is True
    assert version_problem(ExperimentKind.FORMAL, frozen) is not None


def test_the_gate_keeps_what_it_skipped_and_a_version_meeting_it_all_is_not_experimental(
        team: Workspace, tmp_path: Path) -> None:
    dataset, batch = _exploratory_batch(team, tmp_path)
    version = versions.create_version(team, dataset, by="data-engineer", batch_ids=[batch])
    skipped = {c.code: c.skipped for c in check_gate(team, version.id, approver="data-owner")}
    assert skipped["f"] == [] and skipped["r"] == [
        f"batch {batch} is awaiting_review and no active approved exception covers it"]
    pool = setup_pool(team, purpose="exploration", dataset="explore-raw")
    clean = deliver_clean(pool, tmp_path / "c.jsonl", "c", seed=1).batch
    assert clean.state is BatchState.PASSED
    other = versions.create_version(team, "explore-raw", by="data-engineer", batch_ids=[clean.id])
    versions.set_datasheet(team, other.id, FULL_DATASHEET, by="data-engineer")
    frozen = freeze(team, other.id, by="data-owner")
    assert frozen.experimental is False


def test_a_formal_training_corpus_may_not_skip_them(team: Workspace, tmp_path: Path) -> None:
    pool = sft_pool(team)  # purpose training: formal_training_corpus
    batch = deliver_sft(pool, tmp_path / "b.jsonl").batch
    assert batch.state is BatchState.AWAITING_REVIEW
    version = versions.create_version(team, pool.dataset, by="data-engineer")
    with pytest.raises(PolicyViolation) as info:
        versions.add_batches(team, version.id, [batch.id], by="data-engineer")
    assert str(info.value).startswith(
        f"batch {batch.id} is awaiting_review: only passed batches join a version")
    gate = {c.code: c for c in check_gate(team, version.id, approver="data-engineer")}
    assert gate["f"].note is None and gate["f"].problems == [
        "needs the approval of data-owner (A for training-set version release); got data-engineer"]
    assert gate["r"].note is None


def test_an_unknown_scenario_is_refused_and_nothing_is_created(team: Workspace) -> None:
    with pytest.raises(BadInput) as info:
        versions.create_dataset(team, "odd", project_id="P-TEST", owner_id="data-owner",
                                scenario="casual")
    assert str(info.value) == (
        "unknown governance scenario 'casual'; field 'scenario'; expected one of "
        "formal_training_corpus, critical_evaluation_set, exploratory_data, "
        "public_corpus_cleaning, temporary_analysis_sample, highly_sensitive_user_feedback. "
        "Kept: no dataset was created")
    assert versions.list_datasets(team) == []


def test_a_declared_scenario_wins_over_the_default(team: Workspace) -> None:
    ds = versions.create_dataset(team, "sample", project_id="P-TEST", owner_id="data-owner",
                                 purpose="training", scenario="temporary_analysis_sample")
    assert ds.scenario is GovernanceScenario.TEMPORARY_ANALYSIS_SAMPLE
    assert versions.get_dataset(team, "sample").scenario is GovernanceScenario.TEMPORARY_ANALYSIS_SAMPLE
