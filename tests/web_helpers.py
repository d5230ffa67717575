"""Helpers for the dashboard's tests: logging a client in, reading a page's CSRF secret."""

from __future__ import annotations

import re
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
