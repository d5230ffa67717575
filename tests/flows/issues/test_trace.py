"""`flywheel trace`: each self-assessment question answered from records with evidence, or "no
records yet". Data Pool, experiment and governance records are written here through the store's
repositories in one setup transaction (their flows are exercised in their own suites); contracts,
requirements and issues go through their flows."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from contract_fixtures import contract_text

from dataflywheel.errors import BadInput, NotFound
from dataflywheel.flows.trace import Status, trace
from dataflywheel.flows.workspace import Workspace

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SHA = "a" * 64


def _answers(ws: Workspace, **kw: object) -> dict[str, object]:
    return {a.key: a for a in trace(ws, now=NOW, **kw)}  # type: ignore[arg-type]


def test_empty_workspace_says_no_records_yet(team: Workspace) -> None:
    answers = trace(team, now=NOW)
    assert [a.status for a in answers] == [Status.NO_RECORDS] * 8
    assert answers[0].answer == "no records yet: no dataset version has been frozen"
    assert answers[3].answer == "no records yet: no P0 or P1 issue has been opened"


def _seed(ws: Workspace) -> None:
    from dataflywheel.domain.records.data import Batch, Dataset, DatasetVersion, VersionBatch
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.domain.records.experiment import Experiment, ExperimentVersion
    from dataflywheel.domain.records.governance import AccessGrant, Asset, AssetUse
    from dataflywheel.domain.records.project import Project
    from dataflywheel.domain.states import BatchState, GrantState, VersionState
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.demand.projects import add_project
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.store.repositories import data, experiments, governance

    text = contract_text("sft-instructions")
    cv = register_contract(ws, parse_odcs(text, source="x"), text, by="data-owner")
    req = submit_requirement(ws, title="more algebra", project_id="P-TEST", requester_id="data-owner",
                             kind=RequirementKind.ANNOTATION, priority=Priority.P1)
    add_project(ws, Project(id="P-TWO", name="Second", owner_id="data-owner"))
    with ws.db.unit_of_work() as s:
        data.Datasets(s).add(Dataset(id="sft", name="sft", project_id="P-TEST", owner_id="data-owner"))
        for i, guide in enumerate(["g-1", "g-2", "g-2"], start=1):
            data.Batches(s).add(Batch(
                id=f"B-{i}", dataset_id="sft", contract_version_id=cv.id, requirement_id=req.id,
                delivered_by_person_id="annotation-engineer", guide_version=guide,
                state=BatchState.PASSED, report_sha256=SHA, received_at=NOW - timedelta(days=10 - i)))
        candidate = DatasetVersion(id="sft-v1", dataset_id="sft", created_by_id="data-engineer",
                                   quality_summary={"duplicate_rate": 0.01})
        data.DatasetVersions(s).add(candidate)
        for b in ("B-1", "B-2"):
            data.VersionBatches(s).add(VersionBatch(version_id="sft-v1", batch_id=b,
                                                    added_by_id="data-engineer"))
        data.DatasetVersions(s).update(candidate.model_copy(update={  # then freeze it
            "state": VersionState.FROZEN, "number": 1, "manifest_sha256": SHA,
            "approved_by_id": "data-owner", "frozen_at": NOW - timedelta(days=1)}))
        experiments.Experiments(s).add(Experiment(id="EXP-0001", title="sft run", kind="formal",
                                                  model_version="m-1", started_at=NOW))
        experiments.ExperimentVersions(s).add(ExperimentVersion(
            experiment_id="EXP-0001", version_id="sft-v1", version_state=VersionState.FROZEN))
        governance.Assets(s).add(Asset(id="a-sft", name="SFT set", kind="dataset", dataset_id="sft",
                                       owner_id="data-owner", sensitivity="internal"))
        for project in ("P-TEST", "P-TWO"):
            governance.AssetUses(s).add(AssetUse(asset_id="a-sft", project_id=project))
        governance.AccessGrants(s).add(AccessGrant(
            id="GRT-0001", asset_id="a-sft", grantee_id="algorithm-engineer", sensitivity="internal",
            purpose="training", state=GrantState.ACTIVE, requested_by_id="algorithm-engineer",
            approved_by_id="data-owner", requested_at=NOW - timedelta(days=21),
            granted_at=NOW - timedelta(days=20), expires_at=NOW + timedelta(days=3)))


def test_every_question_is_answered_with_evidence(team: Workspace) -> None:
    from dataflywheel.flows.issues.lifecycle import open_issue

    _seed(team)
    open_issue(team, title="bad labels", severity="P1", source="spot_check", project_id="P-TEST",
               links=[("batch", "B-2")], now=NOW)
    a = _answers(team)
    release = a["release"]
    assert release.status is Status.ANSWERED  # type: ignore[attr-defined]
    assert release.answer.startswith("sft@1 was approved by data-owner")  # type: ignore[attr-defined]
    assert any(f"manifest sha256 {SHA}" == e for e in release.evidence)  # type: ignore[attr-defined]
    assert a["experiment"].answer == "EXP-0001 (formal, model m-1) used sft-v1"  # type: ignore[attr-defined]
    guide = a["guide"]
    assert guide.answer.startswith("guide g-2 (first used")  # type: ignore[attr-defined]
    assert guide.evidence == ["batch B-2 in versions sft-v1", "batch B-3 in versions none",  # type: ignore[attr-defined]
                              "delivered under earlier guides: g-1: B-1"]
    assert a["preventive"].status is Status.GAPS  # type: ignore[attr-defined]
    assert a["preventive"].evidence == ["missing: ISS-0001 (P1, new): no post-mortem"]  # type: ignore[attr-defined]
    assert a["reuse"].evidence == ["a-sft (SFT set): P-TEST, P-TWO"]  # type: ignore[attr-defined]
    assert a["expiring"].answer == "1 grant(s) and 0 exception(s) expire within 14 days"  # type: ignore[attr-defined]
    assert _answers(team, days=2)["expiring"].answer.startswith("0 grant(s)")  # type: ignore[attr-defined]
    assert _answers(team, guide="g-1")["guide"].evidence == ["batch B-1 in versions sft-v1"]  # type: ignore[attr-defined]


def test_bad_trace_input(team: Workspace) -> None:
    _seed(team)
    with pytest.raises(NotFound, match="experiment EXP-0404 does not exist"):
        trace(team, experiment_id="EXP-0404")
    with pytest.raises(BadInput) as err:
        trace(team, guide="g-9")
    assert str(err.value) == ("no batch was delivered under guide version 'g-9'; field 'guide'; "
                              "expected one of g-1, g-2")
    with pytest.raises(BadInput, match="days must be 0 or more"):
        trace(team, days=-1)


def _write(path: Path, prefix: str, seed: int) -> Path:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    rows = [{"id": f"{prefix}-{i}", "content": " ".join(rng.choice(words) for _ in range(14)),
             "source": "web", "clean_timestamp": "2026-11-20T09:30:00Z"} for i in range(20)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_release_and_guide_answers_through_the_data_pool_flows(team: Workspace,
                                                               tmp_path: Path) -> None:
    """The same questions on records made by delivery, version and release flows."""
    from dataflywheel.domain.records.demand import Priority, RequirementKind
    from dataflywheel.flows.demand import lifecycle as demand
    from dataflywheel.flows.data import versions
    from dataflywheel.flows.data import version_release as release
    from dataflywheel.flows.contracts.lifecycle import register_contract
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.demand.requirements import submit_requirement
    from dataflywheel.integrations.odcs import parse_odcs

    text = contract_text("cleaned-raw-pool")
    register_contract(team, parse_odcs(text, source="x"), text, by="data-owner", project_id="P-TEST")
    req = submit_requirement(team, title="raw pool", project_id="P-TEST",
                             requester_id="algorithm-engineer", kind=RequirementKind.NEW_DATA,
                             priority=Priority.P1, target_metric="coverage",
                             acceptance_criteria="passes the contract",
                             responsible_id="data-engineer", accountable_id="data-owner",
                             deadline=datetime.now(UTC) + timedelta(days=7))
    demand.triage(team, req.id)
    demand.commit_week(team, [req.id], week="2026-W48")
    demand.start(team, req.id)
    versions.create_dataset(team, "raw", project_id="P-TEST", owner_id="data-owner",
                            purpose="training", sensitivity="public")
    batch_ids = [deliver(team, [_write(tmp_path / f"{p}.jsonl", p, seed)], dataset="raw",
                         contract_version_id="cleaned-raw-pool@1.0.0", requirement_id=req.id,
                         delivered_by="data-engineer", guide_version=guide,
                         engine="single").batch.id
                 for p, seed, guide in (("a", 1, "guide-1"), ("b", 2, "guide-2"))]
    version = versions.create_version(team, "raw", by="data-engineer", batch_ids=batch_ids)
    versions.set_datasheet(team, version.id, DATASHEET, by="data-engineer")
    frozen = release.freeze(team, version.id, by="data-owner")
    answers = {a.key: a for a in trace(team)}
    release_answer = answers["release"]
    assert release_answer.status is Status.ANSWERED
    assert release_answer.answer.startswith(f"{frozen.label} was approved by data-owner")
    assert any(e.startswith("audit #") and "version.freeze" in e and "approved by data-owner" in e
               for e in release_answer.evidence)
    assert answers["guide"].evidence == [f"batch {batch_ids[1]} in versions {version.id}",
                                         f"delivered under earlier guides: guide-1: {batch_ids[0]}"]


DATASHEET = {
    "objective": "Cleaned raw text.", "sources": ["vendor crawl"], "sample_size": 40,
    "cleaning_rules": ["dedup"], "annotation_standard": "none", "guide_version": "guide-2",
    "quality_summary": "see the union report", "compliance_conclusion": "public web text",
    "known_defects": [], "applicable_scenarios": ["annotation"], "inapplicable_scenarios": ["eval"],
}
