"""The governance core over HTTP: people and roles, teams, vendors, projects, the RACI matrix and
consultations, administrators, the audit log and the inbox — on the real app and on the loopback
server, each answer compared with what the CLI prints for the same question, and the CLI acting
through the server (`FLYWHEEL_SERVER`) printing what it prints locally."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope

Remote = Callable[[str], None]


@pytest.fixture
def remote(monkeypatch: pytest.MonkeyPatch, live_server: Any,
           principals: dict[str, dict[str, str]]) -> Remote:
    """`remote(name)`: the CLI acts through the loopback server with principal `name`'s token."""

    def act_as(name: str) -> None:
        monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
        monkeypatch.setenv("FLYWHEEL_TOKEN", principals[name]["Authorization"].split()[1])

    return act_as


def local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWHEEL_SERVER", raising=False)
    monkeypatch.delenv("FLYWHEEL_TOKEN", raising=False)


def audit_count(ws: Any) -> int:
    from sqlalchemy import func, select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


# --- reads: the API answers what the CLI prints --------------------------------------------------


def test_people_list_and_show_answer_the_cli_rows(api: TestClient, cli: Any,
                                                  principals: dict[str, dict[str, str]]) -> None:
    page = api.get("/api/v1/people", params={"limit": 3}, headers=principals["outsider"]).json()
    assert page["items"] == cli("people", "list", "--limit", "3", "--json").json()
    assert page["next_cursor"] and page["remaining"] > 0
    rest = api.get("/api/v1/people", params={"cursor": page["next_cursor"], "limit": 1000},
                   headers=principals["outsider"]).json()
    assert len(page["items"]) + len(rest["items"]) == len(cli("people", "list", "--all",
                                                              "--json").out.splitlines())
    one = api.get("/api/v1/people/data-owner", headers=principals["data-engineer"])
    assert one.json() == cli("people", "show", "data-owner", "--json").json()
    assert one.json()["roles"] == ["data_owner"] and one.json()["logins"] == ["data-owner"]
    assert_envelope(api.get("/api/v1/people/nobody", headers=principals["admin"]), 404, "nobody")


def test_roles_teams_vendors_projects_admins_answer_the_cli(
        api: TestClient, cli: Any, principals: dict[str, dict[str, str]]) -> None:
    who = principals["algorithm-engineer"]
    assert api.get("/api/v1/roles", headers=who).json() == cli("roles", "list", "--json").json()
    for noun in ("teams", "vendors", "projects"):
        page = api.get(f"/api/v1/{noun}", headers=who).json()
        assert page["items"] == cli(noun, "list", "--json").json(), noun
    assert api.get("/api/v1/projects/P-TEST", headers=who).json() == cli(
        "projects", "show", "P-TEST", "--json").json()
    active = api.get("/api/v1/projects", params={"status": "paused"}, headers=who).json()
    assert active["items"] == []
    assert api.get("/api/v1/admins", headers=who).json() == cli("admins", "list", "--json").json()


def test_raci_reads_answer_the_cli(api: TestClient, cli: Any,
                                   principals: dict[str, dict[str, str]]) -> None:
    who = principals["outsider"]
    assert api.get("/api/v1/raci", headers=who).json() == cli("raci", "show", "--json").json()
    answer = api.get("/api/v1/raci/items/data_version_rollback/who",
                     params={"project": "P-TEST"}, headers=who)
    assert answer.json() == cli("raci", "who", "data_version_rollback", "--project", "P-TEST",
                                "--json").json()
    assert answer.json()["accountable"] == "data-owner"
    assert api.get("/api/v1/raci/check", headers=who).json() == {"ok": True, "problems": []}
    assert_envelope(api.get("/api/v1/raci/items/data_version_rollback/who",
                            params={"project": "P-NONE"}, headers=who), 404, "P-NONE")


