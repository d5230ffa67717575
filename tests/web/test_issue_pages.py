"""The Issue board, an issue's page with its post-mortem, and the knowledge base, on the demo
workspace: the API's figures, links, 404 and 400 pages."""

from __future__ import annotations

from collections import Counter

from page_helpers import alert_of, api_json, element_text, shown_time
from web_helpers import web_login

OWNER = "lin.wei"


def test_the_board_counts_tiers_and_shows_the_apis_deadlines(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    page = site_client.get("/issues?project=P-K12")
    assert page.status_code == 200
    issues = api_json(site_client, token, "/api/v1/issues", project="P-K12", limit=1000)["items"]
    assert issues
    for (severity, state), n in Counter((i["severity"], i["state"]) for i in issues).items():
        assert element_text(page.text, f"n-{severity}-{state}") == str(n)
    for issue in issues:
        shown = api_json(site_client, token, f"/api/v1/issues/{issue['id']}")
        row = element_text(page.text, f"row-{issue['id']}")
        assert shown_time(shown["escalation"]["remediate_by"]) in row
        assert shown["escalation"]["level_label"] in row
    assert site_client.get("/issues?project=P-K12&severity=P1").text.count('<tr id="row-') == sum(
        i["severity"] == "P1" for i in issues)


def test_an_issue_page_has_its_post_mortem_and_clock(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    issues = api_json(site_client, token, "/api/v1/issues", project="P-K12", limit=1000)["items"]
    with_pm = [v for v in (api_json(site_client, token, f"/api/v1/issues/{i['id']}")
                           for i in issues) if v["post_mortem"]]
    assert with_pm
    view = with_pm[0]
    page = site_client.get(f"/issues/{view['id']}")
    assert page.status_code == 200
    assert element_text(page.text, "severity") == view["severity"]
    assert element_text(page.text, "remediate-by") == shown_time(view["escalation"]["remediate_by"])
    assert view["post_mortem"]["state"] in element_text(page.text, "pm-state")
    assert view["post_mortem"]["root_cause"] in element_text(page.text, "post-mortem")
    for link in view["links"]:
        if "requirement_id" in link:
            assert f'href="/demand/{link["requirement_id"]}"' in page.text


def test_the_knowledge_base_search_answers_what_the_api_finds(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    bare = site_client.get("/kb")
    assert bare.status_code == 200 and '<a href="/kb/KB-' in bare.text  # the newest documents
    hits = api_json(site_client, token, "/api/v1/kb/search", q="duplicate")["items"]
    assert hits
    page = site_client.get("/kb?q=duplicate").text
    assert [h["id"] for h in hits] == [i for i in (h["id"] for h in hits)
                                       if f'href="/kb/{i}"' in page]
    doc = site_client.get(f"/kb/{hits[0]['id']}")
    assert doc.status_code == 200 and hits[0]["title"] in doc.text
    assert site_client.get("/kb/KB-9999").status_code == 404
    bad = site_client.get("/kb?q=duplicate&cursor=nope")
    assert bad.status_code == 400 and "cursor" in alert_of(bad.text)


def test_unknown_issue_and_bad_tier_are_pages(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    missing = site_client.get("/issues/ISS-9999")
    assert missing.status_code == 404 and "issue ISS-9999 does not exist" in alert_of(missing.text)
    bad = site_client.get("/issues?project=P-K12&severity=P9")
    assert bad.status_code == 400 and "unknown severity 'P9'" in alert_of(bad.text)
