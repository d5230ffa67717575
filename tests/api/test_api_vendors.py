"""A vendor's lifecycle over HTTP: the same flows as `flywheel vendors …`, acted as the token's
person; a dispatch to a vendor not onboarded is refused (403) and stores nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

V = "/api/v1/vendors"


def test_onboard_dispatch_calibrate_and_scorecard(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str], cli: Any) -> None:
    ops = principals["annotation-engineer"]
    assert api.post(V, json={"id": "v-new", "name": "New Labeling"}, headers=ops).status_code == 201
    refused = api.post(f"{V}/v-new/dispatch", headers=ops,
                       json={"task_id": "T-1", "guide_version": "sft-guide@1.2.0"})
    assert_envelope(refused, 403, "vendor v-new may not receive work")
    for kind in ("confidentiality", "compliance", "tool_training"):
        made = api.post(f"{V}/v-new/evidence", json={"kind": kind}, headers=ops)
        assert made.status_code == 201 and made.json()["recorded_by"] == "annotation-engineer"
    api.post(f"{V}/v-new/evidence", json={"kind": "test_task", "score": 0.97}, headers=ops)
    sent = api.post(f"{V}/v-new/dispatch", headers=ops,
                    json={"task_id": "T-1", "guide_version": "sft-guide@1.2.0"})
    assert sent.status_code == 201 and sent.json()["details"]["examples"] == ["EX-1", "EX-2", "EX-3"]
    cal = api.post(f"{V}/v-new/calibrations", headers=ops, json={
        "gold": {"g1": "helpful", "g2": "helpful"},
        "answers": [["g1", "a1", "helpful"], ["g2", "a1", "unhelpful"]]})
    assert cal.status_code == 201 and cal.json()["alert"]["kind"] == "drift_alert"
    card = api.get(f"{V}/v-new/scorecard", headers=principals["outsider"])
    assert card.json() == cli("vendors", "scorecard", "v-new", "--json").json()


def test_only_an_annotation_engineer_writes_vendor_evidence(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str]) -> None:
    before = api.get(f"{V}/v-seed/scorecard", headers=principals["outsider"]).json()
    assert_envelope(api.post(f"{V}/v-seed/evidence", json={"kind": "retraining"},
                             headers=principals["data-engineer"]), 403)
    after = api.get(f"{V}/v-seed/scorecard", headers=principals["outsider"]).json()
    assert after["evidence"] == before["evidence"]
