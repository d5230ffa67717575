"""The Issue Pool and post-mortems over HTTP: the same flows and answers as `flywheel issues`,
acted as the token's person, and the CLI's state-changing commands through the loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

OPEN = {"title": "label drift in the SFT batch", "severity": "P2", "source": "spot_check",
        "description": "labels disagree with the guide"}
WINDOW = {"opened_from": "2025-03-01T00:00:00Z", "opened_to": "2025-04-01T00:00:00Z"}
PM_YAML = """\
event: a vendor batch had 12 % near-duplicates
impact: SFT candidate version rebuilt
timeline:
  - {at: "2026-11-25T10:00:00+00:00", what: gate flagged the batch}
root_cause: the contract had no near-duplicate gate, so nothing stopped the batch
remediation: deduplicated the batch
preventive_measures: [near-duplicate gate on every vendor batch]
process_change: the near-duplicate check runs on every delivery
"""


def actors(ws: Workspace, record_id: str) -> list[tuple[str, str]]:
    """(action, actor) of every audit entry of the record, in order."""
    from sqlalchemy import select

    from dataflywheel.store.tables.audit import AuditEntryRow

    with ws.db.session() as s:
        rows = s.execute(select(AuditEntryRow.action, AuditEntryRow.actor).where(
            AuditEntryRow.record_id == record_id).order_by(AuditEntryRow.seq)).all()
    return [(a, b) for a, b in rows]


def issue_count(ws: Workspace) -> int:
    from dataflywheel.flows.issues.lifecycle import list_issues

    return len(list_issues(ws))


def test_an_issue_moves_through_its_life_as_the_token_people(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace) -> None:
    opened = api.post("/api/v1/projects/P-TEST/issues", json=OPEN,
                      headers=principals["quality-evaluator"])
    assert opened.status_code == 201, opened.text
    issue = opened.json()
    assert issue["project_id"] == "P-TEST" and issue["state"] == "new"
    url = f"/api/v1/issues/{issue['id']}"
    de = principals["data-engineer"]
    steps = [("ack", {"note": "on it"}, "acknowledged"),
             ("assign", {"owner": "data-engineer"}, "assigned"),
             ("resolve", {"resolution": "relabelled"}, "resolved"),
             ("close", {}, "closed"),
             ("reopen", {"reason": "came back"}, "acknowledged")]
    for verb, body, state in steps:
        answer = api.post(f"{url}/{verb}", json=body, headers=de)
        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == state
    assert {actor for _, actor in actors(team, issue["id"])} == {"quality-evaluator",
                                                                 "data-engineer"}
    assert actors(team, issue["id"])[0] == ("issue.add", "quality-evaluator")
    again = api.post(f"{url}/reopen", json={"reason": "twice"}, headers=de)
    assert_envelope(again, 409, f"only a closed issue is reopened; {issue['id']} is acknowledged")
    assert api.get(url, headers=de).json()["state"] == "acknowledged"


def test_team_wide_issues_and_people_of_another_project(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str]) -> None:
    outsider = principals["outsider"]
    team_wide = api.post("/api/v1/issues", json=OPEN, headers=outsider)
    assert team_wide.status_code == 201 and team_wide.json()["project_id"] is None
    before = issue_count(team)
    refused = api.post("/api/v1/projects/P-TEST/issues", json=OPEN, headers=outsider)
    assert_envelope(refused, 403, "outsider may not do this in project P-TEST")
    assert issue_count(team) == before
    assert_envelope(api.get(f"/api/v1/issues/{seeded['issue']}", headers=outsider), 403)
    unknown = api.post("/api/v1/projects/P-TEST/issues", headers=principals["data-engineer"],
                       json={**OPEN, "links": ["batch:B-9999"]})
    assert_envelope(unknown, 404, "linked batch B-9999 does not exist")
    assert issue_count(team) == before


@pytest.mark.parametrize("body", [{**OPEN, "title": "a\x00b"}, {**OPEN, "owner": "x\x00"},
                                  {**OPEN, "links": ["batch:\x00"]}])
def test_a_nul_character_is_refused_on_both_backends(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        seeded: dict[str, str], body: dict[str, Any]) -> None:
    de = principals["data-engineer"]
    before = issue_count(team)
    refused = api.post("/api/v1/projects/P-TEST/issues", json=body, headers=de)
    assert_envelope(refused, 400, "should match pattern")
    assert issue_count(team) == before
    url = f"/api/v1/issues/{seeded['issue']}/postmortem"
    pm_before = api.get(url, headers=de).json()
    moment = {"at": "2026-11-25T10:00:00Z", "what": "\x00"}
    for sections in ({"event": "\x00"}, {"timeline": [moment]}):
        assert_envelope(api.put(url, json=sections, headers=de), 400, "should match pattern")
    assert api.get(url, headers=de).json() == pm_before
    assert_envelope(api.get("/api/v1/issues", params={"owner": "\x00"}, headers=de), 400)


def test_show_has_the_escalation_clock_and_matches_the_cli(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        cli: Any) -> None:
    from dataflywheel.flows.issues.lifecycle import open_issue

    opened_at = datetime.now(UTC) - timedelta(hours=1)
    issue = open_issue(team, title="PII in the eval set", severity="P0", source="quality_check",
                       project_id="P-TEST", owner_id="data-engineer", now=opened_at)
    url = f"/api/v1/issues/{issue.id}"
    shown = api.get(url, headers=principals["data-engineer"]).json()
    clock = shown["escalation"]
    assert (clock["level"], clock["due_level"], clock["next_level"]) == (0, 1, 2)
    assert clock["due_label"] == "team lead" and clock["next_label"] == "data owner"
    assert datetime.fromisoformat(clock["next_at"]) == issue.remediate_by
    assert shown == cli("issues", "show", issue.id, "--json").json()
    assert "escalation: owner (level 0); due now: team lead; next: data owner at" in \
        cli("issues", "show", issue.id).out
    done = api.post("/api/v1/issues/escalate", json={}, headers=principals["data-owner"])
    assert done.status_code == 200, done.text
    assert [(e["issue_id"], e["to_level"]) for e in done.json()
            if e["issue_id"] == issue.id] == [(issue.id, 1)]
    clock = api.get(url, headers=principals["data-engineer"]).json()["escalation"]
    assert (clock["level"], clock["due_level"]) == (1, 1) and clock["escalated_at"]
    assert ("issue.escalate", "data-owner") in actors(team, issue.id)


def _march_issues(team: Workspace) -> list[str]:
    from dataflywheel.flows.issues.lifecycle import open_issue

    ids = []
    for day, severity, project in [(3, "P1", "P-TEST"), (10, "P2", "P-TEST"),
                                   (20, "P2", None), (28, "P3", "P-TEST")]:
        ids.append(open_issue(team, title=f"march {day}", severity=severity, source="manual",
                              project_id=project, now=datetime(2025, 3, day, 9, tzinfo=UTC)).id)
    open_issue(team, title="april", severity="P2", source="manual", project_id="P-TEST",
               now=datetime(2025, 4, 2, 9, tzinfo=UTC))
    return ids


def test_list_filters_by_window_tier_and_project_and_pages(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        cli: Any) -> None:
    ids = _march_issues(team)
    de = principals["data-engineer"]
    first = api.get("/api/v1/issues", params={**WINDOW, "limit": 3}, headers=de).json()
    assert len(first["items"]) == 3 and first["remaining"] == 1
    rest = api.get("/api/v1/issues", params={**WINDOW, "limit": 3, "cursor": first["next_cursor"]},
                   headers=de).json()
    assert rest["next_cursor"] is None
    assert sorted(i["id"] for i in first["items"] + rest["items"]) == sorted(ids)
    whole = api.get("/api/v1/issues", params=WINDOW, headers=de).json()["items"]
    assert whole == cli("issues", "list", "--opened-from", WINDOW["opened_from"],
                        "--opened-to", WINDOW["opened_to"], "--json").json()
    p2 = api.get("/api/v1/issues", params={**WINDOW, "severity": "P2", "project": "P-TEST"},
                 headers=de).json()["items"]
    assert [i["title"] for i in p2] == ["march 10"]
    outsider = api.get("/api/v1/issues", params={"project": "P-TEST"},
                       headers=principals["outsider"])
    assert_envelope(outsider, 403, "outsider may not do this in project P-TEST")


def test_bad_list_windows_are_refused_with_the_reason(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        cli: Any) -> None:
    de = principals["data-engineer"]
    before = issue_count(team)
    empty = api.get("/api/v1/issues", headers=de, params={
        "opened_from": "2025-04-01T00:00:00Z", "opened_to": "2025-03-01T00:00:00Z"})
    body = assert_envelope(empty, 400, "the opening window is empty")
    assert body["errors"][0]["field"] == "opened_to"
    naive = api.get("/api/v1/issues", params={"opened_from": "2025-04-01T00:00:00"}, headers=de)
    assert_envelope(naive, 400, "a date filter must carry a time zone")
    refused = cli("issues", "list", "--opened-from", "2025-04-01", "--opened-to", "2025-03-01")
    assert refused.code == 2 and "the opening window is empty" in refused.err
    assert issue_count(team) == before


def test_tier_is_the_cli_answer(api: TestClient, principals: dict[str, dict[str, str]],
                                cli: Any) -> None:
    answer = api.get("/api/v1/issues/tier", params={"share": 0.2, "purpose": "training"},
                     headers=principals["algorithm-engineer"])
    assert answer.json() == cli("issues", "tier", "--share", "0.2", "--purpose", "training",
                                "--json").json() == {"severity": "P1"}
    bad = api.get("/api/v1/issues/tier", params={"share": 0.2, "purpose": "fun"},
                  headers=principals["algorithm-engineer"])
    assert_envelope(bad, 400, "unknown dataset purpose 'fun'")


def test_a_p1_closes_after_its_post_mortem_is_published(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace) -> None:
    from seed_issues import SECTIONS

    de = principals["data-engineer"]
    issue = api.post("/api/v1/projects/P-TEST/issues", json={**OPEN, "severity": "P1"},
                     headers=de).json()
    url = f"/api/v1/issues/{issue['id']}"
    api.post(f"{url}/assign", json={"owner": "data-engineer"}, headers=de)
    api.post(f"{url}/resolve", json={"resolution": "deduplicated"}, headers=de)
    assert_envelope(api.post(f"{url}/close", json={}, headers=de), 403,
                    "closes only with a post-mortem, and it has none")
    template = api.get(f"{url}/postmortem/template", headers=de).json()
    assert template["issue_id"] == issue["id"] and "Blameless" in template["template"]
    assert_envelope(api.get(f"{url}/postmortem", headers=de), 404, "has no post-mortem")
    blamed = api.put(f"{url}/postmortem", headers=de,
                     json={**SECTIONS, "root_cause": "data-engineer skipped the check"})
    assert_envelope(blamed, 403, "the root cause names 'data-engineer'")
    assert_envelope(api.get(f"{url}/postmortem", headers=de), 404)
    unknown = api.put(f"{url}/postmortem", headers=de, json={**SECTIONS, "lessons": "x"})
    assert_envelope(unknown, 400)
    assert_envelope(api.get(f"{url}/postmortem", headers=de), 404)
    wrote = api.put(f"{url}/postmortem", json={"event": SECTIONS["event"]}, headers=de)
    assert wrote.status_code == 200 and wrote.json()["state"] == "draft"
    assert api.put(f"{url}/postmortem", json=SECTIONS, headers=de).json()["impact"]
    linked = api.post(f"{url}/postmortem/link", json={"kind": "check", "ref": "near_duplicates"},
                      headers=de).json()
    assert linked["change_kind"] == "check" and linked["change_ref"] == "near_duplicates"
    assert api.post(f"{url}/postmortem/submit", headers=de).json()["state"] == "review"
    published = api.post(f"{url}/postmortem/publish", headers=principals["data-owner"]).json()
    assert published["state"] == "published"
    assert api.get(f"{url}/postmortem", headers=de).json() == published
    closed = api.post(f"{url}/close", json={}, headers=de)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert ("post_mortem.publish", "data-owner") in actors(team, published["id"])
    hits = api.get("/api/v1/kb/search", params={"q": "near duplicates", "kind": "post_mortem"},
                   headers=de).json()["items"]
    assert [h["title"] for h in hits] == [f"Post-mortem {published['id']}: {OPEN['title']}"]


# --- the CLI through the loopback server ------------------------------------------------------


@pytest.fixture
def remote(live_server: Any, principals: dict[str, dict[str, str]],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Point the CLI at the loopback server; `use(name)` picks whose token it sends."""
    monkeypatch.setenv("FLYWHEEL_SERVER", live_server.url)

    def use(name: str) -> None:
        monkeypatch.setenv("FLYWHEEL_TOKEN", principals[name]["Authorization"].split()[1])

    use("data-engineer")
    yield use


