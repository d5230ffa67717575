"""Helpers for the dashboard's tests: logging a client in, reading a page's CSRF secret."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LOGIN_CSRF = re.compile(r'name="login_csrf" value="([^"]+)"')


def web_login(client: Any, token: str, *, next_url: str = "/") -> Any:
    """Log `client` (a TestClient of `create_site`) in with `token`; the login answer (303)."""
    form = client.get("/login")
    pair = LOGIN_CSRF.search(form.text)
    assert pair, form.text
    answer = client.post("/login", data={"token": token, "login_csrf": pair.group(1),
                                         "next": next_url}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


def csrf_of(html: str) -> str:
    """The CSRF secret a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF field"
    return found.group(1)


@dataclass(frozen=True)
class LiveSite:
    """The dashboard served on loopback (`live_site`) and a token per demo person."""

    url: str
    token: dict[str, str]


def browser_login(browser: Any, site: LiveSite, person: str, *,
                  viewport: tuple[int, int] = (1280, 900)) -> Any:
    """A new page (its own cookies) logged in as `person` on `site`, through the login form."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("#token", site.token[person])
    page.click("form.login button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page
