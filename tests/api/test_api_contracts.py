"""Contracts over HTTP: the same answers as `flywheel contracts … --json`, the layer owners and the
Data Owner as the token's person, bad documents refused with nothing stored, and the CLI acting
through the server.

The `api` and `live_server` fixtures carry `seed_demand.py`'s contract cleaned-text of P-TEST
(1.0.0 active, 1.1.0 proposed by the annotation engineer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from server_helpers import assert_envelope
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

VERSION = "/api/v1/contracts/cleaned-text/versions/1.1.0"


def _doc(contract_id: str = "reviewed-text", version: str = "1.0.0",
         guide: str = "cleaning-rules-2.1") -> str:
    from dataflywheel.api.routers.contracts import example_document

    return example_document(contract_id, version, guide)


def _file(tmp_path: Path, text: str, name: str = "c.odcs.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _versions(team: Workspace) -> list[str]:
    from dataflywheel.flows.contracts.lifecycle import list_contracts

    return sorted(v.id for _, versions in list_contracts(team) for v in versions)


def test_validate_answers_what_the_cli_prints(api: TestClient, cli: Any, tmp_path: Path,
                                              team: Workspace,
                                              principals: dict[str, dict[str, str]]) -> None:
    before = _versions(team)
    answer = api.post("/api/v1/contracts/validate", json={"document": _doc()},
                      headers=principals["outsider"])
    assert answer.status_code == 200, answer.text
    local = cli("contracts", "validate", _file(tmp_path, _doc()), "--json").json()
    assert answer.json() == local | {"file": "request body"}
    assert _versions(team) == before


@pytest.mark.parametrize(("text", "needle"), [
    ("a: [unclosed", "request body"),
    (_doc().replace("producerRole: data_engineer", "producerRole: wizard"), "wizard"),
    (_doc().replace("version: 1.0.0", "version: one"), "version"),
])
def test_bad_document_is_a_400_naming_it_and_nothing_is_stored(
        api: TestClient, team: Workspace, principals: dict[str, dict[str, str]],
        text: str, needle: str) -> None:
    before = _versions(team)
    for path in ("/api/v1/contracts/validate", "/api/v1/projects/P-TEST/contracts"):
        answer = api.post(path, json={"document": text}, headers=principals["data-owner"])
        body = assert_envelope(answer, 400, "")
        assert needle in answer.text and body["errors"][0]
    assert _versions(team) == before


def test_oversized_or_unknown_body_is_refused(api: TestClient, team: Workspace,
                                              principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.api.routers.contracts import MAX_DOCUMENT

    before = _versions(team)
    auth = principals["data-owner"]
    big = api.post("/api/v1/contracts", json={"document": "x" * (MAX_DOCUMENT + 1)}, headers=auth)
    assert_envelope(big, 400, "body.document")
    extra = api.post("/api/v1/contracts", json={"document": _doc(), "by": "tester"}, headers=auth)
    assert_envelope(extra, 400, "body.by")
    assert _versions(team) == before


def test_import_then_show_export_plan_and_list_match_the_cli(
        api: TestClient, cli: Any, team: Workspace,
        principals: dict[str, dict[str, str]]) -> None:
    made = api.post("/api/v1/projects/P-TEST/contracts", json={"document": _doc()},
                    headers=principals["data-engineer"])
    assert made.status_code == 201, made.text
    assert made.json()["id"] == "reviewed-text@1.0.0" and made.json()["proposed_by"] == \
        "data-engineer"
    auth = principals["quality-evaluator"]
    shown = api.get("/api/v1/contracts/reviewed-text/versions/1.0.0", headers=auth)
    assert shown.json() == cli("contracts", "show", "reviewed-text@1.0.0", "--json").json()
    assert api.get("/api/v1/contracts/reviewed-text", headers=auth).json() == shown.json()
    exported = api.get("/api/v1/contracts/reviewed-text/versions/1.0.0/odcs", headers=auth)
    assert exported.text == _doc() == cli("contracts", "export", "reviewed-text@1.0.0").out
    assert exported.headers["content-type"].startswith("application/yaml")
    plan = api.get("/api/v1/contracts/reviewed-text/versions/1.0.0/plan", headers=auth)
    assert plan.json() == cli("contracts", "plan", "reviewed-text@1.0.0", "--json").json()
    listed = api.get("/api/v1/contracts", params={"project": "P-TEST"}, headers=auth).json()
    assert listed["items"] == cli("contracts", "list", "--json").json()
    assert api.get("/api/v1/contracts/notice-rate", headers=auth).json() == \
        cli("contracts", "notice-rate", "--json").json()
    again = api.post("/api/v1/contracts", json={"document": _doc()}, headers=auth)
    assert_envelope(again, 409, "contract reviewed-text already exists")


def test_activate_and_reject_are_the_data_owners(api: TestClient, team: Workspace,
                                                 principals: dict[str, dict[str, str]]) -> None:
    for name in ("data-engineer", "annotation-engineer", "admin", "outsider"):
        assert_envelope(api.post(VERSION + "/activate", headers=principals[name]), 403,
                        "may not do this")
    assert api.get(VERSION, headers=principals["data-owner"]).json()["state"] == "proposed"
    active = api.post(VERSION + "/activate", headers=principals["data-owner"])
    assert active.status_code == 200 and active.json()["state"] == "active"
    old = api.get("/api/v1/contracts/cleaned-text/versions/1.0.0",
                  headers=principals["data-owner"]).json()
    assert old["state"] == "deprecated" and old["superseded_by_id"] == "cleaned-text@1.1.0"
    late = api.post(VERSION + "/reject", json={"reason": "too late"},
                    headers=principals["data-owner"])
    assert_envelope(late, 409, "cannot move")


def test_propose_checks_the_layer_owner_and_the_contract(
        api: TestClient, team: Workspace, principals: dict[str, dict[str, str]]) -> None:
    owner = principals["data-owner"]
    assert api.post(VERSION + "/reject", json={"reason": "not agreed"},
                    headers=owner).json()["state"] == "rejected"
    assert api.post("/api/v1/projects/P-TEST/contracts", json={"document": _doc()},
                    headers=owner).status_code == 201
    path = "/api/v1/contracts/cleaned-text/versions"
    body = {"document": _doc("cleaned-text", "1.2.0", "cleaning-rules-2.3")}
    before = _versions(team)
    wrong = api.post("/api/v1/contracts/reviewed-text/versions", json=body,
                     headers=principals["annotation-engineer"])
    assert_envelope(wrong, 400, "the document is contract cleaned-text, not reviewed-text")
    # the semantic layer is the Annotation Engineer's: the Data Engineer is let in by the table
    # (a layer owner) and refused by the flow, which checks the layer the diff touches
    not_owner = api.post(path, json=body, headers=principals["data-engineer"])
    assert_envelope(not_owner, 403, "data-engineer may not change the semantic layer")
    assert_envelope(api.post(path, json=body, headers=principals["algorithm-engineer"]), 403,
                    "may not do this")
    assert _versions(team) == before
    made = api.post(path, json=body, headers=principals["annotation-engineer"])
    assert made.status_code == 201, made.text
    assert made.json()["change_class"] == "compatible"
    assert [c.split(" ", 1)[0] for c in made.json()["changes"]] == ["[semantic]"]
    notices = api.get(path + "/1.2.0/notices", headers=owner)
    assert notices.status_code == 200 and notices.json()["items"] == []
    assert_envelope(api.get(path + "/9.9.9/notices", headers=owner), 404, "does not exist")


# ---------------------------------------------------------------- the CLI through the server


def _through(monkeypatch: pytest.MonkeyPatch, live_server: Any, headers: dict[str, str]) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", headers["Authorization"].split(" ", 1)[1])


def test_cli_changes_contracts_through_the_server(
        monkeypatch: pytest.MonkeyPatch, live_server: Any, team: Workspace, cli: Any,
        tmp_path: Path, principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.contracts.lifecycle import get_version

    _through(monkeypatch, live_server, principals["data-owner"])
    imported = cli("contracts", "import", _file(tmp_path, _doc()), "--project", "P-TEST", "--json")
    assert imported.code == 0, imported.err
    version = get_version(team, "reviewed-text@1.0.0")[0]
    assert imported.json() == version.model_dump(mode="json", exclude={"document", "changes"})
    assert version.proposed_by == "data-owner"
    plain = cli("contracts", "activate", "cleaned-text@1.1.0")
    assert plain.code == 0 and plain.out.strip() == "cleaned-text@1.1.0 is active"
    assert cli("contracts", "retire-expired", "--json").json() == {"retired": []}
    _through(monkeypatch, live_server, principals["annotation-engineer"])
    proposed = cli("contracts", "propose", _file(tmp_path, _doc("cleaned-text", "1.2.0", "g-3")))
    assert proposed.code == 0, proposed.err
    assert proposed.out.startswith("proposed cleaned-text@1.2.0 (compatible), effective ")
    assert get_version(team, "cleaned-text@1.2.0")[0].proposed_by == "annotation-engineer"
    refused = cli("contracts", "reject", "cleaned-text@1.2.0", "--reason", "no")
    assert refused.code == 2 and "annotation-engineer may not do this" in refused.err
    assert get_version(team, "cleaned-text@1.2.0")[0].state.value == "proposed"
    named = cli("contracts", "reject", "cleaned-text@1.2.0", "--reason", "no", "--by", "data-owner")
    assert named.code == 2 and "names someone other than the acting person" in named.err
    bad = cli("contracts", "activate", "cleaned-text")
    assert bad.code == 2 and "invalid contract version" in bad.err


def test_cli_prints_the_same_through_the_server_as_locally(
        monkeypatch: pytest.MonkeyPatch, live_server: Any, team: Workspace, cli: Any,
        tmp_path: Path, principals: dict[str, dict[str, str]]) -> None:
    local = cli("contracts", "reject", "cleaned-text@1.1.0", "--reason", "no", "--json",
                login="data-owner")
    assert local.code == 0, local.err
    _through(monkeypatch, live_server, principals["annotation-engineer"])
    remote = cli("contracts", "propose", _file(tmp_path, _doc("cleaned-text", "1.2.0", "g-3")),
                 "--json")
    monkeypatch.delenv("FLYWHEEL_SERVER")
    shown = cli("contracts", "show", "cleaned-text@1.2.0", "--json").json()
    assert remote.code == 0
    assert {k: v for k, v in remote.json().items() if k != "changes"} == \
        {k: v for k, v in shown.items() if k not in ("changes", "contract")}
