"""Logging in and out: a personal token exchanged for a session cookie, and the session ended.

The cookie is HttpOnly (no page script reads it), SameSite=Lax (another site's forms never carry
it; a link pasted into a chat still opens the page logged in) and Secure when the server is
reached over HTTPS. The login form carries its own CSRF pair (a random value in a short-lived
cookie and in the form), so another site cannot log a person in under someone else's token.
`next` only ever leads back into this site.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dataflywheel.api.deps import BaseWorkspace, Caller
from dataflywheel.api.policy import SESSION_COOKIE, AnyPerson, Public, Rule
from dataflywheel.errors import FlywheelError
from dataflywheel.flows.governance.web_sessions import end_session, open_session
from dataflywheel.web.rendering import check_csrf, render_page, see_other

router = APIRouter(include_in_schema=False)

POLICY: dict[tuple[str, str], Rule] = {
    ("GET", "/login"): Public(),
    ("POST", "/login"): Public(),
    ("POST", "/logout"): AnyPerson(),
}
LOGIN_COOKIE = "flywheel_login"
TokenField = Annotated[str, Form(max_length=200)]
Text = Annotated[str, Form(max_length=2000)]


def safe_next(target: str) -> str:
    """`target` when it is a path of this site, else the dashboard (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_form(request: Request, *, next_url: str, error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    pair = secrets.token_urlsafe(24)
    response = render_page(request, "login.html", title="Log in", who=None, next_url=next_url,
                           login_csrf=pair, error=error, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, pair, max_age=600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the URL's name
    """The login form."""
    return _login_form(request, next_url=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, ws: BaseWorkspace, token: TokenField, login_csrf: Text,
          next: Text = "/") -> Response:  # noqa: A002
    """A session for the token's person, or the form again saying why not."""
    target = safe_next(next)
    pair = request.cookies.get(LOGIN_COOKIE, "")
    if not pair or not hmac.compare_digest(pair, login_csrf):
        return _login_form(request, next_url=target, status_code=403,
                           error="the login form expired or came from another site: try again")
    try:
        opened = open_session(ws, token.strip())
    except FlywheelError as exc:
        return _login_form(request, next_url=target, error=str(exc), status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, opened.cookie, expires=opened.expires_at, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, ws: BaseWorkspace, who: Caller) -> Response:
    """End the session (CSRF-checked like every form) and forget the cookie."""
    await check_csrf(request)
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(end_session, ws, request.cookies[SESSION_COOKIE])
    response = see_other("/login", notice=f"{who.person_id} logged out")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
