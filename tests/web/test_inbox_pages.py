"""The inbox: notices as the API pages them, and each decision taken on the page by the person
the API route's rule names (state changed, audited as them) and refused for anyone else (403
page, nothing changed)."""

from __future__ import annotations

import json
from typing import Any

from page_helpers import alert_of, api_json, element_text
from web_helpers import csrf_of, web_login

OWNER = "lin.wei"            # Data Owner, team-wide
ENGINEER = "chen.jie"        # data engineer, team-wide
EVALUATOR = "omar.haddad"    # quality evaluator, team-wide
OUTSIDER = "maya.ortiz"      # data engineer of P-ORAL only
EXCEPTION = {"type": "quality", "scope": "the K-12 weekly pool while near-duplicates are re-checked",
             "reason": "the check timed out", "usage_restriction": "exploration only",
             "isolation_label": "quarantine-k12", "outstanding_checks": ["near_duplicates"],
             "expires_at": "2030-01-01T00:00:00+00:00", "project_id": "P-K12",
             "dataset_ids": ["DS-0001"]}


def _bearer(site: Any, person: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.token[person]}"}


def _audit_count(site: Any) -> int:
    from sqlalchemy import func, select

    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.store.tables.audit import AuditEntryRow

    with open_workspace(site.settings) as ws, ws.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntryRow)) or 0)


def _post(client: Any, url: str, data: dict[str, str]) -> Any:
    page = client.get("/inbox")
    return client.post(url, data={"csrf": csrf_of(page.text), **data}, follow_redirects=False)


