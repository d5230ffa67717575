"""The audit log page: the API's entries newest first, filters and paging, the chain's status
kept by a full verify and checked incrementally after it, a broken chain shown as broken."""

from __future__ import annotations

from page_helpers import alert_of, api_json, element_text
from web_helpers import csrf_of, web_login

OWNER = "lin.wei"
EVALUATOR = "omar.haddad"


def test_entries_are_the_apis_newest_first_and_filtered(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[EVALUATOR]
    web_login(site_client, token)
    page = site_client.get("/audit?limit=20")
    assert page.status_code == 200
    api = api_json(site_client, token, "/api/v1/audit/entries", limit=20)
    seqs = [e["seq"] for e in api["items"]]
    assert [int(s) for s in __import__("re").findall(r'<tr id="entry-(\d+)"', page.text)] == seqs
    first = api["items"][0]
    row = element_text(page.text, f"entry-{first['seq']}")
    assert first["actor"] in row and first["action"] in row and first["record_id"] in row
    older = site_client.get("/audit", params={"limit": 20, "cursor": api["next_cursor"]}).text
    assert f'id="entry-{seqs[-1] - 1}"' in older
    issues = site_client.get("/audit?kind=issue&limit=1000").text
    shown = api_json(site_client, token, "/api/v1/audit/entries", kind="issue", limit=1000)
    assert issues.count('<tr id="entry-') == len(shown["items"]) > 0
    assert '<a href="/issues/' in issues
    bad = site_client.get("/audit?cursor=nope")
    assert bad.status_code == 400 and "not a cursor of this list" in alert_of(bad.text)


def test_the_chain_is_verified_in_full_then_incrementally(fresh_site) -> None:  # type: ignore[no-untyped-def]
    client, site = fresh_site
    web_login(client, site.token[OWNER])
    page = client.get("/audit")
    status = element_text(page.text, "chain-status")
    assert status.startswith("✓ intact") and "full verify of" in status and "just now" in status
    again = element_text(client.get("/audit").text, "chain-status")
    assert "from the checkpoint" in again and again.startswith("✓ intact")
    done = client.post("/audit/verify", data={"csrf": csrf_of(page.text)},
                       follow_redirects=False)
    assert done.status_code == 303 and "full+verify+done" in done.headers["location"]
    assert client.post("/audit/verify", data={}).status_code == 403  # no CSRF: refused


def test_an_edited_entry_shows_the_chain_broken(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.store.tables.audit import AuditEntryRow

    client, site = fresh_site
    web_login(client, site.token[OWNER])
    with open_workspace(site.settings) as ws, ws.db.unit_of_work() as s:
        s.execute(update(AuditEntryRow).where(AuditEntryRow.seq == 5).values(reason="forged"))
    page = client.get("/audit").text
    assert element_text(page, "chain-status").startswith("✗ NOT intact")
    assert "✗ hash" in element_text(page, "problem-5")


def test_a_large_log_waits_for_the_button(fresh_site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.web.pages import audit

    monkeypatch.setattr(audit, "INLINE_FULL_VERIFY", 10)  # the demo's log counts as large
    client, site = fresh_site
    web_login(client, site.token[EVALUATOR])
    page = client.get("/audit")
    assert element_text(page.text, "chain-status") == (
        "⚠ not verified : not verified since the server started.")
    done = client.post("/audit/verify", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200 and "full verify done" in done.text
    assert element_text(done.text, "chain-status").startswith("✓ intact")
