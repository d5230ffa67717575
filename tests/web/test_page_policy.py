"""Every page of the site answers to the policy table: a rule for each route (the site refuses
to start otherwise), nobody reads a page without a session, and no POST acts without one."""

from __future__ import annotations

import re

import pytest


def _page_routes() -> list[tuple[str, str]]:
    from dataflywheel.api.policy import served_routes
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import create_site

    app = create_site(Settings(), open_on_start=False)
    return [(m, p) for m, p in served_routes(app)
            if not p.startswith(("/api/", "/docs", "/redoc", "/openapi"))]


PAGE_ROUTES = _page_routes()


def _example(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x-1", path)


def test_every_page_route_has_a_rule_and_the_site_checks_it() -> None:
    from dataflywheel.api.policy import unruled_routes
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import create_site

    app = create_site(Settings(), open_on_start=False)
    assert unruled_routes(app) == []
    assert ("GET", "/") in PAGE_ROUTES and ("POST", "/logout") in PAGE_ROUTES


@pytest.mark.parametrize("method, path", [r for r in PAGE_ROUTES if r[1] not in ("/login",)])
def test_without_a_session_a_page_sends_to_login_and_a_form_changes_nothing(
        site_client, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    answer = site_client.request(method, _example(path), follow_redirects=False,
                                 data={"csrf": "x"} if method == "POST" else None)
    assert answer.status_code == 303, (method, path, answer.status_code)
    assert answer.headers["location"].startswith("/login?next=")