def test_notices_are_the_apis(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    token = demo_site.token[OWNER]
    web_login(site_client, token)
    page = site_client.get("/inbox?limit=10")
    assert page.status_code == 200 and "<h1>Inbox of lin.wei</h1>" in page.text
    api = api_json(site_client, token, "/api/v1/inbox", limit=10)
    for n in api["items"]:
        assert n["subject"] in element_text(page.text, f"notice-{n['id']}")
    assert f"{api['remaining']} more" in page.text
    kinds = api_json(site_client, token, "/api/v1/inbox", kind="escalation")["items"]
    assert site_client.get("/inbox?kind=escalation").text.count('<tr id="notice-') == len(kinds)
    bad = site_client.get("/inbox?cursor=nope")
    assert bad.status_code == 400 and "not a cursor of this list" in alert_of(bad.text)


def test_an_exception_is_approved_only_by_an_approver(fresh_site) -> None:  # type: ignore[no-untyped-def]
    client, site = fresh_site
    made = client.post("/api/v1/exceptions", json=EXCEPTION, headers=_bearer(site, ENGINEER))
    assert made.status_code == 201, made.text
    exc = made.json()["id"]
    web_login(client, site.token[EVALUATOR])
    row = element_text(client.get("/inbox").text, f"exception-{exc}")
    assert "only a person holding the role of an open approver slot" in row
    before = _audit_count(site)
    refused = _post(client, f"/inbox/exceptions/{exc}/approve", {"note": "fine by me"})
    assert refused.status_code == 403 and "omar.haddad may not do this" in alert_of(refused.text)
    assert _audit_count(site) == before
    shown = client.get(f"/api/v1/exceptions/{exc}", headers=_bearer(site, OWNER)).json()
    assert shown["approvals"] == [] and shown["state"] == "requested"

    web_login(client, site.token[OWNER])
    page = client.get("/inbox").text
    assert f'action="/inbox/exceptions/{exc}/approve"' in page
    assert "only" not in element_text(page, f"exception-{exc}").split("Reject")[0]
    done = _post(client, f"/inbox/exceptions/{exc}/approve", {"note": "re-check on Wednesday"})
    assert done.status_code == 303 and f"{exc}+approved+by+lin.wei" in done.headers["location"]
    after = client.get(f"/api/v1/exceptions/{exc}", headers=_bearer(site, OWNER)).json()
    assert [(a["approver_id"], a["note"]) for a in after["approvals"]] == [
        ("lin.wei", "re-check on Wednesday")]
    entries = client.get("/api/v1/audit/entries", params={"actor": OWNER, "limit": 5},
                         headers=_bearer(site, OWNER)).json()["items"]
    assert any(exc in e["record_id"] for e in entries)  # audited as the person who approved


def test_an_exception_is_rejected_with_a_reason(fresh_site) -> None:  # type: ignore[no-untyped-def]
    client, site = fresh_site
    exc = client.post("/api/v1/exceptions", json=EXCEPTION,
                      headers=_bearer(site, ENGINEER)).json()["id"]
    web_login(client, site.token[OWNER])
    no_reason = _post(client, f"/inbox/exceptions/{exc}/reject", {"reason": ""})
    assert no_reason.status_code == 400
    done = _post(client, f"/inbox/exceptions/{exc}/reject", {"reason": "re-deliver instead"})
    assert done.status_code == 303
    assert client.get(f"/api/v1/exceptions/{exc}",
                      headers=_bearer(site, OWNER)).json()["state"] == "rejected"
    assert _post(client, "/inbox/exceptions/EXC-9999/reject",
                 {"reason": "x"}).status_code == 404


def test_a_grant_is_decided_only_by_its_deciders(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.governance.access import may_decide
    from dataflywheel.flows.workspace import open_workspace

    client, site = fresh_site
    made = client.post("/api/v1/assets/DS-0006/grants", headers=_bearer(site, "tom.berg"),
                       json={"grantee": "tom.berg", "purpose": "evaluate on the holdout",
                             "days": 30})
    assert made.status_code == 201, made.text
    grant = made.json()["id"]
    with open_workspace(site.settings) as ws, ws.db.session() as s:
        deciders = [p for p in site.token if may_decide(s, grant, p)]
    outsider = next(p for p in (EVALUATOR, ENGINEER, OWNER) if p not in deciders)
    web_login(client, site.token[outsider])
    assert "only the sharing Accountable" in element_text(client.get("/inbox").text,
                                                          f"grant-{grant}")
    refused = _post(client, f"/inbox/grants/{grant}/approve", {})
    assert refused.status_code == 403
    assert client.get("/api/v1/grants", params={"state": "requested"},
                      headers=_bearer(site, OWNER)).json()["items"][0]["id"] == grant
    web_login(client, site.token[deciders[0]])
    done = _post(client, f"/inbox/grants/{grant}/approve", {"note": "ok for the holdout"})
    assert done.status_code == 303
    state = [g for g in client.get("/api/v1/grants", headers=_bearer(site, OWNER)).json()["items"]
             if g["id"] == grant][0]["state"]
    assert state in ("active", "requested") and f"{grant}+approved" in done.headers["location"]


def test_reviews_are_sent_by_a_member_and_refused_for_others(fresh_site) -> None:  # type: ignore[no-untyped-def]
    client, site = fresh_site
    sheet = client.get("/api/v1/batches/B-0035/review-sheet",
                       headers=_bearer(site, EVALUATOR)).json()["lines"]
    rows = "".join(json.dumps({"record_id": line["record_id"], "reviewer": EVALUATOR,
                               "verdict": "pass", "note": ""}) + "\n" for line in sheet)
    web_login(client, site.token[OUTSIDER])
    assert 'id="batch-B-0035"' not in client.get("/inbox").text
    page = client.get("/inbox")
    refused = client.post("/inbox/batches/B-0035/review", data={"csrf": csrf_of(page.text)},
                          files={"reviews": ("reviews.jsonl", rows.encode())},
                          follow_redirects=False)
    assert refused.status_code == 403
    web_login(client, site.token[EVALUATOR])
    page = client.get("/inbox")
    assert 'action="/inbox/batches/B-0035/review"' in page.text
    done = client.post("/inbox/batches/B-0035/review", data={"csrf": csrf_of(page.text)},
                       files={"reviews": ("reviews.jsonl", rows.encode())},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    assert f"{len(sheet)}+review%28s%29+of+B-0035+taken" in done.headers["location"]
    empty = client.post("/inbox/batches/B-0036/review", data={"csrf": csrf_of(page.text)},
                        files={"reviews": ("reviews.jsonl", b"")}, follow_redirects=False)
    assert empty.status_code == 400 and "the reviews file is empty" in alert_of(empty.text)
