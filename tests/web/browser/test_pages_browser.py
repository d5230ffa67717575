"""Every page of the demo workspace in a real browser: reached by links from the dashboard,
drawn without a script error or a blocked asset, readable at 1280 px, 0 serious or critical axe-core
violations, and a screenshot of each for the docs.

The crawl starts at the executive dashboard logged in as the team-wide Data Owner and follows the
site's own links (one page per route: the first link found to it), so a page no link reaches is
never visited — and `test_every_page_route_was_reached` fails on it. Screenshots go to
$FLYWHEEL_SCREENSHOTS when set (`docs/screenshots/` is refreshed that way), else a temp folder.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from web_helpers import LiveSite, browser_login

OWNER = "lin.wei"
START = "/?project=P-K12"
MAX_PAGES = 60
IMPACTS = {"serious", "critical"}


def page_routes() -> dict[str, re.Pattern[str]]:
    """Every GET page route of the site (not the API, not the login form): path → its regex."""
    from dataflywheel.api.policy import route_entries
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import create_site

    app = create_site(Settings(), open_on_start=False)
    return {path: route.path_regex for method, path, route in route_entries(app)
            if method == "GET" and not path.startswith(("/api/", "/docs", "/redoc", "/openapi"))
            and path != "/login"}


def route_of(path: str, routes: dict[str, re.Pattern[str]]) -> str | None:
    return next((name for name, regex in routes.items() if regex.match(path)), None)


@pytest.fixture(scope="module")
def crawl(browser: Any, live_site: LiveSite, tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, dict[str, Any]]:
    """route → what its first visited page showed (url, axe violations, errors, widths)."""
    shots = Path(os.environ.get("FLYWHEEL_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    shots.mkdir(parents=True, exist_ok=True)
    routes = page_routes()
    page = browser_login(browser, live_site, OWNER)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    seen: dict[str, dict[str, Any]] = {}
    queue = deque([START])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        route = route_of(urlsplit(url).path, routes)
        if route is None or route in seen:
            continue
        errors.clear()
        answer = page.goto(live_site.url + url)
        page.wait_for_function("""() => [...document.querySelectorAll('.vega')].every(
            el => el.dataset.drawn || el.dataset.error)""", timeout=20_000)
        violations = [v for v in axe.run(page).response["violations"] if v["impact"] in IMPACTS]
        name = re.sub(r"[^a-z0-9]+", "-", route.strip("/").lower()).strip("-") or "dashboard"
        # the first screen, what a person sees on opening the page (the docs carry them)
        page.screenshot(path=str(shots / f"{name}.png"))
        seen[route] = {
            "url": url, "status": answer.status if answer else None,
            "h1": page.locator("h1").count(),
            "chart_errors": page.eval_on_selector_all(".vega[data-error]",
                                                      "els => els.map(e => e.dataset.error)"),
            "errors": list(errors),
            "violations": [f"{v['id']} ({v['impact']}): {v['help']} — "
                           f"{[n['target'] for n in v['nodes']][:3]}" for v in violations],
            "overflow": page.evaluate("document.documentElement.scrollWidth") - 1280,
        }
        for href in page.eval_on_selector_all("a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
            if not href.startswith(("/static/", "/api/", "/login")):
                queue.append(href)
    page.context.close()
    return seen


def test_every_page_route_was_reached(crawl: dict[str, dict[str, Any]]) -> None:
    assert sorted(set(page_routes()) - set(crawl)) == []


def test_every_page_answers_with_one_heading_and_no_script_error(crawl: dict[str, dict[str, Any]]) -> None:
    for route, seen in crawl.items():
        assert seen["status"] == 200, (route, seen["url"])
        assert seen["h1"] == 1, (route, seen["url"])
        assert seen["chart_errors"] == [], (route, seen["chart_errors"])
        assert seen["errors"] == [], (route, seen["errors"])


def test_no_serious_or_critical_accessibility_violation(crawl: dict[str, dict[str, Any]]) -> None:
    found = {route: seen["violations"] for route, seen in crawl.items() if seen["violations"]}
    assert found == {}


def test_every_page_fits_1280_pixels(crawl: dict[str, dict[str, Any]]) -> None:
    wide = {route: seen["overflow"] for route, seen in crawl.items() if seen["overflow"] > 0}
    assert wide == {}


def test_the_dashboard_in_the_browser_shows_the_apis_figures(browser: Any,
                                                             live_site: LiveSite) -> None:
    page = browser_login(browser, live_site, OWNER)
    page.goto(live_site.url + START)
    api = httpx.get(live_site.url + "/api/v1/system/projects/P-K12/dashboard",
                    headers={"Authorization": f"Bearer {live_site.token[OWNER]}"}).json()
    assert page.text_content("#completion") == f"{api['run']['completion_rate'] * 100:.1f}%"
    assert page.text_content("#average-score") == f"{api['run']['average_score']:.4f}"
    assert page.text_content("#issues-past-sla") == str(api["governance"]["issues_past_sla"])
    drawn = page.locator(".vega[data-drawn] svg")
    assert drawn.count() >= 3
    page.context.close()
