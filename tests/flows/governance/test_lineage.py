"""Lineage from the foreign keys: a version's batches and sources, a batch's dependents, batches
checked under a contract or guide version, and a requirement's path to its versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from gov_helpers import CONTRACT, T0, Pool, frozen_by_hand

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.data import lineage
from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def used(pool: Pool) -> Pool:
    """`pool` plus raw-pool@1 (frozen, B-ok), an experiment on it and an issue on B-bad."""
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.experiments.runs import log_experiment, parse_create
    from dataflywheel.flows.issues.lifecycle import open_issue

    ws = pool.ws
    frozen_by_hand(ws, "raw-pool-v1", dataset="raw-pool", number=1, batch_ids=["B-ok"])
    log_experiment(ws, parse_create({
        "title": "probe", "kind": "exploratory", "model_version": "sft-7b",
        "versions": [{"version_id": "raw-pool-v1", "role": "train"}], "project_id": "P-TEST",
        "owner_id": "algorithm-engineer"}))
    open_issue(ws, title="duplicates in B-bad", severity="P2", source="quality_check",
               project_id="P-TEST", links=[("batch", "B-bad")])
    demand.deliver(ws, pool.requirement, version_ids=["raw-pool-v1"])
    return pool


def test_version_lineage_names_batches_sources_and_contracts(used: Pool) -> None:
    got = lineage.version_lineage(used.ws, "raw-pool@1")
    assert got.version.id == "raw-pool-v1" and got.label == "raw-pool@1"
    assert [b.batch.id for b in got.batches] == ["B-ok"]
    assert got.sources == ["person:data-engineer"]
    assert got.contract_versions == [CONTRACT] and got.requirements == [used.requirement]
    cand = lineage.version_lineage(used.ws, used.candidate)
    assert cand.sources == ["person:data-engineer", "vendor:v-tagwise"]


def test_batch_dependents_reach_versions_experiments_issues_and_exceptions(used: Pool) -> None:
    from dataflywheel.flows.governance import exceptions as ex

    ok = lineage.batch_dependents(used.ws, "B-ok")
    assert [v.id for v in ok.versions] == ["raw-pool-c1", "raw-pool-v1"]
    assert [e.title for e in ok.experiments] == ["probe"]
    assert ok.issues == [] and ok.exceptions == []
    rec = ex.request(used.ws, ex.ExceptionRequest(
        type="time", scope="B-bad", reason="late fix", usage_restriction="exploration only",
        isolation_label="quarantine", outstanding_checks=["blanks"],
        expires_at=T0 + timedelta(days=2), batch_ids=["B-bad"]), requested_by="data-engineer",
        now=T0)
    bad = lineage.batch_dependents(used.ws, "B-bad")
    assert [v.id for v in bad.versions] == ["raw-pool-c1"] and bad.experiments == []
    assert [i.title for i in bad.issues] == ["duplicates in B-bad"]
    assert [e.id for e in bad.exceptions] == [rec.id]


def test_checked_under_a_contract_or_guide_version(used: Pool, team: Workspace) -> None:
    assert [b.id for b in lineage.checked_under(team, contract_version=CONTRACT)] == [
        "B-bad", "B-ok"]
    assert lineage.checked_under(team, guide_version="g-9") == []
    with pytest.raises(NotFound, match="contract version cleaned-raw-pool@9.9.9 does not exist"):
        lineage.checked_under(team, contract_version="cleaned-raw-pool@9.9.9")
    with pytest.raises(BadInput, match="name exactly one of a contract version or a guide"):
        lineage.checked_under(team)


def test_requirement_path_reaches_versions_and_experiments(used: Pool) -> None:
    path = lineage.requirement_path(used.ws, used.requirement)
    assert [b.id for b in path.batches] == ["B-bad", "B-ok"]
    assert [v.id for v in path.versions] == ["raw-pool-c1", "raw-pool-v1"]
    assert path.delivered_versions == ["raw-pool-v1"]
    assert [e.title for e in path.experiments] == ["probe"]


def test_bad_version_references_are_named(used: Pool) -> None:
    with pytest.raises(NotFound, match=r"dataset version raw-pool@7 does not exist"):
        lineage.version_lineage(used.ws, "raw-pool@7")
    with pytest.raises(BadInput, match="cannot read version 'raw-pool@x'"):
        lineage.version_lineage(used.ws, "raw-pool@x")
    with pytest.raises(NotFound, match="batch B-none does not exist"):
        lineage.batch_dependents(used.ws, "B-none")
