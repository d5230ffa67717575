"""The dashboard's foundation: logging in and out, sessions tied to tokens, CSRF, errors as pages,
security headers, the executive dashboard's figures against the API's."""

from __future__ import annotations

import re

from web_helpers import csrf_of, web_login

OWNER = "lin.wei"        # Data Owner, team-wide
EVALUATOR = "omar.haddad"


def test_a_page_without_a_session_leads_to_the_login_page(site_client) -> None:  # type: ignore[no-untyped-def]
    answer = site_client.get("/?project=P-K12", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2F%3Fproject%3DP-K12"


def test_login_exchanges_the_token_for_an_httponly_session(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    answer = web_login(site_client, demo_site.token[OWNER], next_url="/?project=P-K12")
    assert answer.headers["location"] == "/?project=P-K12"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("flywheel_session=fws_")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert demo_site.token[OWNER] not in cookie
    page = site_client.get("/?project=P-K12")
    assert page.status_code == 200
    assert "Signed in as <strong>lin.wei</strong>" in page.text


def test_a_wrong_token_is_refused_on_the_form_with_the_reason(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    form = site_client.get("/login")
    pair = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    answer = site_client.post("/login", data={"token": "fwt_nothing", "login_csrf": pair},
                              follow_redirects=False)
    assert answer.status_code == 401
    assert "malformed bearer token" in answer.text
    assert "flywheel_session" not in answer.headers.get("set-cookie", "")


def test_a_login_form_from_elsewhere_is_refused(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    answer = site_client.post("/login", data={"token": demo_site.token[OWNER],
                                              "login_csrf": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    assert "came from another site" in answer.text


def test_next_never_leaves_the_site(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil"):
        answer = web_login(site_client, demo_site.token[OWNER], next_url=target)
        assert answer.headers["location"] == "/"


def test_logout_ends_the_session_for_good(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    cookie = site_client.cookies.get("flywheel_session")
    page = site_client.get("/?project=P-K12")
    answer = site_client.post("/logout", data={"csrf": csrf_of(page.text)},
                              follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?notice=")
    site_client.cookies.set("flywheel_session", cookie)  # the old cookie, replayed
    again = site_client.get("/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


def test_a_form_without_the_session_csrf_is_refused(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    for data in ({}, {"csrf": "forged"}):
        answer = site_client.post("/logout", data=data, follow_redirects=False)
        assert answer.status_code == 403
        assert "CSRF token is missing or does not match" in answer.text
    assert site_client.get("/?project=P-K12").status_code == 200  # still logged in


def test_a_revoked_token_ends_its_sessions(fresh_site) -> None:  # type: ignore[no-untyped-def]
    from dataflywheel.flows.governance.tokens import revoke_token, split_token
    from dataflywheel.flows.workspace import open_workspace

    client, site = fresh_site
    web_login(client, site.token[OWNER])
    assert client.get("/?project=P-K12").status_code == 200
    token_id = split_token(site.token[OWNER])[0]  # type: ignore[index]
    with open_workspace(site.settings) as ws:
        revoke_token(ws, token_id, reason="left the laptop in a taxi")
    answer = client.get("/?project=P-K12", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_api_never_takes_the_session_cookie(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    answer = site_client.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.json()["error"].startswith("missing bearer token")


def test_errors_on_pages_are_pages(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    unknown = site_client.get("/?project=P-NOPE")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("text/html")
    assert "project P-NOPE does not exist" in unknown.text
    missing = site_client.get("/no/such/page")
    assert missing.status_code == 404 and "<h1>Not found (404)</h1>" in missing.text
    assert site_client.get("/api/v1/no/such").headers["content-type"] == "application/json"


def test_a_project_the_person_does_not_see_is_refused(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token["maya.ortiz"])  # data engineer of P-ORAL only
    mine = site_client.get("/")
    assert mine.status_code == 200 and "Flywheel dashboard: P-ORAL" in mine.text
    other = site_client.get("/?project=P-K12")
    assert other.status_code == 403
    assert "maya.ortiz may not see project P-K12" in other.text


def test_pages_carry_the_security_headers_and_serve_their_own_assets(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    page = site_client.get("/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    for src in re.findall(r'<script src="([^"]+)"', page.text):
        assert src.startswith("/static/")
        assert site_client.get(src).status_code == 200


def test_the_executive_dashboard_shows_the_apis_figures(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    web_login(site_client, demo_site.token[OWNER])
    page = site_client.get("/?project=P-K12").text
    api = site_client.get("/api/v1/system/projects/P-K12/dashboard",
                          headers={"Authorization": f"Bearer {demo_site.token[OWNER]}"}).json()

    def cell(id_: str) -> str:
        found = re.search(rf'id="{id_}">(.*?)</span>', page, re.S)
        assert found, id_
        return re.sub(r"<[^>]+>", "", found.group(1)).strip()

    assert cell("completion") == f"{api['run']['completion_rate'] * 100:.1f}%"
    assert cell("average-score") == f"{api['run']['average_score']:.4f}"
    assert cell("late-milestones") == str(api["governance"]["late_milestones"])
    assert cell("healthy") == ("✓ yes" if api["healthy"] else "✗ no")
    for stage in api["run"]["stages"]:
        assert f"<td>{stage['stage']}</td>" in page
    for milestone in api["milestones"]["rows"]:
        assert milestone["title"] in page
    assert page.count('class="vega"') >= 3  # the metric layers drawn as trends


def test_the_demo_ends_by_opening_the_dashboard_and_printing_how(site_client, demo_site) -> None:  # type: ignore[no-untyped-def]
    out = demo_site.output
    assert "lin.wei logs in at http://127.0.0.1:" in out and "P-K12: HTTP 200" in out
    assert "  completion: 100.0%" in out
    assert f"flywheel --home {demo_site.home} serve --port 8000" in out
    token = re.search(r"^  (fwt_\S+)$", out, re.M)
    assert token, out[-600:]
    web_login(site_client, token.group(1))  # the printed token opens the dashboard
    assert "Signed in as <strong>lin.wei</strong>" in site_client.get("/?project=P-K12").text


def test_a_malformed_login_form_is_a_400_page_and_opens_no_session(site_client) -> None:  # type: ignore[no-untyped-def]
    form = site_client.get("/login")
    pair = re.search(r'name="login_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    for data in ({"token": "x" * 201, "login_csrf": pair}, {"login_csrf": pair}):
        answer = site_client.post("/login", data=data, follow_redirects=False)
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert "token" in answer.text
        assert "flywheel_session" not in answer.headers.get("set-cookie", "")
