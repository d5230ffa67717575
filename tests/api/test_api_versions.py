"""Datasets, versions, release, export and trace over HTTP, and their CLI through the real server.

The seeded state (`seed_versions`): a public dataset of P-TEST with a candidate whose gate passes
but for the approval. Routes are checked against the flows (same answer as the CLI's `--json`),
the release against its one Accountable person, and bad input against what is stored (nothing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope
from clirun import unwrapped
from datapool_helpers import audit_count

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

Headers = dict[str, dict[str, str]]


def _stored(ws: Workspace, version: str) -> dict[str, Any]:
    from dataflywheel.flows.data.versions import get_version

    return get_version(ws, version)[0].model_dump(mode="json")


def _token(principals: Headers, name: str) -> str:
    return principals[name]["Authorization"].split(" ", 1)[1]


def _through(monkeypatch: pytest.MonkeyPatch, live_server: Any, principals: Headers,
             name: str) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", _token(principals, name))


# --- the release: three people, one Accountable --------------------------------------------

def test_only_the_accountable_person_freezes_and_the_answer_is_the_stored_version(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    version = seeded["versions.version"]
    url = f"/api/v1/versions/{version}/freeze"
    body = {"consultations": {"quality-evaluator": "agree"}, "baseline": False,
            "waive_procedure": None}
    refused = api.post(url, json=body, headers=principals["algorithm-engineer"])
    assert_envelope(refused, 403, "only the Accountable person for training_set_version_release")
    admin = api.post(url, json=body, headers=principals["admin"])
    assert_envelope(admin, 403, "tester may not do this in project P-TEST")
    assert _stored(team, version)["state"] == "candidate"

    done = api.post(url, json=body, headers=principals["data-owner"])
    assert done.status_code == 200, done.text
    assert done.json() == _stored(team, version)
    assert done.json()["state"] == "frozen" and done.json()["approved_by_id"] == "data-owner"
    again = api.post(url, json={}, headers=principals["data-owner"])
    assert_envelope(again, 409, "was frozen first")


def test_freeze_audits_the_token_person_and_takes_an_empty_body(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    version = seeded["versions.version"]
    done = api.post(f"/api/v1/versions/{version}/freeze", headers=principals["data-owner"])
    assert done.status_code == 200, done.text
    with team.db.session() as s:
        actor = s.scalar(select(AuditEntryRow.actor).where(
            AuditEntryRow.action == "version.freeze", AuditEntryRow.record_id == version))
    assert actor == "data-owner"


@pytest.mark.parametrize(("body", "needle"), [
    ({"baseline": False, "by": "data-owner"}, "by: Extra inputs are not permitted"),
    ({"consultations": {f"p{i}": "x" for i in range(101)}}, "consultations"),
    ({"waive_procedure": ""}, "waive_procedure"),
])
def test_a_bad_freeze_body_is_400_and_nothing_is_frozen(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers,
        body: dict[str, Any], needle: str) -> None:
    version = seeded["versions.version"]
    answer = api.post(f"/api/v1/versions/{version}/freeze", json=body,
                      headers=principals["data-owner"])
    assert_envelope(answer, 400, needle)
    assert _stored(team, version)["state"] == "candidate"
    assert audit_count(team, "version.freeze", version) == 0


def test_archive_and_rollback_need_their_accountable_and_a_frozen_version(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.flows.issues.lifecycle import open_issue

    version = seeded["versions.version"]
    early = api.post(f"/api/v1/versions/{version}/archive", headers=principals["data-owner"])
    assert_envelope(early, 409, "cannot move from 'candidate' to 'archived'")
    assert api.post(f"/api/v1/versions/{version}/freeze",
                    headers=principals["data-owner"]).status_code == 200
    issue = open_issue(team, title="label leakage", severity="P1", source="spot_check",
                       project_id="P-TEST")
    body = {"issue": issue.id, "reason": "label leakage found after release"}
    refused = api.post(f"/api/v1/versions/{version}/rollback", json=body,
                       headers=principals["data-engineer"])
    assert_envelope(refused, 403, "only the Accountable person for data_version_rollback")
    done = api.post(f"/api/v1/versions/{version}/rollback", json=body,
                    headers=principals["data-owner"])
    assert done.status_code == 200, done.text
    assert done.json() == _stored(team, version) and done.json()["state"] == "withdrawn"
    archived = api.post(f"/api/v1/versions/{version}/archive", headers=principals["data-owner"])
    assert archived.status_code == 200 and archived.json()["state"] == "archived"


def test_only_the_accountable_person_rejects_a_release_and_the_candidate_is_abandoned(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.flows.notifications import inbox

    version = seeded["versions.version"]
    url = f"/api/v1/versions/{version}/reject"
    body = {"reason": "union report stale; redeliver"}
    refused = api.post(url, json=body, headers=principals["algorithm-engineer"])
    assert_envelope(refused, 403, "only the Accountable person for training_set_version_release")
    assert_envelope(api.post(url, json={"reason": ""}, headers=principals["data-owner"]), 400)
    assert _stored(team, version)["state"] == "candidate"
    assert audit_count(team, "version.reject", version) == 0

    done = api.post(url, json=body, headers=principals["data-owner"])
    assert done.status_code == 200, done.text
    assert done.json() == _stored(team, version) and done.json()["state"] == "abandoned"
    assert audit_count(team, "version.reject", version) == 1
    told = [n for n in inbox(team, done.json()["created_by_id"]) if n.kind == "version_rejected"]
    assert [n.body for n in told] == ["rejected by data-owner: union report stale; redeliver"]
    again = api.post(url, json=body, headers=principals["data-owner"])
    assert_envelope(again, 403, "is abandoned: it cannot reject the release of it")
    assert audit_count(team, "version.refused", version) == 1
    frozen = api.post(f"/api/v1/versions/{version}/freeze", headers=principals["data-owner"])
    assert_envelope(frozen, 403, "abandoned")


# --- reads: the same answer as the CLI's --json -----------------------------------------------

def test_show_list_and_datasheet_answer_what_the_cli_prints(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers,
        cli: Any) -> None:
    version, dataset = seeded["versions.version"], seeded["versions.dataset"]
    headers = principals["quality-evaluator"]
    shown = api.get(f"/api/v1/versions/{version}", params={"approver": "data-owner"},
                    headers=headers)
    assert shown.status_code == 200, shown.text
    local = cli("versions", "show", version, "--approver", "data-owner", "--json")
    assert local.code == 0, local.err
    assert shown.json() == local.json()
    assert [c["met"] for c in shown.json()["gate"]] == [True] * 7

    page = api.get("/api/v1/versions", params={"dataset": dataset, "limit": 1}, headers=headers)
    rows = cli("versions", "list", "--dataset", dataset, "--json").json()
    assert page.json()["items"] == rows and page.json()["next_cursor"] is None
    ds = api.get(f"/api/v1/datasets/{dataset}", headers=headers)
    assert ds.json() == cli("datasets", "show", dataset, "--json").json()
    listed = api.get("/api/v1/datasets", params={"project": "P-TEST"}, headers=headers).json()
    assert dataset in [d["id"] for d in listed["items"]]
    outsider = api.get(f"/api/v1/versions/{version}", headers=principals["outsider"])
    assert_envelope(outsider, 403, "outsider may not do this in project P-TEST")

    sheet = api.get(f"/api/v1/versions/{version}/datasheet", headers=headers)
    assert sheet.json() == shown.json()["datasheet"]
    md = api.get(f"/api/v1/versions/{version}/datasheet", headers={
        **headers, "Accept": "text/markdown"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith(f"# Datasheet of {version}") and "## Objective" in md.text
    assert api.get(f"/api/v1/versions/{version}/datasheet?format=md",
                   headers=headers).text == md.text


def test_trace_answers_what_flywheel_trace_prints(
        api: TestClient, principals: Headers, cli: Any) -> None:
    every = api.get("/api/v1/trace", headers=principals["outsider"])
    assert every.status_code == 200
    assert every.json() == cli("trace", "--json").json()
    one = api.get("/api/v1/trace/expiring", params={"days": 3}, headers=principals["outsider"])
    assert one.json() == cli("trace", "--days", "3", "--json").json()[5]
    for key in ("fluctuation", "onboarding"):  # the two trend questions, as the CLI has them
        got = api.get(f"/api/v1/trace/{key}", headers=principals["outsider"])
        assert got.status_code == 200 and got.json()["key"] == key, got.text
    assert_envelope(api.get("/api/v1/trace/nope", headers=principals["outsider"]), 400,
                    "question")
    assert_envelope(api.get("/api/v1/trace", headers={}), 401, "missing bearer token")


# --- writes: bad input stores nothing ---------------------------------------------------------

def test_datasheet_and_compliance_routes_and_their_bad_input(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    version = seeded["versions.version"]
    url = f"/api/v1/versions/{version}/datasheet"
    before = _stored(team, version)
    assert_envelope(api.post(url, json={"sections": {}}, headers=principals["data-engineer"]),
                    400, "nothing to set")
    assert_envelope(api.post(url, json={"sections": {"colour": "blue"}},
                             headers=principals["data-engineer"]), 400, "sections.colour")
    assert_envelope(api.post(url, json={"sections": {"sample_size": -1}},
                             headers=principals["data-engineer"]), 400, "sections.sample_size")
    assert _stored(team, version) == before
    done = api.post(url, json={"sections": {"objective": "new objective"}},
                    headers=principals["data-engineer"])
    assert done.status_code == 200 and done.json()["datasheet"]["objective"] == "new objective"

    comp = f"/api/v1/versions/{version}/compliance"
    assert_envelope(api.post(comp, json={"approve": True, "conclusion": "ok"},
                             headers=principals["data-owner"]), 403, "only a legal_compliance")
    assert_envelope(api.post(comp, json={"approve": True, "conclusion": ""},
                             headers=principals["legal-compliance"]), 400, "conclusion")
    ok = api.post(comp, json={"approve": True, "conclusion": "public text"},
                  headers=principals["legal-compliance"])
    assert ok.json()["compliance"] == "approved" and ok.json()["compliance_by_id"] == \
        "legal-compliance"


def test_dataset_create_and_version_create_with_bad_input(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers) -> None:
    from dataflywheel.flows.data.versions import list_datasets, list_versions

    url = "/api/v1/projects/P-TEST/datasets"
    made = api.post(url, json={"name": "api-pool", "owner": "data-owner"},
                    headers=principals["data-engineer"])
    assert made.status_code == 201, made.text
    assert made.json()["project_id"] == "P-TEST" and made.json()["sensitivity"] == "internal"
    count = len(list_datasets(team))
    for body, status, needle in [
            ({"name": "api-pool", "owner": "data-owner"}, 409, "already exists"),
            ({"name": "x", "owner": "data-owner", "sensitivity": "secret"}, 400, "sensitivity"),
            ({"name": "", "owner": "data-owner"}, 400, "name"),
            ({"name": "y", "owner": "nobody"}, 404, "nobody"),
            ({"name": "a\u0000b", "owner": "data-owner"}, 400, "NUL character")]:
        assert_envelope(api.post(url, json=body, headers=principals["data-engineer"]), status,
                        needle)
    assert len(list_datasets(team)) == count
    assert_envelope(api.post(url, json={"name": "z", "owner": "data-owner"},
                             headers=principals["quality-evaluator"]), 403, "data_engineer")

    versions = len(list_versions(team))
    by_name = api.post("/api/v1/datasets/api-pool/versions", json={"batches": []},
                       headers=principals["algorithm-engineer"])
    assert by_name.status_code == 201 and by_name.json()["created_by_id"] == "algorithm-engineer"
    bad = api.post("/api/v1/datasets/api-pool/versions", json={"batches": ["B-9999"]},
                   headers=principals["algorithm-engineer"])
    assert_envelope(bad, 404, "B-9999")
    assert len(list_versions(team)) == versions + 1


def test_export_answers_a_zip_of_what_the_local_export_writes(
        api: TestClient, team: Workspace, seeded: dict[str, str], principals: Headers,
        tmp_path: Path) -> None:
    import io
    import zipfile

    from dataflywheel.flows.data.export import export_version

    version = seeded["versions.version"]
    body = {"format": "hf", "license": "CC-BY-4.0", "purpose": "training run 12"}
    early = api.post(f"/api/v1/versions/{version}/export", json=body,
                     headers=principals["algorithm-engineer"])
    assert_envelope(early, 409, "only frozen versions are exported")
    api.post(f"/api/v1/versions/{version}/freeze", headers=principals["data-owner"])
    answer = api.post(f"/api/v1/versions/{version}/export", json=body,
                      headers=principals["algorithm-engineer"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    summary = json.loads(answer.headers["flywheel-export"])
    local = export_version(team, version, format="hf", out=tmp_path / "local",
                           license="CC-BY-4.0").to_dict()
    assert summary == {k: v for k, v in local.items() if k != "out"}
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        assert sorted(archive.namelist()) == summary["files"]
        for name in summary["files"]:
            assert archive.read(name) == (tmp_path / "local" / name).read_bytes()
    assert audit_count(team, "version.read", version) == 2
    assert_envelope(api.post(f"/api/v1/versions/{version}/export", json={"format": "csv"},
                             headers=principals["algorithm-engineer"]), 400, "format")


# --- the CLI through the server ---------------------------------------------------------------

def test_cli_freeze_through_the_server_prints_what_it_prints_locally(
        live_server: Any, team: Workspace, seeded: dict[str, str], principals: Headers,
        cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    version = seeded["versions.version"]
    _through(monkeypatch, live_server, principals, "algorithm-engineer")
    refused = cli("versions", "freeze", version, "--by", "algorithm-engineer", "--json")
    assert refused.code == 2
    assert "only the Accountable person for training_set_version_release" in refused.err
    typed = cli("versions", "freeze", version, "--by", "data-owner", "--json")
    assert typed.code == 2
    assert "--by data-owner names someone other than the acting person: the token acts as " \
           "algorithm-engineer" in typed.err
    assert _stored(team, version)["state"] == "candidate"

    _through(monkeypatch, live_server, principals, "data-owner")
    done = cli("versions", "freeze", version, "--by", "data-owner",
               "--consult", "quality-evaluator=agree", "--json")
    assert done.code == 0, done.err
    assert done.json() == _stored(team, version)
    plain = cli("versions", "archive", version, "--by", "data-owner")
    label = f"{_stored(team, version)['dataset_id']}@1"
    assert plain.code == 0 and plain.out.strip() == f"archived {label}"


def test_cli_datasets_and_candidate_commands_through_the_server(
        live_server: Any, team: Workspace, seeded: dict[str, str], principals: Headers,
        cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dataflywheel.flows.data.versions import get_dataset

    _through(monkeypatch, live_server, principals, "data-engineer")
    made = cli("datasets", "create", "remote-pool", "--project", "P-TEST", "--owner",
               "data-owner", "--json")
    assert made.code == 0, made.err
    assert made.json() == get_dataset(team, "remote-pool").model_dump(mode="json")
    created = cli("versions", "create", "remote-pool", "--by", "data-engineer", "--json")
    assert created.code == 0, created.err
    candidate = created.json()["id"]
    assert created.json() == _stored(team, candidate)
    sheet = cli("versions", "datasheet", candidate, "--by", "data-engineer", "--set",
                "objective=remote")
    assert sheet.code == 0 and sheet.out.startswith(f"{candidate}: datasheet lacks sources")
    assert _stored(team, candidate)["datasheet"]["objective"] == "remote"
    refreshed = cli("versions", "refresh", candidate, "--json")
    assert refreshed.code == 0 and refreshed.json() == _stored(team, candidate)
    missing = cli("versions", "add", candidate, "B-9999", "--by", "data-engineer")
    assert missing.code == 2 and "B-9999" in missing.err

    version = seeded["versions.version"]
    out = tmp_path / "sheet.jsonl"
    wrote = cli("versions", "final-check-sheet", version, "--out", str(out))
    assert wrote.code == 0 and out.exists()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and {r["stratum"] for r in rows} == set(_batches(team, version))
    reviews = tmp_path / "reviews.jsonl"
    reviews.write_text(json.dumps({"record_id": rows[0]["record_id"], "reviewer":
                                   "data-engineer", "verdict": "pass"}) + "\n")
    _through(monkeypatch, live_server, principals, "quality-evaluator")
    taken = cli("versions", "final-check", version, str(reviews))
    assert taken.code == 2
    assert unwrapped("reviews.jsonl:1: rejected: data-engineer is not the person sending these "
                     "verdicts (quality-evaluator)") in unwrapped(taken.out)
    gone = cli("versions", "final-check", version, str(tmp_path / "nope.jsonl"))
    assert gone.code == 2 and "reviews file not found" in gone.err
    notice = cli("versions", "notice", version)
    assert notice.code == 2 and "only a algorithm_engineer or data_engineer or data_owner" \
        in notice.err


def _batches(ws: Workspace, version: str) -> list[str]:
    from dataflywheel.flows.data.versions import get_version

    return get_version(ws, version)[1]


def test_cli_export_through_the_server_unpacks_the_archive(
        live_server: Any, team: Workspace, seeded: dict[str, str], principals: Headers,
        cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from dataflywheel.flows.data.version_release import freeze

    version = seeded["versions.version"]
    _through(monkeypatch, live_server, principals, "algorithm-engineer")
    early = cli("export", version, "--format", "croissant", "--out", str(tmp_path / "early"),
                "--license", "CC-BY-4.0")
    assert early.code == 2 and "only frozen versions are exported" in early.err
    assert not (tmp_path / "early").exists()
    freeze(team, version, by="data-owner")
    wrong = cli("export", version, "--format", "hf", "--out", str(tmp_path / "w"),
                "--as", "data-owner")
    assert wrong.code == 2 and "--as data-owner names someone other" in wrong.err
    done = cli("export", version, "--format", "croissant", "--out", str(tmp_path / "remote"),
               "--license", "CC-BY-4.0", "--json")
    assert done.code == 0, done.err
    monkeypatch.delenv("FLYWHEEL_SERVER")
    local = cli("export", version, "--format", "croissant", "--out", str(tmp_path / "local"),
                "--license", "CC-BY-4.0", "--json")
    assert local.code == 0, local.err
    assert done.json() == local.json() | {"out": str(tmp_path / "remote")}
    for name in done.json()["files"]:
        assert (tmp_path / "remote" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    _through(monkeypatch, live_server, principals, "algorithm-engineer")
    full = cli("export", version, "--format", "hf", "--out", str(tmp_path / "full"))
    assert full.code == 2 and "is not an empty folder" in full.err


def test_unpack_refuses_an_archive_that_escapes_its_folder(tmp_path: Path) -> None:
    import zipfile

    from dataflywheel.errors import BadInput
    from dataflywheel.flows.data.export import unpack_export

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../evil.txt", "x")
    with pytest.raises(BadInput, match="names files outside its folder"):
        unpack_export(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.txt").exists()
    assert list(tmp_path.iterdir()) == [bad]