def test_the_cli_moves_issues_through_the_server(remote: Any, cli: Any, team: Workspace,
                                                 tmp_path: Path) -> None:
    from dataflywheel.flows.issues.lifecycle import issue_detail

    opened = cli("issues", "open", "dup spike", "--severity", "P1", "--project", "P-TEST",
                 "--source", "quality_check", "--json", login="nobody-bound")
    assert opened.code == 0, opened.err
    record = opened.json()
    issue_id = record["id"]
    assert record == issue_detail(team, issue_id)[0].model_dump(mode="json")
    assert actors(team, issue_id)[0] == ("issue.add", "data-engineer")
    assigned = cli("issues", "assign", issue_id, "--owner", "quality-evaluator")
    assert assigned.out.strip() == f"{issue_id} (P1) is assigned: dup spike"
    assert cli("issues", "resolve", issue_id, "--resolution", "deduplicated").code == 0
    pm_file = tmp_path / "pm.yaml"
    pm_file.write_text(PM_YAML, encoding="utf-8")
    wrote = cli("issues", "postmortem", issue_id, "--file", str(pm_file))
    assert wrote.out.strip().endswith("(draft); still missing: change_link")
    assert cli("issues", "postmortem-link", issue_id, "--kind", "check",
               "--ref", "near_duplicates").code == 0
    assert cli("issues", "postmortem-submit", issue_id).out.strip().endswith("is review")
    assert cli("issues", "postmortem-publish", issue_id).out.strip().endswith("is published")
    closed = cli("issues", "close", issue_id, "--json")
    assert closed.code == 0 and closed.json()["state"] == "closed"
    assert cli("issues", "reopen", issue_id, "--reason", "back").code == 0
    assert issue_detail(team, issue_id)[0].state.value == "acknowledged"
    assert {actor for _, actor in actors(team, issue_id)} == {"data-engineer"}
    assert cli("issues", "ack", issue_id).code == 2  # acknowledged → acknowledged: a 409


