"""Versions: candidate membership and its union summary, the gate naming every unmet condition,
freeze with a content-derived manifest, immutability, archive, rollback, the quarterly baseline."""

from __future__ import annotations

from pathlib import Path

import pytest
from datapool_helpers import (
    FULL_DATASHEET,
    Pool,
    audit_count,
    deliver_clean,
    records,
    setup_pool,
    write_jsonl,
)

from dataflywheel.canonjson import canonical_json
from dataflywheel.domain.states import VersionState
from dataflywheel.errors import Conflict, IllegalTransition, PolicyViolation
from dataflywheel.flows.data import version_release as release
from dataflywheel.flows.data import versions as flows
from dataflywheel.flows.data.version_manifest import read_json
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.data import Datasets


def _two_batches(team: Workspace, tmp_path: Path, **pool_kw: str) -> tuple[Pool, list[str]]:
    pool = setup_pool(team, **pool_kw)
    first = deliver_clean(pool, tmp_path / "a.jsonl", "a", seed=11)
    # the second vendor file repeats two texts of the first: duplicates ACROSS batches
    texts = [r["content"] for r in records("a", 20, seed=11)][:2]
    rest = [r["content"] for r in records("b", 18, seed=12)]
    second = deliver_clean(pool, tmp_path / "b.jsonl", "b", seed=12, texts=texts + rest)
    return pool, [first.batch.id, second.batch.id]


def _ready(team: Workspace, tmp_path: Path, **pool_kw: str) -> tuple[Pool, str]:
    pool, batches = _two_batches(team, tmp_path, **pool_kw)
    version = flows.create_version(team, pool.dataset, by="data-engineer", batch_ids=batches)
    flows.set_datasheet(team, version.id, FULL_DATASHEET, by="data-engineer")
    return pool, version.id


def test_union_summary_counts_duplicates_across_batches(team: Workspace, tmp_path: Path) -> None:
    pool, batches = _two_batches(team, tmp_path)
    version = flows.create_version(team, pool.dataset, by="data-engineer", batch_ids=batches)
    summary = version.quality_summary
    assert summary["batches"] == batches and summary["records"] == 40
    assert summary["metrics"]["duplicate_count"] == 2
    assert summary["cross_batch_duplicate_count"] == 2
    assert team.blobs.exists(summary["report_sha256"])
    smaller = flows.remove_batches(team, version.id, [batches[1]], by="data-engineer")
    assert smaller.quality_summary["batches"] == [batches[0]]
    assert smaller.quality_summary["cross_batch_duplicate_count"] == 0


def test_a_failed_batch_cannot_join(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team)
    bad = deliver_clean(pool, tmp_path / "d.jsonl", "d", seed=2, dup_every=4).batch
    version = flows.create_version(team, pool.dataset, by="data-engineer")
    with pytest.raises(PolicyViolation) as info:
        flows.add_batches(team, version.id, [bad.id], by="data-engineer")
    assert str(info.value) == (
        f"batch {bad.id} is failed: only passed batches join a version; expected a passed batch, "
        f"or one covered by an active approved exception. Kept: version {version.id} is "
        f"unchanged. Next: flywheel exceptions request --batch {bad.id}")
    assert flows.get_version(team, version.id)[1] == []


def test_gate_names_every_unmet_condition(team: Workspace, tmp_path: Path) -> None:
    pool = setup_pool(team, sensitivity="confidential")
    version = flows.create_version(team, pool.dataset, by="data-engineer")
    with pytest.raises(PolicyViolation) as info:
        release.freeze(team, version.id, by="data-engineer")
    message = str(info.value)
    for code in "abcdef":
        assert f"({code})" in message
    assert "datasheet lacks objective, datasheet lacks sources" in message
    assert "confidential data needs Legal/Compliance approval (compliance is pending)" in message
    assert "needs the approval of data-owner (A for training-set version release); got data-engineer" in message
    assert message.endswith(f"Kept: {version.id} is still a candidate. Next: flywheel versions show {version.id}")
    assert flows.get_version(team, version.id)[0].state is VersionState.CANDIDATE
    assert audit_count(team, "version.freeze") == 0


