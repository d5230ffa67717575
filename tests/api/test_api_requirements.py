"""The Demand Pool over HTTP: the same answers as the CLI, the lifecycle as the token's person,
the Accountable rule, bad input refused with nothing stored, and the CLI acting through the server.

The `api` and `live_server` fixtures carry the seeded state of `seed_demand.py` (REQ-0001, a P1
of P-TEST, submitted, Accountable data-owner).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from server_helpers import assert_envelope
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

NEW = {"title": "Math word problems", "requester_id": "algorithm-engineer", "priority": "P2",
       "kind": "annotation", "target_metric": "GSM8K-zh +1", "acceptance_criteria": "5k rows",
       "deadline": "2031-03-01T00:00:00+00:00", "responsible_id": "data-engineer",
       "accountable_id": "data-owner"}


def _count(team: Workspace) -> int:
    from dataflywheel.flows.demand.requirements import list_requirements

    return len(list_requirements(team))


def _audit_actors(team: Workspace, record_id: str) -> list[tuple[str, str]]:
    """(action, actor) of each audit entry about `record_id`, oldest first."""
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow as A

    with team.db.session() as s:
        rows = s.execute(select(A.action, A.actor).where(A.record_id == record_id)
                         .order_by(A.seq)).all()
    return [(r[0], r[1]) for r in rows]


def test_add_answers_what_the_cli_shows(api: TestClient, team: Workspace, cli: Any,
                                        principals: dict[str, dict[str, str]]) -> None:
    made = api.post("/api/v1/projects/P-TEST/requirements", json=NEW,
                    headers=principals["algorithm-engineer"])
    assert made.status_code == 201, made.text
    req_id = made.json()["id"]
    shown = cli("requirements", "show", req_id, "--json")
    assert shown.code == 0 and shown.json() == made.json()
    assert api.get(f"/api/v1/requirements/{req_id}",
                   headers=principals["data-engineer"]).json() == shown.json()


def test_list_pages_and_filters_like_the_cli(api: TestClient, team: Workspace, cli: Any,
                                             principals: dict[str, dict[str, str]]) -> None:
    auth = principals["data-engineer"]
    seeded_here = len(api.get("/api/v1/requirements", params={"project": "P-TEST", "limit": 1000},
                              headers=auth).json()["items"])  # other pools seed requirements too
    for title in ("one", "two", "three"):
        assert api.post("/api/v1/projects/P-TEST/requirements", json=NEW | {"title": title},
                        headers=auth).status_code == 201
    first = api.get("/api/v1/requirements", params={"project": "P-TEST", "limit": 2}, headers=auth)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 2 and page["remaining"] == seeded_here + 1 and page["next_cursor"]
    rest = api.get("/api/v1/requirements", params={"project": "P-TEST", "limit": 10,
                                                   "cursor": page["next_cursor"]}, headers=auth)
    listed = page["items"] + rest.json()["items"]
    local = cli("requirements", "list", "--project", "P-TEST", "--json", "--limit", "10")
    assert local.code == 0 and local.json() == listed
    p2 = api.get("/api/v1/requirements", params={"priority": "P2"}, headers=auth).json()["items"]
    assert {"one", "two", "three"} <= {r["title"] for r in p2}
    assert {r["priority"] for r in p2} == {"P2"}
    p1 = api.get("/api/v1/requirements", params={"priority": "P1", "state": "submitted"},
                 headers=auth).json()["items"]
    assert "Seeded requirement" in [r["title"] for r in p1]
    assert {(r["priority"], r["state"]) for r in p1} == {("P1", "submitted")}


def test_date_ranges_filter_on_created_and_updated(api: TestClient, team: Workspace,
                                                   principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.domain.records.base import utcnow

    auth = principals["data-engineer"]
    before = utcnow()
    made = api.post("/api/v1/projects/P-TEST/requirements", json=NEW, headers=auth).json()
    since = {"created_since": before.isoformat()}
    assert [r["id"] for r in api.get("/api/v1/requirements", params=since,
                                     headers=auth).json()["items"]] == [made["id"]]
    until = {"created_until": before.isoformat()}
    assert made["id"] not in [r["id"] for r in api.get("/api/v1/requirements", params=until,
                                                       headers=auth).json()["items"]]
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert api.get("/api/v1/requirements", params={"updated_since": later},
                   headers=auth).json()["items"] == []
    empty = api.get("/api/v1/requirements", headers=auth,
                    params={"updated_since": later, "updated_until": before.isoformat()})
    body = assert_envelope(empty, 400, "empty updated range")
    assert body["errors"][0]["field"] == "updated_until"
    naive = api.get("/api/v1/requirements", params={"created_since": "2026-01-01T00:00:00"},
                    headers=auth)
    assert_envelope(naive, 400, "created_since")


def test_lifecycle_acts_as_the_token_person(api: TestClient, team: Workspace,
                                            seeded: dict[str, str],
                                            principals: dict[str, dict[str, str]]) -> None:
    req = seeded["demand.requirement"]
    one = f"/api/v1/requirements/{req}"
    engineer = principals["data-engineer"]
    triaged = api.post(one + "/triage", json={}, headers=engineer)
    assert triaged.status_code == 200 and triaged.json()["state"] == "triaged"
    committed = api.post("/api/v1/projects/P-TEST/requirements/commit", headers=engineer,
                         json={"requirements": [req], "week": "2031-W02"})
    assert committed.status_code == 200 and committed.json()[0]["committed_week"] == "2031-W02"
    assert api.post(one + "/start", headers=engineer).json()["state"] == "in_progress"
    missing = api.post(one + "/deliver", json={"versions": ["nope@1"]}, headers=engineer)
    assert_envelope(missing, 404, "dataset version nope@1 does not exist")
    none = api.post(one + "/deliver", json={"versions": []}, headers=engineer)
    assert_envelope(none, 400, "needs at least one dataset version")
    assert api.get(one, headers=engineer).json()["state"] == "in_progress"
    assert _audit_actors(team, req)[-3:] == [
        ("requirement.triage", "data-engineer"), ("requirement.commit", "data-engineer"),
        ("requirement.start", "data-engineer")]


def test_only_the_named_accountable_accepts_or_rejects(
        api: TestClient, team: Workspace, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.demand.requirements import get_requirement

    one = f"/api/v1/requirements/{seeded['demand.requirement']}"
    for name in ("admin", "data-engineer", "outsider"):
        refused = api.post(one + "/accept", headers=principals[name])
        assert_envelope(refused, 403, "only the accountable person the requirement names")
        refused = api.post(one + "/reject", json={"reason": "no"}, headers=principals[name])
        assert_envelope(refused, 403, "may not do this")
    # the Accountable is let through; the flow then refuses the move from `submitted`
    assert_envelope(api.post(one + "/accept", headers=principals["data-owner"]), 409,
                    "cannot move from 'submitted' to 'accepted'")
    assert get_requirement(team, seeded["demand.requirement"]).state.value == "submitted"


def test_triage_approver_must_be_the_caller(api: TestClient, team: Workspace,
                                            principals: dict[str, dict[str, str]]) -> None:
    auth = principals["data-engineer"]
    p0 = api.post("/api/v1/projects/P-TEST/requirements", json=NEW | {"priority": "P0"},
                  headers=auth).json()
    one = f"/api/v1/requirements/{p0['id']}/triage"
    assert_envelope(api.post(one, json={"approver": "data-owner"}, headers=auth), 400,
                    "approver data-owner names someone other than the acting person")
    assert_envelope(api.post(one, json={}, headers=auth), 403, "needs the Data Owner's approval")
    approved = api.post(one, json={"approver": "data-owner"}, headers=principals["data-owner"])
    assert approved.status_code == 200 and approved.json()["approved_by_id"] == "data-owner"


@pytest.mark.parametrize(("change", "needle", "field"), [
    ({"deadline": "2020-01-01T00:00:00+00:00"}, "deadline is in the past", "deadline"),
    ({"deadline": "2031-01-01T00:00:00"}, "invalid request: body.deadline", "body.deadline"),
    ({"priority": "P9"}, "invalid request: body.priority", "body.priority"),
    ({"title": "x" * 301}, "invalid request: body.title", "body.title"),
    ({"by": "data-owner"}, "invalid request: body.by", "body.by"),
    ({"requester_id": "nobody"}, "person nobody does not exist", None),
])
def test_bad_requirement_is_refused_and_nothing_stored(
        api: TestClient, team: Workspace, principals: dict[str, dict[str, str]],
        change: dict[str, Any], needle: str, field: str | None) -> None:
    before = _count(team)
    answer = api.post("/api/v1/projects/P-TEST/requirements", json=NEW | change,
                      headers=principals["data-engineer"])
    body = assert_envelope(answer, 404 if "does not exist" in needle else 400, needle)
    if field is not None:
        assert body["errors"][0]["field"] == field
    assert _count(team) == before


def test_commit_refuses_another_projects_requirement(
        api: TestClient, team: Workspace, seeded: dict[str, str],
        principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.demand.requirements import get_requirement

    answer = api.post("/api/v1/projects/P-OTHER/requirements/commit", headers=principals["outsider"],
                      json={"requirements": [seeded["demand.requirement"]], "week": "2031-W02"})
    body = assert_envelope(answer, 400, f"{seeded['demand.requirement']} not of project P-OTHER")
    assert body["errors"][0]["kept"] == "nothing was committed"
    assert get_requirement(team, seeded["demand.requirement"]).committed_week is None


def test_sla_is_the_cli_row(api: TestClient, cli: Any, seeded: dict[str, str],
                            principals: dict[str, dict[str, str]]) -> None:
    answer = api.get(f"/api/v1/requirements/{seeded['demand.requirement']}/sla",
                     headers=principals["quality-evaluator"])
    assert answer.status_code == 200, answer.text
    rows = cli("requirements", "sla", "--json").json()
    row = next(r for r in rows if r["requirement_id"] == seeded["demand.requirement"])
    assert {k: v for k, v in answer.json().items() if k != "overdue_by_hours"} == \
        {k: v for k, v in row.items() if k != "overdue_by_hours"}


def test_escalate_answers_like_the_cli(api: TestClient, cli: Any,
                                       principals: dict[str, dict[str, str]]) -> None:
    answer = api.post("/api/v1/requirements/escalate", headers=principals["data-owner"])
    assert answer.status_code == 200 and answer.json() == cli("requirements", "escalate",
                                                              "--json").json()


# ---------------------------------------------------------------- the CLI through the server


def _through(monkeypatch: pytest.MonkeyPatch, live_server: Any, headers: dict[str, str]) -> None:
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)
    monkeypatch.setenv("FLYWHEEL_TOKEN", headers["Authorization"].split(" ", 1)[1])


def test_cli_changes_state_through_the_server(
        monkeypatch: pytest.MonkeyPatch, live_server: Any, team: Workspace, cli: Any,
        seeded: dict[str, str], principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.demand.requirements import get_requirement

    _through(monkeypatch, live_server, principals["data-engineer"])
    added = cli("requirements", "add", "Remote requirement", "--project", "P-TEST",
                "--requester", "algorithm-engineer", "--priority", "p1", "--target-metric", "m",
                "--acceptance", "a", "--deadline", "2031-02-01", "--accountable", "data-owner",
                "--json")
    assert added.code == 0, added.err
    stored = get_requirement(team, added.json()["id"])
    assert added.json() == stored.model_dump(mode="json")
    plain = cli("requirements", "triage", stored.id)
    assert plain.code == 0 and plain.out.strip() == f"{stored.id} is triaged"
    committed = cli("requirements", "commit", stored.id, seeded["demand.requirement"], "--week",
                    "2031-W05", "--json")
    assert committed.code == 2 and "cannot move from 'submitted' to 'committed'" in committed.err
    assert get_requirement(team, stored.id).state.value == "triaged"  # all or none
    assert cli("requirements", "commit", stored.id, "--week", "2031-W05").code == 0
    assert cli("requirements", "start", stored.id).code == 0
    assert _audit_actors(team, stored.id)[-1] == ("requirement.start", "data-engineer")
    refused = cli("requirements", "accept", stored.id, "--by", "data-owner")
    assert refused.code == 2 and "names someone other than the acting person" in refused.err
    assert "token acts as data-engineer" in refused.err


def test_cli_refusal_through_the_server_exits_2_with_its_message(
        monkeypatch: pytest.MonkeyPatch, live_server: Any, team: Workspace, cli: Any,
        seeded: dict[str, str], principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.flows.demand.requirements import get_requirement

    _through(monkeypatch, live_server, principals["outsider"])
    refused = cli("requirements", "triage", seeded["demand.requirement"])
    assert refused.code == 2
    assert "outsider may not do this in project P-TEST" in refused.err
    assert get_requirement(team, seeded["demand.requirement"]).state.value == "submitted"
    _through(monkeypatch, live_server, principals["data-owner"])
    wrong = cli("requirements", "reject", seeded["demand.requirement"], "--by", "data-owner",
                "--reason", "late")
    assert wrong.code == 2 and "cannot move from 'submitted' to 'rejected'" in wrong.err


def test_cli_list_takes_the_same_filters(api: TestClient, cli: Any,
                                         principals: dict[str, dict[str, str]]) -> None:
    from dataflywheel.domain.records.base import utcnow

    auth = principals["data-engineer"]
    before = utcnow().isoformat()
    api.post("/api/v1/projects/P-TEST/requirements", json=NEW, headers=auth)
    for query, args in [({"priority": "P2"}, ["--priority", "p2"]),
                        ({"created_since": before}, ["--created-since", before]),
                        ({"updated_until": before}, ["--updated-until", before])]:
        served = api.get("/api/v1/requirements", params=query, headers=auth).json()["items"]
        local = cli("requirements", "list", *args, "--json")
        assert local.code == 0 and local.json() == served and served is not None