def test_audit_head_and_verify_answer_the_cli(api: TestClient, cli: Any, team: Any,
                                              principals: dict[str, dict[str, str]],
                                              tmp_path: Any) -> None:
    import json

    who = principals["quality-evaluator"]
    full = api.post("/api/v1/audit/verify", json={}, headers=who).json()
    local_ = cli("audit", "verify", "--json").json()
    assert full == local_ | {"entries": full["entries"]} and full["ok"] is True
    assert full["entries"] >= local_["entries"]  # reading through the API audits nothing new
    head = api.get("/api/v1/audit/head", headers=who).json()
    assert head["format"] == "flywheel-audit-head/1" and head["seq"] == full["entries"]
    team_ws = team
    from dataflywheel.domain.records.people import Team
    from dataflywheel.flows.governance.people import add_team

    add_team(team_ws, Team(id="T-NEW", name="After the head"))
    step = api.post("/api/v1/audit/verify", json={"head": head, "incremental": True},
                    headers=who).json()
    path = tmp_path / "head.json"
    path.write_text(json.dumps(head))
    key = tmp_path / "server.pub"  # the CLI here runs without the server's key: name its public half
    key.write_text(head["public_key"])
    res = cli("audit", "verify", "--head", str(path), "--public-key", str(key), "--incremental",
              "--json")
    assert res.code == 0, res.err + res.out
    assert step == res.json()
    assert step["ok"] and step["checked"] == 2 and step["first_seq"] == head["seq"]
    assert_envelope(api.post("/api/v1/audit/verify", json={"incremental": True}, headers=who),
                    400, "incremental needs a signed head")


