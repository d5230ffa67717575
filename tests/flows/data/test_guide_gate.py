"""Deliveries name the annotation-guide version they followed: a contract that requires it fails a
delivery naming none (the bytes kept, the reason clear); a named version of a registered guide
must exist (refused as bad input, nothing stored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from contract_fixtures import contract_text
from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl
from guide_helpers import guide_text

from dataflywheel.domain.states import BatchState
from dataflywheel.errors import NotFound
from dataflywheel.flows.contracts.guides import add_guide
from dataflywheel.flows.data.delivery import deliver
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Batches

REQUIRED = contract_text("cleaned-raw-pool").replace(
    "    guideVersion: cleaning-rules-2.1\n",
    "    guideVersion: sft-guide@1.2.0\n    guideRequired: true\n")


def _deliver(team: Workspace, pool, path: Path, guide: str | None):  # type: ignore[no-untyped-def]
    write_jsonl(path, records("r", 20, seed=1))
    return deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                   requirement_id=pool.requirement, delivered_by="data-engineer",
                   guide_version=guide, engine="single")


def test_a_required_guide_version_missing_fails_the_gate_with_a_clear_reason(
        team: Workspace, tmp_path: Path) -> None:
    assert "guideRequired: true" in REQUIRED
    pool = setup_pool(team, contract_text=REQUIRED)
    add_guide(team, guide_text().encode(), source="g.md", by="annotation-engineer")
    failed = _deliver(team, pool, tmp_path / "a.jsonl", None)
    assert failed.batch.state is BatchState.FAILED
    assert failed.batch.failure_reason == (
        f"contract {CONTRACT} requires the annotation-guide version a delivery followed, and this "
        "delivery names none (deliver with --guide-version GUIDE@VERSION)")
    assert failed.report is not None and failed.report.passed  # only the guide gate failed
    assert failed.issue is not None
    passed = _deliver(team, pool, tmp_path / "b.jsonl", "sft-guide@1.2.0")
    assert passed.batch.state is BatchState.PASSED
    assert passed.batch.guide_version == "sft-guide@1.2.0"


def test_without_the_requirement_a_delivery_may_name_no_guide(team: Workspace,
                                                               tmp_path: Path) -> None:
    pool = setup_pool(team)
    assert _deliver(team, pool, tmp_path / "a.jsonl", None).batch.state is BatchState.PASSED


def test_an_unknown_version_of_a_registered_guide_is_refused_and_nothing_stored(
        team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    add_guide(team, guide_text().encode(), source="g.md", by="annotation-engineer")
    objects = set(team.blobs.iter_objects())
    with pytest.raises(NotFound, match="guide version sft-guide@9.9.9 does not exist") as info:
        _deliver(team, pool, tmp_path / "a.jsonl", "sft-guide@9.9.9")
    assert "one of sft-guide@1.2.0" in str(info.value)
    with team.db.session() as s:
        assert Batches(s).list() == []
    assert set(team.blobs.iter_objects()) == objects
