"""The team server scene: three people with personal tokens act over HTTP; only the Accountable
person releases.

The demo starts the real server (uvicorn on a loopback port) over its own workspace, the
administrator creates a token for three people, and each acts through the API: the quality
evaluator asks who they are, the data engineer pages through the feedback events and then tries
to freeze a candidate version — refused with 403, because only the Accountable person for the
training-set release (the data owner) may — and the data owner freezes it. The audit log names
the person behind each token, never the token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rich.console import Console

from dataflywheel.flows.workspace import Workspace

PEOPLE = ("omar.haddad", "chen.jie", "lin.wei")


def demo_step(ws: Workspace, console: Console, *, candidate: str, owner: str = "lin.wei") -> None:
    """Serve `ws`, act as three people over HTTP against it, stop the server. Without the
    [server] extra the data owner (`owner`) freezes the candidate through the flow instead."""
    from dataflywheel.extras import install_hint, missing

    if missing("server"):
        from dataflywheel.flows.data.version_release import freeze
        from dataflywheel.flows.workspace import acting_as

        frozen = freeze(acting_as(ws, owner), candidate, by=owner)
        console.print(f"The team server needs the [server] extra ({install_hint('server')}); "
                      f"without it {owner} freezes {candidate} through the flow: number "
                      f"{frozen.number}", highlight=False, markup=False)
        _audit_names_the_person(ws, console, candidate)
        return
    import httpx

    from dataflywheel.api.background import running
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.web.site import create_site

    headers: dict[str, dict[str, str]] = {}
    for person in PEOPLE:
        token, plaintext = create_token(ws, person, lifetime=timedelta(days=7), label="demo")
        headers[person] = {"Authorization": f"Bearer {plaintext}"}
        console.print(f"{ws.actor} (server administrator) creates {token.id} for {person}, "
                      f"expiring in 7 days; only its SHA-256 is stored", highlight=False)
    with running(create_site(ws.settings)) as server:
        console.print(f"Server up at {server.url}/api/v1 (health: "
                      f"{httpx.get(server.url + '/api/v1/health').json()['database']})",
                      highlight=False)
        with httpx.Client(base_url=server.url + "/api/v1", timeout=60) as http:
            me = http.get("/me", headers=headers["omar.haddad"]).json()
            roles = ", ".join(r["role"] for r in me["roles"])
            console.print(f"omar.haddad: GET /me → {me['person_id']} ({roles})", highlight=False)
            page = http.get("/feedback/events", params={"limit": 3},
                            headers=headers["chen.jie"]).json()
            console.print(f"chen.jie: GET /feedback/events?limit=3 → {len(page['items'])} events, "
                          f"{page['remaining']} more behind next_cursor", highlight=False)
            _freeze(http, console, "chen.jie", candidate, headers["chen.jie"])
            _freeze(http, console, "lin.wei", candidate, headers["lin.wei"])
    console.print("Server stopped", highlight=False)
    _audit_names_the_person(ws, console, candidate)


def _freeze(http: Any, console: Console, person: str, version: str,
            headers: dict[str, str]) -> None:
    answer = http.post(f"/versions/{version}/freeze", json={}, headers=headers)
    body = answer.json()
    if answer.status_code == 200:
        console.print(f"{person}: POST /versions/{version}/freeze → [green]{answer.status_code}[/], "
                      f"frozen as number {body['number']}", highlight=False)
    else:
        console.print(f"{person}: POST /versions/{version}/freeze → [red]{answer.status_code}[/] "
                      f"{body['error']}", highlight=False)


def _audit_names_the_person(ws: Workspace, console: Console, version: str) -> None:
    """`flywheel trace`'s release answer: the freeze is on record under the data owner's name."""
    from dataflywheel.flows.trace import trace

    [release] = [a for a in trace(ws) if a.key == "release"]
    console.print(f"flywheel trace → {release.question} {release.answer}", highlight=False)
    for line in release.evidence:
        if "version.freeze" in line:
            console.print(f"  - {line}", highlight=False, markup=False)
