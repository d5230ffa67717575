"""The milestone board and stage plan on the demo workspace, as the API answers them."""

from __future__ import annotations

from page_helpers import alert_of, api_json, element_text
from web_helpers import web_login

OWNER = "lin.wei"


def test_the_board_and_plan_are_the_apis(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    page = site_client.get("/plan?project=P-K12")
    assert page.status_code == 200
    board = api_json(site_client, token, "/api/v1/system/projects/P-K12/milestones")
    assert board["rows"]
    for n, m in enumerate(board["rows"], start=1):
        row = element_text(page.text, f"milestone-{n}")
        assert m["title"] in row and m["due"] in row and f"{m['evidence']} / {m['needed']}" in row
        assert (m["state"] == "done") is ("✓ done" in row)
    plan = api_json(site_client, token, "/api/v1/system/projects/P-K12/plan")
    for stage in plan["stages"]:
        row = element_text(page.text, f"stage-{stage['name']}")
        assert stage["gate"] in row and stage["raci_item"] in row
        assert (stage["accountable"] or stage["problem"]) in row
    for run in api_json(site_client, token, "/api/v1/system/runs", project="P-K12"):
        assert f"{run['completion_rate'] * 100:.1f}%" in element_text(page.text, f"run-{run['id']}")


def test_a_project_without_a_plan_says_how_to_load_one(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    page = site_client.get("/plan?project=P-ORAL")
    assert page.status_code == 200
    assert "flywheel system plan load --project P-ORAL" in element_text(page.text, "no-plan")
    missing = site_client.get("/plan?project=P-NOPE")
    assert missing.status_code == 404 and "project P-NOPE does not exist" in alert_of(missing.text)


def test_the_board_is_kept_a_minute_and_computed_again_on_asking(fresh_site) -> None:  # type: ignore[no-untyped-def]
    client, site = fresh_site
    web_login(client, site.token[OWNER])
    first = element_text(client.get("/plan?project=P-K12").text, "computed")
    assert first.startswith("Figures as of") and "kept 60 s" in first
    made = client.post("/api/v1/system/projects/P-K12/runs", json={},
                       headers={"Authorization": f"Bearer {site.token[OWNER]}"})
    assert made.status_code == 201, made.text
    run = made.json()["id"]
    assert f'id="run-{run}"' not in client.get("/plan?project=P-K12").text  # the kept figures
    assert f'id="run-{run}"' in client.get("/plan?project=P-K12&fresh=true").text