def test_freeze_manifest_is_the_identity(team: Workspace, tmp_path: Path) -> None:
    pool, vid = _ready(team, tmp_path, sensitivity="confidential")
    flows.decide_compliance(team, vid, by="legal-compliance", approve=True, conclusion="licensed")
    frozen = release.freeze(team, vid, by="data-owner",
                            consultations={"quality-evaluator": "ok to release"})
    assert frozen.state is VersionState.FROZEN and frozen.number == 1
    manifest = read_json(team.blobs, frozen.manifest_sha256 or "")
    import hashlib

    assert hashlib.sha256(canonical_json(manifest)).hexdigest() == frozen.manifest_sha256
    assert manifest["row_count"] == 40 and manifest["contract_versions"] == ["cleaned-raw-pool@1.0.0"]
    assert [f["name"] for b in manifest["batches"] for f in b["files"]] == ["a.jsonl", "b.jsonl"]
    assert manifest["datasheet"]["compliance_conclusion"] == "licensed"
    assert {f["name"] for f in manifest["schema"]["cleaned-raw-pool@1.0.0"]} >= {"id", "content"}
    with team.db.session() as s:
        assert Datasets(s).by_name(pool.dataset).current_version_id == vid
    # each C's consultation or non-response is recorded, each I notified
    assert audit_count(team, "version.consulted", vid) == 4  # Table 24-7: DE, AE, QE, Legal
    assert audit_count(team, "version.freeze", vid) == 1
    from dataflywheel.flows.notifications import inbox

    assert any(n.record_id == vid for n in inbox(team, "platform-engineer"))


def test_every_change_to_a_frozen_version_is_refused_and_audited(team: Workspace, tmp_path: Path) -> None:
    pool, vid = _ready(team, tmp_path, sensitivity="public")
    frozen = release.freeze(team, vid, by="data-owner")
    attempts = [
        lambda: flows.add_batches(team, vid, ["B-0001"], by="data-engineer"),
        lambda: flows.remove_batches(team, vid, ["B-0001"], by="data-engineer"),
        lambda: flows.set_datasheet(team, vid, {"objective": "x"}, by="data-engineer"),
        lambda: flows.decide_compliance(team, vid, by="legal-compliance", approve=False,
                                        conclusion="no"),
    ]
    for attempt in attempts:
        with pytest.raises(PolicyViolation) as info:
            attempt()
        assert str(info.value).startswith(f"version {pool.dataset.replace('raw-pool', 'DS-0001')}@1 is frozen: it cannot")
    assert audit_count(team, "version.refused", vid) == len(attempts)
    with pytest.raises(Conflict):
        release.freeze(team, vid, by="data-owner")
    assert flows.get_version(team, vid)[0] == frozen