def test_a_second_full_verify_while_one_runs_is_told_to_come_back(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.api.routers.audit import FULL_VERIFY, RETRY_AFTER_S

    with FULL_VERIFY:
        busy = api.post("/api/v1/audit/verify", json={}, headers=principals["data-owner"])
    assert_envelope(busy, 503, "already running")
    assert busy.headers["retry-after"] == str(RETRY_AFTER_S)
    assert api.post("/api/v1/audit/verify", json={},
                    headers=principals["data-owner"]).json()["ok"] is True


def test_the_inbox_is_the_callers_own_and_paged(api: TestClient, cli: Any, seeded: dict[str, str],
                                                principals: dict[str, dict[str, str]]) -> None:
    mine = api.get("/api/v1/inbox", headers=principals["data-engineer"]).json()
    rows = cli("inbox", "data-engineer", "--json").json()
    assert mine["items"] == rows and rows  # the seeded consultation notified them
    assert all(n["to_person_id"] == "data-engineer" for n in mine["items"])
    first = api.get("/api/v1/inbox", params={"limit": 1}, headers=principals["data-engineer"])
    assert first.json()["items"] == rows[:1]
    assert api.get("/api/v1/inbox", headers=principals["admin"]).json()["items"] == cli(
        "inbox", "tester", "--json").json()


# --- writes: the rule, the flow, nothing stored when refused -------------------------------------


def test_adding_people_is_for_administrators_and_bad_input_stores_nothing(
        api: TestClient, team: Any, principals: dict[str, dict[str, str]]) -> None:
    body = {"id": "ana", "name": "Ana", "roles": ["data_engineer"], "project": "P-TEST"}
    before = audit_count(team)
    refused = api.post("/api/v1/people", json=body, headers=principals["data-owner"])
    assert_envelope(refused, 403, "only a server administrator may")
    bad = api.post("/api/v1/people", json=body | {"id": "no spaces"}, headers=principals["admin"])
    assert_envelope(bad, 400, "body.id")
    unknown = api.post("/api/v1/people", json=body | {"team": "T-NONE"},
                       headers=principals["admin"])
    assert_envelope(unknown, 404, "team T-NONE does not exist")
    assert_envelope(api.post("/api/v1/people", json=body | {"login": "ana"},
                             headers=principals["admin"]), 400, "body.login")
    assert audit_count(team) == before
    assert api.get("/api/v1/people/ana", headers=principals["admin"]).status_code == 404
    made = api.post("/api/v1/people", json=body, headers=principals["admin"])
    assert made.status_code == 201 and made.json()["roles"] == ["data_engineer"]
    assert api.get("/api/v1/people/ana", headers=principals["admin"]).json()["roles"] == [
        "data_engineer@P-TEST"]


def test_the_audit_names_the_token_person(api: TestClient, team: Any,
                                          principals: dict[str, dict[str, str]]) -> None:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    api.post("/api/v1/vendors", json={"id": "V-X", "name": "X"},
             headers=principals["annotation-engineer"])
    with team.db.session() as s:
        actor = s.scalar(select(AuditEntryRow.actor).where(AuditEntryRow.record_id == "V-X"))
    assert actor == "annotation-engineer"


def test_raci_import_is_the_data_owners_and_a_bad_matrix_changes_nothing(
        api: TestClient, cli: Any, team: Any, principals: dict[str, dict[str, str]]) -> None:
    shown = api.get("/api/v1/raci", headers=principals["admin"]).json()
    refused = api.post("/api/v1/raci/import", json={"matrix": shown},
                       headers=principals["admin"])
    assert_envelope(refused, 403, "only a data_owner of the project may")
    two_a = {"items": [{"id": "x", "title": "X", "A": ["data_owner", "data_engineer"]}]}
    before = audit_count(team)
    bad = api.post("/api/v1/raci/import", json={"matrix": two_a},
                   headers=principals["data-owner"])
    body = assert_envelope(bad, 400, "")
    assert "x" in body["error"] and body["errors"][0]["path"] == "request body: matrix"
    assert audit_count(team) == before
    assert api.get("/api/v1/raci", headers=principals["admin"]).json() == shown
    shown["items"][0]["C"] = []
    done = api.post("/api/v1/raci/import", json={"matrix": shown, "reason": "nobody consulted"},
                    headers=principals["data-owner"])
    assert done.json() == {"ok": True, "items": len(shown["items"]), "projects": []}
    assert cli("raci", "show", "--json").json()["items"] == shown["items"]


def test_consultations_answered_only_by_the_person_asked(
        api: TestClient, cli: Any, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    url = f"/api/v1/raci/consultations/{seeded['consultation']}/answer"
    refused = api.post(url, json={"response": "not mine"}, headers=principals["admin"])
    assert_envelope(refused, 403, "only the consulted person the consultation names may")
    done = api.post(url, json={"response": "ok by me"}, headers=principals["data-engineer"])
    assert done.json()["state"] == "answered" and done.json()["outcome"] == "answered: ok by me"
    listed = api.get("/api/v1/raci/consultations",
                     params={"record_kind": "dataset_version", "record_id": "V-0001"},
                     headers=principals["outsider"]).json()
    assert listed["items"] == cli("raci", "consultations", "--on", "dataset_version:V-0001",
                                  "--json").json()
    assert_envelope(api.post("/api/v1/raci/consultations/CNS-9999/answer",
                             json={"response": "x"}, headers=principals["admin"]), 404, "CNS-9999")


# --- the CLI through the server ------------------------------------------------------------------


def test_people_commands_through_the_server_print_what_they_print_locally(
        cli: Any, remote: Remote, monkeypatch: pytest.MonkeyPatch) -> None:
    remote("admin")
    added = cli("people", "add", "bo", "Bo", "--role", "Quality Evaluator", "--json")
    assert added.code == 0, added.err
    granted = cli("people", "grant-role", "bo", "data_engineer", "--project", "P-TEST", "--json")
    assert granted.json()["id"] == "bo:data_engineer:P-TEST"
    revoked = cli("people", "revoke-role", "bo", "quality_evaluator", "--reason", "moved")
    assert revoked.out.strip() == "bo no longer holds quality_evaluator"
    assert cli("teams", "add", "T-EVAL", "Evaluation", "--lead", "bo", "--json").code == 0
    gone = cli("people", "offboard", "bo", "--reason", "left", "--json")
    assert gone.json() == {"person": "bo", "active": False, "roles_removed":
                           ["data_engineer@P-TEST"], "logins_unbound": [], "grants_revoked": [],
                           "grants_denied": [], "tokens_revoked": []}
    assert cli("people", "whoami", "--json").json()["person"] == "tester"
    local(monkeypatch)
    shown = cli("people", "show", "bo", "--json").json()
    assert {k: shown[k] for k in ("id", "name", "active", "roles")} == {
        "id": "bo", "name": "Bo", "active": False, "roles": []}
    assert added.json() == {k: v for k, v in shown.items() if k != "logins"} | {
        "active": True, "roles": ["quality_evaluator"]}
    assert cli("teams", "list", "--json").json()[-1] == {"id": "T-EVAL", "name": "Evaluation",
                                                         "lead_id": "bo"}


def test_a_refused_command_through_the_server_exits_2_with_its_message(
        cli: Any, remote: Remote, monkeypatch: pytest.MonkeyPatch, team: Any) -> None:
    before = audit_count(team)
    remote("data-engineer")
    refused = cli("people", "add", "cy", "Cy")
    assert refused.code == 2 and "only a server administrator may" in refused.err
    vendor = cli("vendors", "add", "V-Y", "Y")
    assert vendor.code == 2 and "only a annotation_engineer of the project may" in vendor.err
    bind = cli("people", "bind", "data-engineer", "--login", "de2")
    assert bind.code == 2 and "binds an OS login" in bind.err
    login = cli("people", "add", "cy", "Cy", "--login", "cy")
    assert login.code == 2 and "--login binds an OS login" in login.err
    assert audit_count(team) == before


def test_projects_commands_through_the_server(cli: Any, remote: Remote,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    remote("data-owner")
    added = cli("projects", "add", "P-NEW", "New", "--owner", "data-engineer", "--layer",
                "processing", "--out", "sft", "--json")
    assert added.code == 0, added.err
    moved = cli("projects", "status", "P-NEW", "paused", "--reason", "vendor", "--json")
    assert moved.json()["status"] == "paused"
    illegal = cli("projects", "status", "P-NEW", "done")
    assert illegal.code == 2 and "paused" in illegal.err
    remote("outsider")
    refused = cli("projects", "status", "P-TEST", "paused")
    assert refused.code == 2 and "in project P-TEST" in refused.err
    local(monkeypatch)
    assert cli("projects", "show", "P-NEW", "--json").json() == moved.json()
    assert added.json() == moved.json() | {"status": "active"}


def test_raci_commands_through_the_server(cli: Any, remote: Remote, tmp_path: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "raci.yaml"
    path.write_text(cli("raci", "show", "--yaml").out)
    remote("admin")
    refused = cli("raci", "import", str(path))
    assert refused.code == 2 and "only a data_owner" in refused.err
    remote("data-owner")
    assert cli("raci", "import", str(path), "--reason", "same again").code == 0
    asked = cli("raci", "consult", "data_version_rollback", "--on", "dataset_version:V-9",
                "--due", "2031-01-01", "--project", "P-TEST", "--json")
    assert asked.code == 0, asked.err
    mine = next(c for c in asked.json() if c["person_id"] == "quality-evaluator")
    remote("quality-evaluator")
    answered = cli("raci", "answer", mine["id"], "--response", "go", "--json")
    assert answered.json()[0]["outcome"] == "answered: go"
    local(monkeypatch)
    assert cli("raci", "consultations", "--on", "dataset_version:V-9",
               "--json").json() == [answered.json()[0] if c["id"] == mine["id"] else c
                                    for c in asked.json()]


def test_tokens_and_admins_through_the_server(cli: Any, remote: Remote, live_server: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    remote("data-engineer")
    made = cli("tokens", "create", "data-engineer", "--expires", "2d", "--label", "ci", "--json")
    token = made.json()
    me = httpx.get(live_server.url + "/api/v1/me",
                   headers={"Authorization": f"Bearer {token['plaintext']}"}).json()
    assert me["person_id"] == "data-engineer" and me["token_id"] == token["token"]["id"]
    other = cli("tokens", "create", "data-owner")
    assert other.code == 2 and "only the person themself" in other.err
    ended = cli("tokens", "revoke", token["token"]["id"], "--reason", "done", "--json")
    assert ended.json()["state"] == "revoked"
    assert cli("admins", "grant", "data-engineer").code == 2
    remote("admin")
    granted = cli("admins", "grant", "data-owner", "--json")
    assert granted.json()["person_id"] == "data-owner" and granted.json()["granted_by"] == "tester"
    assert cli("admins", "revoke", "data-owner", "--reason", "temp").code == 0
    local(monkeypatch)
    assert [a["person_id"] for a in cli("admins", "list", "--json").json()] == [
        "gov-admin", "tester"]
    assert cli("tokens", "list", "--person", "data-engineer", "--json").json()[-1]["state"] in {
        "active", "revoked"}


def test_an_admin_grants_roles_to_others_never_to_themself(api: Any, team: Any,
                                                          principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.governance.people import list_people

    body = {"role": "data_owner"}
    refused = api.post("/api/v1/people/tester/roles", json=body, headers=principals["admin"])
    assert refused.status_code == 403
    assert "only a server administrator, for someone other than themself may" in refused.json()["error"]
    held = {p.id: [h.role.value for h in hs] for p, hs in list_people(team)}
    assert held["tester"] == []
    granted = api.post("/api/v1/people/outsider/roles", json=body, headers=principals["admin"])
    assert granted.status_code in (200, 201), granted.text
