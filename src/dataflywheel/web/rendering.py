"""Rendering a page: the dashboard's Jinja2 environment, the layout's context, the answers.

Pages are rendered on the server (one query through the pool's flow, one typed context, one
template) so a page shows the numbers the API answers. Every page answer carries the same
security headers: a Content-Security-Policy that allows only the product's own scripts, styles
and images (no inline script, no `eval`: the charts run Vega's expression interpreter), no
framing, no MIME sniffing, no referrer leaving the site.
"""

from __future__ import annotations

import hmac
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jinja2
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from dataflywheel.errors import PolicyViolation
from dataflywheel.reports.templating import num

if TYPE_CHECKING:
    from dataflywheel.flows.governance.tokens import Authenticated
    from dataflywheel.web.projects import ProjectChoice

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                                "form-action 'self'; frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

NAV = (("/", "Dashboard"), ("/demand", "Demand"), ("/data", "Data"),
       ("/experiments", "Experiments"), ("/issues", "Issues"), ("/feedback", "Feedback"),
       ("/guides", "Annotation"), ("/plan", "Plan"), ("/audit", "Audit"), ("/inbox", "Inbox"))
"""The nav bar: every pool's page, in the order the chapter walks the flywheel."""


_CSRF: ContextVar[str] = ContextVar("csrf", default="")
"""The CSRF secret of the page being rendered: set around one render, read by `csrf_field()`
wherever it is called (an imported macro sees no template context, a context variable it does)."""


def session_csrf_input() -> Markup:
    """The hidden input every POST form of a page carries (`{{ csrf_field() }}`)."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(escape(_CSRF.get()))


def pct(value: float | None) -> str:
    """A rate for people: `12.5%`; `—` when nothing was measured."""
    return "—" if value is None else f"{value * 100:.1f}%"


@cache
def environment() -> jinja2.Environment:
    """Built on first use (STYLE: nothing at import time); HTML autoescaped, undefined names raise."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dataflywheel.web", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = num
    env.filters["pct"] = pct
    env.globals["session_csrf_input"] = session_csrf_input
    env.globals["csrf_field"] = session_csrf_input
    return env


def csrf_of(request: Request) -> str:
    """The CSRF secret of the request's session ("" on the public pages)."""
    caller = getattr(request.state, "session", None)
    return caller.csrf if caller is not None else ""


def render_page(request: Request, template: str, *, title: str, who: Authenticated | None,
                choice: ProjectChoice | None = None, status_code: int = 200,
                **context: Any) -> HTMLResponse:
    """`template` rendered in the layout, with the person, their CSRF secret, the nav and the
    `?notice=` an action left."""
    token = _CSRF.set(csrf_of(request))
    try:
        html = environment().get_template(template).render(
            request=request, title=title, who=who, csrf=csrf_of(request), nav=NAV,
            path=request.url.path, choice=choice, notice=request.query_params.get("notice"),
            **context)
    finally:
        _CSRF.reset(token)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A failure as a page: the status, what was wrong, and the way back."""
    caller = getattr(request.state, "session", None)
    return render_page(request, "error.html", title=f"Error {status}",
                       who=caller.who if caller is not None else None, status=status,
                       message=message, status_code=status)


def see_other(url: str, *, notice: str | None = None, **query: str) -> RedirectResponse:
    """After an action: back to `url` (303, so a reload does not repeat it), saying what was done."""
    params = {**query, **({"notice": notice} if notice else {})}
    return RedirectResponse(url + ("?" + urlencode(params) if params else ""), status_code=303)


async def check_csrf(request: Request) -> None:
    """Every form a page posts carries its session's CSRF secret (`csrf_field()`); a POST
    without it, or with another session's, is refused before the handler runs."""
    if request.method in {"GET", "HEAD"}:
        return
    form = await request.form()
    sent = form.get("csrf")
    expected = csrf_of(request)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise PolicyViolation("the form's CSRF token is missing or does not match the session",
                              kept="nothing was changed",
                              hint="reload the page and submit the form again")


def page_router() -> APIRouter:
    """A router for pages: kept out of the OpenAPI document, every POST CSRF-checked."""
    return APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])
