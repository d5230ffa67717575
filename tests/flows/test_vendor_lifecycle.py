"""A vendor's lifecycle (Table 24-21) on a real workspace, both backends: onboarding evidence
gates dispatch, dispatch cites a guide version in effect and its examples, calibration is scored
automatically and drift alerts, offboarding revokes grants through the access flow, archives the
deliverables and records the deletion confirmation; the scorecard breaks down per guide version
and annotator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from datapool_helpers import CONTRACT, records, setup_pool, write_jsonl
from guide_helpers import guide_text

from dataflywheel.domain.records.base import utcnow
from dataflywheel.domain.records.people import Person, Vendor
from dataflywheel.errors import BadInput, NotFound, PolicyViolation
from dataflywheel.flows import vendors as flow
from dataflywheel.flows.contracts.guides import add_guide
from dataflywheel.flows.governance.people import add_person, add_vendor
from dataflywheel.flows.notifications import inbox
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.guides import VendorEvidences

AE = "annotation-engineer"
V = "v-acme"


def _vendor(ws: Workspace) -> None:
    add_vendor(ws, Vendor(id=V, name="Acme Labeling"))
    add_person(ws, Person(id="acme-1", name="Acme annotator", vendor_id=V))
    add_guide(ws, guide_text().encode(), source="g.md", by=AE)


def _onboard(ws: Workspace, *, test_passed: bool = True) -> None:
    for kind in ("confidentiality", "compliance", "tool_training"):
        flow.record(ws, V, kind, by=AE, note=f"{kind} signed")
    flow.record(ws, V, "test_task", passed=test_passed, score=0.96 if test_passed else 0.7, by=AE)


def _evidence(ws: Workspace) -> int:
    with ws.db.session() as s:
        return len(VendorEvidences(s).of_vendor(V))


def test_work_goes_only_to_an_onboarded_vendor(team: Workspace) -> None:
    _vendor(team)
    with pytest.raises(PolicyViolation) as info:
        flow.dispatch(team, V, task_id="T-1", guide_version="sft-guide@1.2.0", by=AE)
    assert str(info.value).startswith(
        "vendor v-acme may not receive work: confidentiality not confirmed; compliance not "
        "confirmed; tool_training not confirmed; test_task not confirmed")
    _onboard(team, test_passed=False)
    with pytest.raises(PolicyViolation, match="test_task not passed"):
        flow.dispatch(team, V, task_id="T-1", guide_version="sft-guide@1.2.0", by=AE)
    assert _evidence(team) == 4  # the refusals stored nothing
    flow.record(team, V, "test_task", passed=True, score=0.95, by=AE)
    task = flow.dispatch(team, V, task_id="T-1", guide_version="sft-guide@1.2.0", by=AE)
    assert task.stage.value == "dispatch" and task.guide_version == "sft-guide@1.2.0"
    assert task.details == {"examples": ["EX-1", "EX-2", "EX-3"]}
    cited = flow.dispatch(team, V, task_id="T-2", guide_version="sft-guide@1.2.0",
                          examples=["EX-2"], by=AE)
    assert cited.details == {"examples": ["EX-2"]}


def test_dispatch_bad_inputs_are_refused(team: Workspace) -> None:
    _vendor(team)
    _onboard(team)
    with pytest.raises(NotFound, match="guide version sft-guide@9.0.0 does not exist"):
        flow.dispatch(team, V, task_id="T", guide_version="sft-guide@9.0.0", by=AE)
    with pytest.raises(BadInput, match="sft-guide@1.2.0 has no example 'EX-9'"):
        flow.dispatch(team, V, task_id="T", guide_version="sft-guide@1.2.0", examples=["EX-9"],
                      by=AE)
    with pytest.raises(BadInput, match="a test task carries its quality result"):
        flow.record(team, V, "test_task", by=AE)
    with pytest.raises(BadInput, match="unknown evidence kind 'bribe'"):
        flow.record(team, V, "bribe", by=AE)
    with pytest.raises(PolicyViolation, match="data-engineer may not record confidentiality"):
        flow.record(team, V, "confidentiality", by="data-engineer")
    assert _evidence(team) == 4


def test_calibration_is_scored_per_annotator_and_drift_alerts(team: Workspace) -> None:
    _vendor(team)
    gold = {"g1": "helpful", "g2": "unhelpful", "g3": "helpful", "g4": "unhelpful"}
    good = [(i, "a1", label) for i, label in gold.items()] + [("x9", "a1", "helpful")]
    ok = flow.calibrate(team, V, gold=gold, answers=good, guide_version="sft-guide@1.2.0", by=AE)
    assert ok.calibration is not None and ok.calibration.accuracy == 1.0 and ok.alert is None
    drifting = good[:4] + [("g1", "a2", "unhelpful"), ("g2", "a2", "unhelpful"),
                           ("g3", "a2", "unhelpful"), ("g4", "a2", "unhelpful")]
    bad = flow.calibrate(team, V, gold=gold, answers=drifting, by=AE)
    assert bad.calibration is not None
    assert bad.calibration.by_annotator == {"a1": 1.0, "a2": 0.5}
    assert bad.evidence.score == 0.75 and bad.evidence.passed is False
    assert bad.alert is not None and bad.alert.note == "calibration accuracy 75.00% below 90%"
    assert [n.kind for n in inbox(team, AE)] == ["vendor_drift"]
    with pytest.raises(BadInput, match="no answer is to a gold item"):
        flow.calibrate(team, V, gold=gold, answers=[("x1", "a1", "helpful")], by=AE)


def test_process_figures_alert_past_their_limits(team: Workspace) -> None:
    _vendor(team)
    calm = flow.monitor(team, V, rework_rate=0.05, disputed_share=0.01, response_delay_hours=4,
                        by=AE)
    assert calm.alert is None
    hot = flow.monitor(team, V, rework_rate=0.2, response_delay_hours=30, by=AE)
    assert hot.alert is not None
    assert hot.alert.details["reasons"] == ["rework rate 20.00% above 10%",
                                            "response delay 30 h above 24 h"]
    with pytest.raises(BadInput, match="rework_rate out of range"):
        flow.monitor(team, V, rework_rate=1.5, by=AE)
    with pytest.raises(BadInput, match="no figure given"):
        flow.monitor(team, V, by=AE)


def test_offboarding_revokes_archives_and_records_the_deletion(team: Workspace,
                                                               tmp_path: Path) -> None:
    from dataflywheel.flows.data.delivery import deliver
    from dataflywheel.flows.governance import access
    from dataflywheel.store.repositories.people import People, Vendors

    _vendor(team)
    _onboard(team)
    pool = setup_pool(team)
    path = write_jsonl(tmp_path / "v.jsonl", records("v", 20, seed=4))
    batch = deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                    requirement_id=pool.requirement, delivered_by=V,
                    guide_version="sft-guide@1.2.0", engine="single").batch
    asset = access.register(team, by="data-owner", dataset=pool.dataset)
    grant = access.request(team, asset.id, grantee="acme-1", purpose="annotate batch",
                           expires_at=utcnow() + timedelta(days=30), requested_by="acme-1")
    access.approve(team, grant.id, approver="data-owner")
    with pytest.raises(BadInput, match="needs a reason and the data-deletion confirmation"):
        flow.offboard_vendor(team, V, reason="contract ended", deletion_confirmation=" ", by=AE)
    done = flow.offboard_vendor(team, V, reason="contract ended",
                                deletion_confirmation="Acme deleted all task data on 2026-12-01, "
                                                      "signed certificate DC-77", by=AE)
    assert done.people == ["acme-1"] and done.grants_revoked == [grant.id]
    assert done.archived == [batch.id]
    assert [e.kind.value for e in done.evidence] == [
        "grants_revoked", "deliverables_archived", "deletion_confirmed"]
    assert done.evidence[2].note.endswith("signed certificate DC-77")
    with team.db.session() as s:
        assert Vendors(s).get(V).active is False and People(s).get("acme-1").active is False
    assert [g.state.value for g in access.list_grants(team, grantee="acme-1")] == ["revoked"]
    with pytest.raises(PolicyViolation, match="the vendor is offboarded"):
        flow.dispatch(team, V, task_id="T-9", guide_version="sft-guide@1.2.0", by=AE)


def test_the_scorecard_breaks_down_per_guide_version_and_annotator(team: Workspace,
                                                                   tmp_path: Path) -> None:
    from dataflywheel.flows.data.delivery import deliver

    _vendor(team)
    _onboard(team)
    pool = setup_pool(team)
    for n, guide in enumerate(("sft-guide@1.2.0", "sft-guide@1.2.0")):
        path = write_jsonl(tmp_path / f"v{n}.jsonl", records(f"v{n}", 20, seed=n,
                                                             dup_every=2 if n else 0))
        deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                requirement_id=pool.requirement, delivered_by=V, annotator_ids=["a1"],
                guide_version=guide, engine="single")
    flow.calibrate(team, V, gold={"g": "helpful"}, answers=[("g", "a1", "helpful")], by=AE)
    card = flow.scorecard(team, V)
    assert card.may_receive_work and card.missing == []
    passing = next(f for f in card.by_guide_version if f.metric == "batch_pass_rate")
    assert passing.value == 0.5 and passing.samples == 2
    assert [(g.group, g.value) for g in passing.breakdown] == [("sft-guide@1.2.0", 0.5)]
    per_annotator = next(f for f in card.by_annotator if f.metric == "batch_pass_rate")
    assert [g.group for g in per_annotator.breakdown] == ["a1"]
    assert [c["accuracy"] for c in card.calibrations] == [1.0]
    # the series over time: both batches fall in this week, one passed
    [week] = card.by_week
    assert week.batches == 2 and week.figures["batch_pass_rate"] == 0.5


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_the_scorecard_is_a_series_of_weeks(team: Workspace, tmp_path: Path) -> None:
    from datetime import timedelta

    from dataflywheel.domain.calendar import iso_week
    from dataflywheel.domain.records.base import utcnow
    from dataflywheel.flows.data.delivery import deliver

    _vendor(team)
    _onboard(team)
    pool = setup_pool(team)
    start = utcnow()
    for n, at in enumerate((start, start + timedelta(days=8))):
        path = write_jsonl(tmp_path / f"w{n}.jsonl", records(f"w{n}", 20, seed=n,
                                                             dup_every=2 if n else 0))
        deliver(team, [path], dataset=pool.dataset, contract_version_id=CONTRACT,
                requirement_id=pool.requirement, delivered_by=V, annotator_ids=["a1"],
                guide_version="sft-guide@1.2.0", engine="single", now=at)
    card = flow.scorecard(team, V, until=start + timedelta(days=30))
    assert [(w.week, w.batches, w.figures["batch_pass_rate"]) for w in card.by_week] == [
        (iso_week(start), 1, 1.0), (iso_week(start + timedelta(days=8)), 1, 0.0)]
