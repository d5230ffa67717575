"""The Demand board and a requirement's page on the demo workspace: the API's figures, the
requirement's links, 404 and 400 pages."""

from __future__ import annotations

from collections import Counter

from page_helpers import alert_of, api_json, element_text, shown_time
from web_helpers import web_login

OWNER = "lin.wei"  # Data Owner, team-wide


def _requirements(client, token: str, project: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return api_json(client, token, "/api/v1/requirements", project=project, limit=1000)["items"]


def test_the_board_counts_and_clocks_what_the_api_answers(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    page = site_client.get("/demand?project=P-K12")
    assert page.status_code == 200 and "<h1>Demand board: P-K12</h1>" in page.text
    rows = _requirements(site_client, token, "P-K12")
    counted = Counter((r["state"], r["priority"]) for r in rows)
    assert rows
    for (state, priority), n in counted.items():
        assert element_text(page.text, f"n-{state}-{priority}") == str(n)
    assert element_text(page.text, "n-returned-P0") == str(counted[("returned", "P0")])
    for r in rows[:50]:
        sla = api_json(site_client, token, f"/api/v1/requirements/{r['id']}/sla")
        row = element_text(page.text, f"row-{r['id']}")
        assert shown_time(sla["due"]) in row and sla["clock"] in row
        assert ("breached" in row) is sla["breached"]
    first_ids = [r["id"] for r in rows[:50]]
    assert [i for i in first_ids if f'id="row-{i}"' in page.text] == first_ids


def test_the_board_pages_and_filters_in_the_order_of_the_api(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    api = api_json(site_client, token, "/api/v1/requirements", project="P-K12", limit=2,
                   state="accepted")
    page = site_client.get("/demand", params={"project": "P-K12", "limit": 2,
                                              "state": "accepted"}).text
    assert [i["id"] for i in api["items"]] == [
        i for i in (r["id"] for r in api["items"]) if f'id="row-{i}"' in page]
    assert page.count('<tr id="row-') == 2 and f"{api['remaining']} more" in page
    nxt = site_client.get("/demand", params={"project": "P-K12", "limit": 2, "state": "accepted",
                                             "cursor": api["next_cursor"]}).text
    more = api_json(site_client, token, "/api/v1/requirements", project="P-K12", limit=2,
                    state="accepted", cursor=api["next_cursor"])
    assert all(f'id="row-{r["id"]}"' in nxt for r in more["items"])


def test_a_requirement_page_shows_its_sla_and_links(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    delivered = [r for r in _requirements(site_client, token, "P-K12")
                 if r["state"] in ("accepted", "delivered")]
    req = delivered[0]
    page = site_client.get(f"/demand/{req['id']}")
    assert page.status_code == 200
    sla = api_json(site_client, token, f"/api/v1/requirements/{req['id']}/sla")
    assert element_text(page.text, "state") == req["state"]
    assert element_text(page.text, "due") == shown_time(sla["due"])
    for dim in sla["dimensions"]:
        row = element_text(page.text, f"dim-{dim['dimension']}")
        assert dim["status"] in row and dim["evidence"] in row
    assert '<a href="/data/versions/' in page.text  # delivered: the versions carrying it
    assert f'href="/audit?record={req["id"]}"' in page.text


def test_unknown_requirement_and_bad_queries_are_pages_naming_the_problem(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    missing = site_client.get("/demand/REQ-9999")
    assert missing.status_code == 404 and "requirement REQ-9999 does not exist" in alert_of(missing.text)
    bad_cursor = site_client.get("/demand?project=P-K12&cursor=nope")
    assert bad_cursor.status_code == 400 and "not a cursor of this list" in alert_of(bad_cursor.text)
    bad_state = site_client.get("/demand?project=P-K12&state=done")
    assert bad_state.status_code == 400 and "unknown state 'done'" in alert_of(bad_state.text)
    assert site_client.get("/demand?project=P-K12&limit=0").status_code == 400


def test_a_person_outside_the_project_is_refused(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token["maya.ortiz"])  # data engineer of P-ORAL only
    refused = site_client.get("/demand?project=P-K12")
    assert refused.status_code == 403 and "maya.ortiz may not do this" in alert_of(refused.text)
    assert site_client.get("/demand?project=P-ORAL").status_code == 200


def test_a_delivery_is_accepted_or_rejected_only_by_its_accountable(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from web_helpers import csrf_of

    client, site = fresh_site
    owner = {"Authorization": f"Bearer {site.token[OWNER]}"}
    mine = [r for r in client.get("/api/v1/requirements", params={"state": "in_progress",
                                                                   "limit": 1000},
                                  headers=owner).json()["items"]
            if r["accountable_id"] == OWNER][:2]
    for r in mine:
        done = client.post(f"/api/v1/requirements/{r['id']}/deliver",
                           json={"versions": ["V-0001"]}, headers=owner)
        assert done.status_code == 200, done.text
    first, second = (r["id"] for r in mine)
    web_login(client, site.token["chen.jie"])  # a member, not the Accountable
    page = client.get(f"/demand/{first}")
    assert "Only the accountable person the requirement names may." in element_text(page.text, "only")
    refused = client.post(f"/demand/{first}/accept", data={"csrf": csrf_of(page.text)},
                          follow_redirects=False)
    assert refused.status_code == 403 and "chen.jie may not do this" in alert_of(refused.text)
    assert client.get(f"/api/v1/requirements/{first}", headers=owner).json()["state"] == "delivered"
    web_login(client, site.token[OWNER])
    page = client.get(f"/demand/{first}")
    assert 'id="only"' not in page.text
    accepted = client.post(f"/demand/{first}/accept", data={"csrf": csrf_of(page.text)},
                           follow_redirects=False)
    assert accepted.status_code == 303 and "accepted+by+lin.wei" in accepted.headers["location"]
    assert client.get(f"/api/v1/requirements/{first}", headers=owner).json()["state"] == "accepted"
    rejected = client.post(f"/demand/{second}/reject", follow_redirects=False,
                           data={"csrf": csrf_of(page.text), "reason": "4 % off-topic"})
    assert rejected.status_code == 303
    after = client.get(f"/api/v1/requirements/{second}", headers=owner).json()
    assert (after["state"], after["decision_reason"]) == ("rejected", "4 % off-topic")
    entries = client.get("/api/v1/audit/entries", params={"record": second},
                         headers=owner).json()["items"]
    assert (entries[0]["actor"], entries[0]["action"]) == (OWNER, "requirement.rejected")
