"""Exceptions over HTTP, and `flywheel exceptions` acting through the server.

On `seed_access`'s requested compliance exception of P-TEST (requested by tester; its slots are
Legal/Compliance and the Data Owner): the routes answer what the CLI's `--json` prints, decide
exactly whom the flow accepts (one distinct person per open slot, never the requester), refuse bad
input with nothing stored, and the CLI's state-changing commands act through the loopback server.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope

REQUEST: dict[str, Any] = {
    "type": "quality", "scope": "access-raw while near-duplicates are re-checked",
    "reason": "the check timed out", "usage_restriction": "exploration only",
    "isolation_label": "quarantine", "outstanding_checks": ["near_duplicates"],
    "expires_at": "2030-01-01T00:00:00+00:00", "project_id": "P-TEST",
}


def token(principals: dict[str, dict[str, str]], name: str) -> str:
    return principals[name]["Authorization"].split()[1]


def stored(ws: Any) -> list[Any]:
    from dataflywheel.flows.governance.exceptions import list_exceptions

    return list_exceptions(ws)


def test_each_slot_is_filled_once_by_its_role_then_revoked(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str],
        cli: Any) -> None:
    exc = seeded["exception"]
    # the requester, a wrong role, a data owner of another project
    for name in ("admin", "data-engineer", "outsider"):
        assert_envelope(api.post(f"/api/v1/exceptions/{exc}/approve", json={},
                                 headers=principals[name]), 403, "open approver slot")
    legal = api.post(f"/api/v1/exceptions/{exc}/approve", json={"note": "licence in hand"},
                     headers=principals["legal-compliance"])
    assert legal.status_code == 200, legal.text
    assert legal.json()["state"] == "requested" and legal.json()["open_slots"] == ["Data Owner"]
    assert legal.json() == json.loads(cli("exceptions", "show", exc, "--json").out)
    again = api.post(f"/api/v1/exceptions/{exc}/approve", json={},
                     headers=principals["legal-compliance"])
    assert_envelope(again, 403, "legal-compliance may not do this")
    owner = api.post(f"/api/v1/exceptions/{exc}/approve", json={},
                     headers=principals["data-owner"])
    assert owner.json()["state"] == "approved" and owner.json()["open_slots"] == []
    assert [a["approver_id"] for a in owner.json()["approvals"]] == ["legal-compliance",
                                                                     "data-owner"]
    assert_envelope(api.post(f"/api/v1/exceptions/{exc}/withdraw", json={},
                             headers=principals["data-owner"]), 403, "requester")
    revoked = api.post(f"/api/v1/exceptions/{exc}/revoke", json={"reason": "licence withdrawn"},
                       headers=principals["data-owner"])
    assert revoked.json()["state"] == "revoked"


def test_request_list_and_show_answer_what_the_cli_prints(
        api: TestClient, principals: dict[str, dict[str, str]], cli: Any, team: Any) -> None:
    made = api.post("/api/v1/exceptions", json={**REQUEST, "dataset_ids": ["DS-0001"]},
                    headers=principals["data-engineer"])
    assert made.status_code == 201, made.text
    assert made.json()["requested_by_id"] == "data-engineer"
    listed = api.get("/api/v1/exceptions", params={"project": "P-TEST", "limit": 1},
                     headers=principals["outsider"])
    assert_envelope(listed, 403, "member")
    page = api.get("/api/v1/exceptions", params={"project": "P-TEST", "limit": 1},
                   headers=principals["data-engineer"]).json()
    assert page["remaining"] == 1 and len(page["items"]) == 1
    everything = api.get("/api/v1/exceptions", params={"type": "quality"},
                         headers=principals["data-engineer"]).json()["items"]
    assert everything == json.loads(cli("exceptions", "list", "--type", "quality", "--json").out)
    shown = api.get(f"/api/v1/exceptions/{made.json()['id']}",
                    headers=principals["platform-engineer"])
    assert shown.json() == json.loads(cli("exceptions", "show", made.json()["id"], "--json").out)


@pytest.mark.parametrize(("change", "status", "needle"), [
    ({"dataset_ids": []}, 400, "must cover at least one batch"),
    ({"dataset_ids": ["DS-9999"]}, 404, "dataset DS-9999 does not exist"),
    ({"dataset_ids": ["DS-0001"], "outstanding_checks": []}, 400, "outstanding checks"),
    ({"dataset_ids": ["DS-0001"], "scope": "  "}, 400, "needs its scope"),
    ({"dataset_ids": ["DS-0001"], "expires_at": "2020-01-01T00:00:00+00:00"}, 400,
     "not in the future"),
    ({"dataset_ids": ["DS-0001"], "type": "compliance"}, 400, "source description"),
    ({"dataset_ids": ["DS-0001"], "approver": "me"}, 400, ""),
])
def test_a_bad_request_stores_nothing(api: TestClient, principals: dict[str, dict[str, str]],
                                      team: Any, change: dict[str, Any], status: int,
                                      needle: str) -> None:
    before = stored(team)
    answer = api.post("/api/v1/exceptions", json={**REQUEST, **change},
                      headers=principals["data-engineer"])
    assert_envelope(answer, status, needle)
    assert stored(team) == before


def test_the_cli_acts_through_the_server(
        live_server: Any, cli: Any, monkeypatch: pytest.MonkeyPatch, team: Any,
        principals: dict[str, dict[str, str]], seeded: dict[str, str]) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.delenv("FLYWHEEL_ON_CALL", raising=False)
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "quality-evaluator"))
    made = cli("exceptions", "request", "--type", "time", "--scope", "late batch",
               "--reason", "vendor delay", "--usage-restriction", "none",
               "--isolation-label", "late", "--expires", "2030-01-01", "--by",
               "quality-evaluator", "--outstanding", "spot_check", "--dataset", "DS-0001",
               "--json")
    assert made.code == 0, made.err
    record = json.loads(made.out)
    assert record == next(e.model_dump(mode="json") for e in stored(team)
                          if e.id == record["id"])
    refused = cli("exceptions", "approve", record["id"], "--by", "quality-evaluator")
    assert refused.code == 2 and "quality-evaluator may not do this" in refused.err
    on_call = cli("exceptions", "approve", record["id"], "--by", "quality-evaluator",
                  "--on-call", "quality-evaluator")
    assert on_call.code == 2 and "--on-call is not taken through the team server" in on_call.err
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "platform-engineer"))
    approved = cli("exceptions", "approve", record["id"], "--by", "platform-engineer")
    assert approved.code == 0 and f"{record['id']} (time) is approved" in approved.out
    revoked = cli("exceptions", "revoke", record["id"], "--by", "platform-engineer",
                  "--reason", "delivered", "--json")
    assert revoked.code == 0 and json.loads(revoked.out)["state"] == "revoked"
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "data-owner"))
    rejected = cli("exceptions", "reject", seeded["exception"], "--by", "data-owner",
                   "--reason", "no licence", "--json")
    assert rejected.code == 0 and json.loads(rejected.out)["state"] == "rejected"
    assert json.loads(rejected.out)["approvals"][0]["decision"] == "rejected"
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "admin"))
    made_again = cli("exceptions", "request", "--type", "format", "--scope", "csv",
                     "--reason", "legacy", "--usage-restriction", "none", "--isolation-label",
                     "csv", "--expires", "2030-01-01", "--by", "tester", "--outstanding",
                     "schema", "--dataset", "DS-0001", "--json")
    withdrawn = cli("exceptions", "withdraw", json.loads(made_again.out)["id"], "--by", "tester")
    assert withdrawn.code == 0 and "withdrew" in withdrawn.out
    swept = cli("exceptions", "sweep", "--json")
    assert swept.code == 0 and json.loads(swept.out) == {"expired": []}