def test_the_cli_through_the_server_is_refused_as_the_server_refuses(
        remote: Any, cli: Any, team: Workspace, seeded: dict[str, str]) -> None:
    from dataflywheel.flows.issues.lifecycle import issue_detail

    remote("outsider")
    refused = cli("issues", "ack", seeded["issue"], "--note", "mine now")
    assert refused.code == 2
    assert "outsider may not do this in project P-TEST" in refused.err
    assert issue_detail(team, seeded["issue"])[0].state.value == "new"
    before = issue_count(team)
    assert cli("issues", "open", "x", "--severity", "P2", "--project", "P-TEST").code == 2
    assert issue_count(team) == before
    remote("quality-evaluator")
    escalate = cli("issues", "escalate")
    assert escalate.code == 2 and "only a data_owner or platform_engineer" in escalate.err
    remote("platform-engineer")
    assert cli("issues", "escalate", "--json").code == 0


def test_a_local_and_a_remote_open_print_the_same(remote: Any, cli: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    via_server = cli("issues", "open", "same", "--severity", "P3", "--project", "P-TEST")
    monkeypatch.delenv("FLYWHEEL_SERVER")
    local = cli("issues", "open", "same", "--severity", "P3", "--project", "P-TEST")
    assert via_server.code == local.code == 0
    strip = [line.split(" ", 2)[2] for line in (via_server.out, local.out)]
    assert strip[0] == strip[1]
    assert via_server.out.startswith("opened ISS-")