def test_rollback_withdraws_and_moves_the_pointer_back(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.issues.lifecycle import open_issue

    pool, vid = _ready(team, tmp_path, sensitivity="public")
    v1 = release.freeze(team, vid, by="data-owner")
    v2 = flows.create_version(team, pool.dataset, by="data-engineer", batch_ids=["B-0001"])
    assert v2.parent_version_id == v1.id
    flows.set_datasheet(team, v2.id, FULL_DATASHEET, by="data-engineer")
    v2 = release.freeze(team, v2.id, by="data-owner")
    assert v2.number == 2 and v2.manifest_sha256 != v1.manifest_sha256
    issue = open_issue(team, title="label drift in v2", severity="P2", source="manual",
                       project_id="P-TEST")
    with pytest.raises(PolicyViolation) as info:
        release.rollback(team, v2.id, by="data-engineer", issue_id=issue.id, reason="drift")
    assert "expected data-owner; got 'data-engineer'" in str(info.value)
    withdrawn = release.rollback(team, v2.id, by="data-owner", issue_id=issue.id, reason="drift")
    assert withdrawn.state is VersionState.WITHDRAWN and withdrawn.manifest_sha256 == v2.manifest_sha256
    with team.db.session() as s:
        assert Datasets(s).by_name(pool.dataset).current_version_id == v1.id
    assert [i.id for i in release.known_defects(team, v2.id)] == [issue.id]
    with pytest.raises(IllegalTransition):
        release.rollback(team, v2.id, by="data-owner", issue_id=issue.id, reason="again")
    archived = release.archive(team, v1.id, by="data-owner")
    assert archived.state is VersionState.ARCHIVED
    with team.db.session() as s:
        assert Datasets(s).by_name(pool.dataset).current_version_id is None


def test_quarterly_baseline_has_lineage_and_known_limitations(team: Workspace, tmp_path: Path) -> None:
    pool, vid = _ready(team, tmp_path, sensitivity="public")
    frozen = release.freeze(team, vid, by="data-owner", baseline=True,
                            waive_procedure="procedure covered by tests/reviews")
    manifest = read_json(team.blobs, frozen.manifest_sha256 or "")
    base = manifest["baseline"]
    assert frozen.baseline and base["quarter"].endswith(("Q1", "Q2", "Q3", "Q4"))
    lineage = read_json(team.blobs, base["lineage_report_sha256"])
    assert [b["id"] for b in lineage["batches"]] == ["B-0001", "B-0002"]
    assert lineage["requirements"][0]["id"] == pool.requirement
    limits = read_json(team.blobs, base["known_limitations_sha256"])
    assert limits["inapplicable_scenarios"] == ["evaluation"]


def test_contamination_against_frozen_evaluation_sets(team: Workspace, tmp_path: Path) -> None:
    from dataflywheel.flows.data.versions import create_dataset

    pool, vid = _ready(team, tmp_path, sensitivity="public")
    create_dataset(team, "eval", project_id="P-TEST", owner_id="data-owner", purpose="evaluation",
                   sensitivity="public")
    from dataflywheel.flows.data.delivery import deliver

    eval_path = write_jsonl(tmp_path / "eval.jsonl", records("a", 20, seed=11))  # = batch a's texts
    eb = deliver(team, [eval_path], dataset="eval", contract_version_id="cleaned-raw-pool@1.0.0",
                 requirement_id=pool.requirement, delivered_by="data-engineer", engine="single")
    ev = flows.create_version(team, "eval", by="data-engineer", batch_ids=[eb.batch.id])
    flows.set_datasheet(team, ev.id, FULL_DATASHEET, by="data-engineer")
    release.freeze(team, ev.id, by="data-owner")
    stale = [c for c in release.check_gate(team, vid, approver="data-owner") if not c.met]
    assert [(c.code, c.problems) for c in stale] == [("c", [
        ("the quality report is stale: evaluation sets frozen since were not checked for "
        f"contamination; run flywheel versions refresh {vid}")])]
    again = flows.remove_batches(team, vid, ["B-0002"], by="data-engineer")
    assert again.quality_summary["contamination_checked"] is True
    assert again.quality_summary["metrics"]["contamination_rate"] == 1.0


def test_a_batch_under_a_quality_exception_joins_and_the_version_is_experimental(
    team: Workspace, tmp_path: Path,
) -> None:
    from datetime import timedelta

    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.governance import exceptions

    pool = setup_pool(team, sensitivity="public")
    bad = deliver_clean(pool, tmp_path / "d.jsonl", "d", seed=2, dup_every=4).batch
    x = exceptions.request(team, exceptions.ExceptionRequest(
        type="quality", scope=f"batch {bad.id}", reason="needed for a pilot",
        usage_restriction="pilot experiments only", isolation_label="pilot",
        outstanding_checks=["dedup"], expires_at=utcnow() + timedelta(days=7),
        batch_ids=[bad.id], project_id="P-TEST"), requested_by="data-engineer")
    for approver in ("data-owner", "algorithm-engineer"):
        exceptions.approve(team, x.id, approver=approver)
    version = flows.create_version(team, pool.dataset, by="data-engineer", batch_ids=[bad.id])
    flows.set_datasheet(team, version.id, FULL_DATASHEET, by="data-engineer")
    frozen = release.freeze(team, version.id, by="data-owner")
    assert frozen.experimental is True
    assert read_json(team.blobs, frozen.manifest_sha256 or "")["version"]["experimental"] is True


def test_openlineage_events_for_deliver_check_and_freeze(team: Workspace, tmp_path: Path) -> None:
    import json

    _, vid = _ready(team, tmp_path, sensitivity="public")
    frozen = release.freeze(team, vid, by="data-owner")
    path = team.settings.workspace / "lineage" / "events.jsonl"
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    done = [(e["job"]["name"], e["outputs"][0]["name"] if e["outputs"] else None)
            for e in events if e["eventType"] == "COMPLETE"]
    assert done == [("deliver", "batch/B-0001"), ("check", f"report/{_report(team, 'B-0001')}"),
                    ("deliver", "batch/B-0002"), ("check", f"report/{_report(team, 'B-0002')}"),
                    ("freeze", f"dataset/{frozen.label}")]


def _report(team: Workspace, batch_id: str) -> str:
    from dataflywheel.store.repositories.data import Batches

    with team.db.session() as s:
        return Batches(s).get(batch_id).report_sha256 or ""
