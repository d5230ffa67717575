"""The Feedback page and a theme's page on the demo workspace: the loop rate, themes and routing
as the API answers them; 404 and 400 pages."""

from __future__ import annotations

from collections import Counter

from page_helpers import alert_of, api_json, element_text
from web_helpers import web_login

OWNER = "lin.wei"


def test_the_loop_themes_and_routing_are_the_apis(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    page = site_client.get("/feedback?project=P-K12")
    assert page.status_code == 200
    metrics = api_json(site_client, token, "/api/v1/feedback/metrics")
    rate = metrics["feedback_loop_rate"]
    assert element_text(page.text, "loop-rate") == ("—" if rate is None else f"{rate * 100:.1f}%")
    assert element_text(page.text, "routed") == str(metrics["routed_events"])
    assert element_text(page.text, "absorbed") == str(metrics["absorbed_events"])
    assert 'id="loop-trend"' in page.text and "Data behind the chart (12 rows)" in page.text
    themes = api_json(site_client, token, "/api/v1/feedback/themes", project="P-K12")["items"]
    assert themes
    for t in themes:
        row = element_text(page.text, f"theme-{t['id']}")
        assert t["title"] in row and str(t["event_count"]) in row
        assert ("—" if t["leverage_score"] is None else str(t["leverage_score"])) in row
    events = api_json(site_client, token, "/api/v1/feedback/events", project="P-K12",
                      limit=1000)["items"]
    by_route = Counter((e["project_id"], e["stage_id"]) for e in events)
    for (project, stage), n in by_route.items():
        row = element_text(page.text, f"route-{project}-{stage or 'none'}")
        assert row.split()[:3] == [project, "—" if stage is None else stage, str(n)]


def test_a_theme_page_links_what_it_became(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    themes = api_json(site_client, token, "/api/v1/feedback/themes", project="P-K12")["items"]
    became = next(t for t in themes if t["requirement_id"] or t["issue_id"])
    page = site_client.get(f"/feedback/themes/{became['id']}")
    assert page.status_code == 200
    shown = api_json(site_client, token, f"/api/v1/feedback/themes/{became['id']}")
    assert element_text(page.text, "state") == shown["state"]
    assert element_text(page.text, "events") == str(shown["event_count"])
    target = (f'href="/demand/{shown["requirement_id"]}"' if shown["requirement_id"]
              else f'href="/issues/{shown["issue_id"]}"')
    assert target in page.text
    for example in shown["examples"]:
        assert example["id"] in element_text(page.text, "examples")


def test_unknown_theme_and_bad_queries(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    missing = site_client.get("/feedback/themes/TH-9999")
    assert missing.status_code == 404 and "TH-9999" in alert_of(missing.text)
    bad = site_client.get("/feedback?project=P-K12&state=done")
    assert bad.status_code == 400 and "unknown theme state 'done'" in alert_of(bad.text)
    cursor = site_client.get("/feedback?project=P-K12&cursor=nope")
    assert cursor.status_code == 400 and "not a cursor of this list" in alert_of(cursor.text)
