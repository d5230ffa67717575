"""The web dashboard scene, last of the demo: the Data Owner logs in and reads the flywheel.

The demo serves its workspace with the dashboard (uvicorn on a loopback port), logs in through
the login form the way a browser does (a personal token exchanged for a session cookie, the
form's CSRF pair), reads the executive dashboard of P-K12 and prints its headline figures, then
tells the user how to open the same pages themself: the `flywheel serve` command and a token for
the Data Owner (seven days; only its SHA-256 is stored).
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from rich.console import Console

from dataflywheel.flows.workspace import Workspace

OWNER = "lin.wei"
PROJECT = "P-K12"
CARDS = ("healthy", "completion", "average-score", "governance", "late-milestones")


def card_values(html: str) -> dict[str, str]:
    """The executive dashboard's headline cards, as text."""
    found = {}
    for card in CARDS:
        match = re.search(rf'id="{card}">(.*?)</span>\s*</div>', html, re.S)
        if match:
            found[card] = unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
    return found


def dashboard_step(ws: Workspace, console: Console) -> None:
    """Open the dashboard as the Data Owner over HTTP; print how to open it in a browser."""
    from dataflywheel.extras import install_hint, missing
    from dataflywheel.flows.governance.tokens import create_token

    _, token = create_token(ws, OWNER, lifetime=timedelta(days=7), label="demo dashboard")
    home = ws.settings.home
    if missing("server"):
        console.print(f"The dashboard needs the [server] extra ({install_hint('server')}).",
                      highlight=False, markup=False)
    else:
        import httpx

        from dataflywheel.api.background import running
        from dataflywheel.web.site import create_site

        with running(create_site(ws.settings)) as server, \
                httpx.Client(base_url=server.url, timeout=60) as browser:
            form = browser.get("/login").text
            pair = re.search(r'name="login_csrf" value="([^"]+)"', form)
            assert pair, "the login form carries its CSRF pair"
            browser.post("/login", data={"token": token, "login_csrf": pair.group(1),
                                         "next": f"/?project={PROJECT}"})
            page = browser.get("/", params={"project": PROJECT})
            console.print(f"{OWNER} logs in at {server.url}/login and opens the dashboard of "
                          f"{PROJECT}: HTTP {page.status_code}", highlight=False)
            for card, value in card_values(page.text).items():
                console.print(f"  {card}: {value}", highlight=False)
    console.print("Open the dashboard yourself:", highlight=False)
    console.print(f"  flywheel --home {home} serve --port 8000", highlight=False, markup=False)
    console.print(f"  then http://127.0.0.1:8000/?project={PROJECT} and log in with {OWNER}'s "
                  "token (7 days):", highlight=False, markup=False)
    console.print(f"  {token}", highlight=False, markup=False, soft_wrap=True)
