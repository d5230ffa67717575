"""Metrics over HTTP: the figures `flywheel metrics --json` prints for the same window, team-wide
for team-wide roles and per project for its members; bad input is a 400 naming what was
expected, an unknown project a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from server_helpers import assert_envelope

if TYPE_CHECKING:
    from dataflywheel.flows.workspace import Workspace

WINDOW = {"since": "2026-01-01T00:00:00+00:00", "until": "2027-01-01T00:00:00+00:00"}


def test_the_api_and_the_cli_give_the_same_figures(
        api: TestClient, principals: dict[str, dict[str, str]], team: Workspace,
        cli: Any) -> None:
    got = api.get("/api/v1/metrics", headers=principals["data-engineer"],
                  params={**WINDOW, "project": "P-TEST", "breakdown": "vendor"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["project"] == "P-TEST" and len(body["figures"]) == 27
    printed = cli("metrics", "--project", "P-TEST", "--breakdown", "vendor", "--since",
                  WINDOW["since"], "--until", WINDOW["until"], "--json")
    assert printed.code == 0, printed.err
    assert body == printed.json()
    assert {f["metric"] for f in body["figures"] if f["samples"]} >= {"wip", "batch_pass_rate"}


def test_team_wide_figures_need_a_team_wide_role_and_a_project_its_members(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    outsider = principals["outsider"]
    assert_envelope(api.get("/api/v1/metrics", headers=outsider), 403,
                    "only a member of the project's project may")
    assert_envelope(api.get("/api/v1/metrics", params={"project": "P-TEST"}, headers=outsider),
                    403, "in project P-TEST")
    assert api.get("/api/v1/metrics", params={"project": "P-OTHER"},
                   headers=outsider).status_code == 200
    assert api.get("/api/v1/metrics", headers=principals["quality-evaluator"]).status_code == 200
    assert_envelope(api.get("/api/v1/metrics"), 401, "missing bearer token")


def test_bad_input_is_a_400_and_an_unknown_project_a_404(
        api: TestClient, principals: dict[str, dict[str, str]]) -> None:
    owner = principals["data-owner"]
    assert_envelope(api.get("/api/v1/metrics", params={"layer": "speed"}, headers=owner), 400,
                    "unknown metric layer")
    assert_envelope(api.get("/api/v1/metrics", params={"breakdown": "planet"}, headers=owner), 400,
                    "unknown breakdown")
    assert_envelope(api.get("/api/v1/metrics", headers=owner, params={
        "since": WINDOW["until"], "until": WINDOW["since"]}), 400, "the window is empty")
    assert_envelope(api.get("/api/v1/metrics", params={"since": "2026-12-01T00:00:00"},
                            headers=owner), 400, "since")
    assert_envelope(api.get("/api/v1/metrics", params={"project": "P-NONE"}, headers=owner), 404,
                    "P-NONE")


def test_definitions_for_any_person(api: TestClient,
                                    principals: dict[str, dict[str, str]]) -> None:
    got = api.get("/api/v1/metrics/definitions", params={"layer": "flow_efficiency"},
                  headers=principals["outsider"])
    assert got.status_code == 200, got.text
    assert [d["id"] for d in got.json()][:2] == ["delivery_cycle_hours", "queue_wait_hours"]
    assert_envelope(api.get("/api/v1/metrics/definitions", params={"layer": "x"},
                            headers=principals["outsider"]), 400, "unknown metric layer")


def test_the_scorecard_matches_the_cli(api: TestClient, principals: dict[str, dict[str, str]],
                                       cli: Any) -> None:
    periods = {"before_since": "2026-10-01T00:00:00+00:00",
               "before_until": "2026-11-01T00:00:00+00:00",
               "after_since": "2026-11-01T00:00:00+00:00",
               "after_until": "2027-01-01T00:00:00+00:00"}
    got = api.get("/api/v1/metrics/scorecard", params={**periods, "project": "P-TEST"},
                  headers=principals["data-owner"])
    assert got.status_code == 200, got.text
    printed = cli("scorecard", "--before", "2026-10-01T00:00:00+00:00..2026-11-01T00:00:00+00:00",
                  "--after", "2026-11-01T00:00:00+00:00..2027-01-01T00:00:00+00:00",
                  "--project", "P-TEST", "--json")
    assert got.json() == printed.json()
    assert_envelope(api.get("/api/v1/metrics/scorecard", headers=principals["data-owner"],
                            params={**periods, "after_until": periods["after_since"]}), 400,
                    "the period after is empty")
