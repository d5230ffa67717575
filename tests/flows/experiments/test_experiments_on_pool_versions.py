"""Experiments against versions built by the Data Pool flows: delivered, frozen through the gate,
and put under a quality exception after freezing."""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from datapool_helpers import setup_pool
from exp_helpers import spec_dict

from dataflywheel.domain.records.base import utcnow
from dataflywheel.errors import PolicyViolation
from dataflywheel.flows.experiments.runs import log_experiment, parse_create
from dataflywheel.flows.workspace import Workspace

DATASHEET = {
    "objective": "Raw pool", "sources": ["crawl"], "sample_size": 20, "cleaning_rules": ["dedup"],
    "annotation_standard": "none", "guide_version": "n/a", "quality_summary": "clean",
    "compliance_conclusion": "public text", "known_defects": [],
    "applicable_scenarios": ["eval"], "inapplicable_scenarios": ["training"],
}
SYLLABLES = ["ka", "lo", "mi", "nu", "pe", "ri", "su", "ta", "vo", "ze", "bri", "qua"]


def _deliver(ws: Workspace, tmp_path: Path, requirement: str, name: str, seed: int) -> str:
    from dataflywheel.flows.data.delivery import deliver

    rng = random.Random(seed)
    rows = [{"id": f"{name}-{i}", "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z",
             "content": " ".join(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + str(rng.randint(0, 999))
                                 for _ in range(14))} for i in range(20)]
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return deliver(ws, [path], dataset="raw-pool", contract_version_id="cleaned-raw-pool@1.0.0",
                   requirement_id=requirement, delivered_by="data-engineer",
                   engine="single").batch.id


@pytest.fixture
def pool(team: Workspace, tmp_path: Path) -> tuple[Workspace, str, str]:
    """A version frozen through the release gate, and a candidate; returns (ws, frozen, cand)."""
    from dataflywheel.flows.data import versions as vflows
    from dataflywheel.flows.data.version_release import freeze

    req_id = setup_pool(team, purpose="evaluation").requirement
    first = _deliver(team, tmp_path, req_id, "a", seed=1)
    version = vflows.create_version(team, "raw-pool", by="data-engineer", batch_ids=[first])
    vflows.set_datasheet(team, version.id, DATASHEET, by="data-engineer")
    frozen = freeze(team, version.id, by="data-owner")
    second = _deliver(team, tmp_path, req_id, "b", seed=2)
    candidate = vflows.create_version(team, "raw-pool", by="data-engineer", batch_ids=[second])
    return team, frozen.id, candidate.id


def _spec(version: str, **changes: object):  # type: ignore[no-untyped-def]
    return parse_create(spec_dict(versions=[{"version_id": version, "role": "eval"}], **changes))


def test_formal_on_frozen_ok_on_candidate_refused_exploratory_marked(
        pool: tuple[Workspace, str, str]) -> None:
    ws, frozen, candidate = pool
    assert log_experiment(ws, _spec(frozen)).versions[0].version_state.value == "frozen"
    with pytest.raises(PolicyViolation, match=rf"may not use {candidate} \(candidate, not frozen\)"):
        log_experiment(ws, _spec(candidate))
    explored = log_experiment(ws, _spec(candidate, kind="exploratory"))
    assert explored.versions[0].used_candidate


def test_quality_exception_granted_after_freeze_blocks_formal_use(
        pool: tuple[Workspace, str, str]) -> None:
    from dataflywheel.flows.governance.exceptions import ExceptionRequest, approve, request

    ws, frozen, _ = pool
    record = request(ws, ExceptionRequest(
        type="quality", scope="raw-pool v1", reason="agreement below target on 3 items",
        usage_restriction="exploration only", isolation_label="qx-raw-pool-1",
        outstanding_checks=["agreement"], expires_at=utcnow() + timedelta(days=7),
        version_ids=[frozen], project_id="P-TEST"), requested_by="data-engineer")
    approve(ws, record.id, approver="data-owner")
    approve(ws, record.id, approver="algorithm-engineer")
    with pytest.raises(PolicyViolation) as info:
        log_experiment(ws, _spec(frozen))
    assert f"may not use {frozen} (covered by an active quality exception)" in str(info.value)
    assert log_experiment(ws, _spec(frozen, kind="exploratory")).experiment.id == "EXP-0001"
