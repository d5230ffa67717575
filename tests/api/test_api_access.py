"""The asset registry and access grants over HTTP, and `flywheel access` acting through the server.

On the records of `seed_access` (the confidential asset "access-raw" with a requested grant, the
derived dataset "access-derived" and its candidate version): the routes answer what the CLI's
`--json` prints, decide exactly whom the flows accept, refuse bad input with nothing stored, and
the CLI's state-changing commands act through the loopback server as the token's person.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope


def token(principals: dict[str, dict[str, str]], name: str) -> str:
    return principals[name]["Authorization"].split()[1]


def stored_grants(ws: Any) -> list[Any]:
    from dataflywheel.flows.governance.access import list_grants

    return list_grants(ws)


def test_a_confidential_grant_needs_both_deciders_then_reads(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str]) -> None:
    grant = seeded["grant"]
    refused = api.post(f"/api/v1/grants/{grant}/approve", json={},
                       headers=principals["algorithm-engineer"])
    assert_envelope(refused, 403, "only the sharing Accountable")
    first = api.post(f"/api/v1/grants/{grant}/approve", json={"note": "ok"},
                     headers=principals["data-owner"])
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "requested" and first.json()["approved_by_id"] == "data-owner"
    second = api.post(f"/api/v1/grants/{grant}/approve", json={},
                      headers=principals["legal-compliance"])
    assert second.json()["state"] == "active"
    assert second.json()["compliance_approved_by_id"] == "legal-compliance"
    version = api.post(f"/api/v1/versions/{seeded['access_version']}/assets", json={},
                       headers=principals["data-engineer"])
    assert version.status_code == 201 and version.json()["kind"] == "dataset_version"
    asked = api.get(f"/api/v1/versions/{seeded['access_version']}/access",
                    params={"person": "algorithm-engineer"}, headers=principals["data-owner"])
    assert asked.status_code == 200 and asked.json()["person"] == "algorithm-engineer"
    revoked = api.post(f"/api/v1/grants/{grant}/revoke", json={"reason": "evaluation ended"},
                       headers=principals["legal-compliance"])
    assert revoked.json()["state"] == "revoked" and revoked.json()["end_reason"] == \
        "evaluation ended"


def test_the_requester_never_decides_their_own_request(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str],
        team: Any) -> None:
    made = api.post(f"/api/v1/assets/{seeded['asset']}/grants", headers=principals["data-owner"],
                    json={"grantee": "quality-evaluator", "purpose": "spot checks", "days": 7})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["requested_by_id"] == "data-owner" and body["sensitivity"] == "confidential"
    before = stored_grants(team)
    own = api.post(f"/api/v1/grants/{body['id']}/approve", json={},
                   headers=principals["data-owner"])
    assert_envelope(own, 403, "data-owner may not do this")
    assert stored_grants(team) == before


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"grantee": "quality-evaluator", "purpose": "x", "days": 7, "expires_at":
      "2026-12-30T00:00:00+00:00"}, 400, "exactly one of expires_at and days"),
    ({"grantee": "quality-evaluator", "purpose": "x"}, 400, "exactly one of expires_at and days"),
    ({"grantee": "quality-evaluator", "purpose": "   ", "days": 7}, 400, "needs its purpose"),
    ({"grantee": "quality-evaluator", "purpose": "x", "days": 91}, 400, ""),
    ({"grantee": "nobody-here", "purpose": "x", "days": 7}, 404, "person nobody-here"),
    ({"grantee": "quality-evaluator", "purpose": "x", "expires_at": "2020-01-01T00:00:00+00:00"},
     400, "not in the future"),
])
def test_a_bad_grant_request_stores_nothing(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str],
        team: Any, body: dict[str, Any], status: int, needle: str) -> None:
    before = stored_grants(team)
    answer = api.post(f"/api/v1/assets/{seeded['asset']}/grants", json=body,
                      headers=principals["data-engineer"])
    assert_envelope(answer, status, needle)
    assert stored_grants(team) == before


def test_register_derive_regrade_by_whom_the_flows_accept(
        api: TestClient, principals: dict[str, dict[str, str]], seeded: dict[str, str]) -> None:
    dataset = seeded["access_dataset"]
    assert_envelope(api.post(f"/api/v1/datasets/{dataset}/assets", json={},
                             headers=principals["algorithm-engineer"]), 403,
                    "the dataset's owner or the sharing Accountable")
    made = api.post(f"/api/v1/datasets/{dataset}/assets", json={"description": "cleaned"},
                    headers=principals["data-engineer"])
    assert made.status_code == 201 and made.json()["owner_id"] == "data-engineer"
    # derived from a confidential source, it grades confidential until Legal re-grades it
    assert made.json()["sensitivity"] == "internal"
    graded = api.get(f"/api/v1/datasets/{dataset}/grade", headers=principals["outsider"])
    assert graded.json()["level"] == "confidential" and graded.json()["sources"]
    assert_envelope(api.post(f"/api/v1/datasets/{dataset}/regrade", headers=principals[
        "data-owner"], json={"level": "internal", "reason": "de-identified"}), 403,
        "Legal/Compliance")
    regraded = api.post(f"/api/v1/datasets/{dataset}/regrade", headers=principals[
        "legal-compliance"], json={"level": "internal", "reason": "de-identified"})
    assert regraded.status_code == 201 and regraded.json()["level"] == "internal"
    assert api.get(f"/api/v1/datasets/{dataset}/grade",
                   headers=principals["outsider"]).json()["level"] == "internal"
    derived = api.post(f"/api/v1/datasets/{dataset}/derivations", headers=principals[
        "data-owner"], json={"source": "access-raw", "method": "annotation"})
    assert derived.status_code == 201 and derived.json()["recorded_by_id"] == "data-owner"


def test_lists_page_and_filter(api: TestClient, principals: dict[str, dict[str, str]],
                               seeded: dict[str, str]) -> None:
    for grantee in ("quality-evaluator", "platform-engineer"):
        api.post(f"/api/v1/assets/{seeded['asset']}/grants", headers=principals["data-owner"],
                 json={"grantee": grantee, "purpose": "spot checks", "days": 7})
    first = api.get("/api/v1/grants", params={"limit": 2}, headers=principals["outsider"]).json()
    assert len(first["items"]) == 2 and first["remaining"] == 1 and first["next_cursor"]
    rest = api.get("/api/v1/grants", params={"limit": 2, "cursor": first["next_cursor"]},
                   headers=principals["outsider"]).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    mine = api.get("/api/v1/grants", params={"grantee": "platform-engineer"},
                   headers=principals["outsider"]).json()["items"]
    assert [g["grantee_id"] for g in mine] == ["platform-engineer"]
    assets = api.get("/api/v1/assets", params={"project": "P-OTHER"},
                     headers=principals["outsider"]).json()
    assert assets["items"] == []
    assert_envelope(api.get("/api/v1/grants", params={"state": "lost"},
                            headers=principals["outsider"]), 400, "")
    assert_envelope(api.get(f"/api/v1/versions/{seeded['access_version']}/reads",
                            headers=principals["outsider"]), 403, "member")


def test_the_api_answers_what_the_cli_prints(
        api: TestClient, cli: Any, principals: dict[str, dict[str, str]],
        seeded: dict[str, str]) -> None:
    version, dataset = seeded["access_version"], seeded["access_dataset"]
    for path, args in ((f"/api/v1/versions/{version}/grade", ("access", "grade", version)),
                       (f"/api/v1/datasets/{dataset}/grade", ("access", "grade", dataset)),
                       (f"/api/v1/versions/{version}/access?person=algorithm-engineer",
                        ("access", "check", "--person", "algorithm-engineer", "--version",
                         version))):
        local = cli(*args, "--json")
        assert json.loads(local.out) == api.get(path, headers=principals["data-owner"]).json()
    local = json.loads(cli("access", "list", "--json").out)
    answer = api.get("/api/v1/grants", headers=principals["data-owner"]).json()
    assert local == answer["items"]
    reads = api.get(f"/api/v1/versions/{version}/reads", headers=principals["data-owner"])
    assert reads.json()["items"] == json.loads(cli("access", "reads", version, "--json").out)


def test_the_cli_acts_through_the_server_as_the_tokens_person(
        live_server: Any, cli: Any, monkeypatch: pytest.MonkeyPatch, team: Any,
        principals: dict[str, dict[str, str]], seeded: dict[str, str]) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "data-owner"))
    made = cli("access", "request", seeded["asset"], "--grantee", "quality-evaluator",
               "--purpose", "spot checks", "--days", "7", "--by", "data-owner", "--json")
    assert made.code == 0, made.err
    grant = json.loads(made.out)
    assert grant == next(g.model_dump(mode="json") for g in stored_grants(team)
                         if g.id == grant["id"])
    plain = cli("access", "approve", grant["id"], "--by", "data-owner")
    assert plain.code == 2 and "data-owner may not do this" in plain.err
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "legal-compliance"))
    approved = cli("access", "approve", grant["id"], "--by", "legal-compliance")
    assert approved.code == 0 and f"{grant['id']} is requested (waiting for the other " \
        "approval)" in approved.out
    wrong = cli("access", "deny", grant["id"], "--by", "data-owner", "--reason", "no")
    assert wrong.code == 2 and "the token acts as legal-compliance" in wrong.err
    back = cli("access", "approve", grant["id"], "--by", "legal-compliance", "--now",
               "2026-12-01")
    assert back.code == 2 and "--now is not taken through the team server" in back.err
    swept = cli("access", "sweep", "--json")
    assert swept.code == 0 and json.loads(swept.out) == {"expired": []}
    revoked = cli("access", "revoke", "--grantee", "algorithm-engineer", "--by",
                  "legal-compliance", "--reason", "offboarded", "--json")
    assert revoked.code == 0 and json.loads(revoked.out) == {"revoked": []}
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "data-engineer"))
    registered = cli("access", "register", "--dataset", seeded["access_dataset"], "--by",
                     "data-engineer")
    assert registered.code == 0 and f"registered dataset asset {seeded['access_dataset']}" in \
        registered.out
    derived = cli("access", "derive", seeded["access_dataset"], "--from", "access-raw", "--method",
                  "generation", "--by", "data-engineer", "--json")
    assert derived.code == 0 and json.loads(derived.out)["method"] == "generation"
    monkeypatch.setenv("FLYWHEEL_TOKEN", token(principals, "legal-compliance"))
    regraded = cli("access", "regrade", seeded["access_dataset"], "--level", "internal", "--reason",
                   "de-identified", "--by", "legal-compliance", "--json")
    assert regraded.code == 0 and json.loads(regraded.out)["approved_by_id"] == \
        "legal-compliance"


@pytest.mark.parametrize("value", ["nope", "@", "access-raw@x", "V-", "DS-0001@99", "x" * 300])
def test_odd_record_names_are_a_4xx_never_a_5xx(
        api: TestClient, principals: dict[str, dict[str, str]], value: str) -> None:
    """Every access and exception route, with an odd or unknown record in its path."""
    from test_policy import example_request

    openapi = api.app.openapi()  # type: ignore[attr-defined]
    for method, path in [(m, p) for m, p in api.app.state.policy  # type: ignore[attr-defined]
                         if "{" in p and p.split("/")[3] in {"assets", "grants", "datasets",
                                                            "versions", "exceptions", "people"}
                         and "tokens" not in p]:
        names = dict.fromkeys(re.findall(r"{(\w+)}", path), value)
        request = example_request(openapi, method, path, names)
        answer = api.request(method, request["url"], json=request.get("json"),
                             headers=principals["data-owner"])
        assert 400 <= answer.status_code < 500, (method, path, answer.text)
        assert_envelope(answer, answer.status_code)
