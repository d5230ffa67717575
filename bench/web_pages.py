#!/usr/bin/env python3
"""The dashboard's pages on a big workspace (issue 18's target: every page's server time p95
≤ 200 ms, the executive dashboard ≤ 300 ms, at 100k requirements and feedback events and 10k
versions), beside the bare health route in the same run:

    /work/main/.venv/bin/python bench/web_pages.py [--requirements 100000] [--events 100000]
        [--versions 10000] [--repeats 20] [--src src]

The workspace is `flywheel demo`, grown with sqlite3 bulk inserts as `bench/metrics_speed.py`
grows it (its requirements spread over two years, its feedback events), plus `--versions` frozen
versions of the demo's first dataset. The site (`web.site.create_site`) is served in process
(Starlette's TestClient: no network, no uvicorn), logged in as the demo's Data Owner; the pages
are the ones the site links to from the executive dashboard of P-K12 (one per route, the first
link found), each requested once (the first request: nothing kept yet; the executive dashboard
computes everything then and keeps it a minute, `web.memo`) and `--repeats` times more. Server time is the wall time of
one request in process: routing, the session and rule checks, the queries, the template.
Run by hand, never in the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from metrics_speed import clone, event, requirement  # noqa: E402

OWNER = "lin.wei"
START = "/?project=P-K12"
TARGET_MS = {"/": 300.0}
DEFAULT_TARGET_MS = 200.0
LINK = re.compile(r'href="(/[^"#]*)"')


def version(n: int) -> object:
    def make(i: int, row: dict[str, object]) -> dict[str, object]:
        return row | {"id": f"V-{1000000 + i:07d}", "number": 1000 + i,
                      "parent_version_id": None,
                      "manifest_sha256": hashlib.sha256(f"bench {i}".encode()).hexdigest()}
    return make


def grow(home: Path, opts: argparse.Namespace) -> dict[str, int]:
    now = datetime.now(UTC)
    db = sqlite3.connect(home / ".flywheel" / "flywheel.db")
    clone(db, "requirements", opts.requirements, requirement(now, opts.requirements))
    clone(db, "feedback_events", opts.events, event)
    clone(db, "dataset_versions", opts.versions, version(opts.versions))
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("requirements", "feedback_events", "dataset_versions", "issues",
                        "audit_entries")}
    db.close()
    return counts


def routes_of(app: object) -> dict[str, re.Pattern[str]]:
    from dataflywheel.api.policy import route_entries

    return {path: route.path_regex for method, path, route in route_entries(app)
            if method == "GET" and not path.startswith(("/api/", "/docs", "/redoc", "/openapi"))
            and path != "/login"}


def pages(client: object, routes: dict[str, re.Pattern[str]]) -> dict[str, str]:
    """route → the first URL of it the site links to, walking from the dashboard."""
    found: dict[str, str] = {}
    queue = [START]
    while queue and len(found) < len(routes):
        url = queue.pop(0)
        path = url.split("?")[0]
        route = next((r for r, rx in routes.items() if rx.match(path)), None)
        if route is None or route in found:
            continue
        answer = client.get(url)  # type: ignore[attr-defined]
        if answer.status_code != 200:
            print(f"  {url}: HTTP {answer.status_code}", flush=True)
            continue
        found[route] = url
        queue.extend(u.replace("&amp;", "&") for u in LINK.findall(answer.text)
                     if not u.startswith(("/static/", "/api/", "/login")))
    return found


def timed(client: object, url: str, repeats: int) -> tuple[float, list[float]]:
    """The first request's time (nothing kept yet) and `repeats` more, in ms."""
    started = time.perf_counter()
    client.get(url)  # type: ignore[attr-defined]
    first = (time.perf_counter() - started) * 1000
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(url)  # type: ignore[attr-defined]
        out.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    return first, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    opts = parser.parse_args()
    sys.path.insert(0, str(opts.src))
    import io

    from fastapi.testclient import TestClient
    from rich.console import Console

    from dataflywheel.demo.scenario import run_demo
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.flows.workspace import open_workspace
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import create_site

    with tempfile.TemporaryDirectory() as tmp:
        home = run_demo(Path(tmp) / "ws", Console(file=io.StringIO()))
        started = time.perf_counter()
        counts = grow(home, opts)
        print(f"grown in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
        settings = Settings(home=home, audit_key=home / "audit.key")
        with open_workspace(settings) as ws:
            token = create_token(ws, OWNER, lifetime=timedelta(days=1), label="bench")[1]
        app = create_site(settings)
        with TestClient(app) as client:
            form = client.get("/login").text
            pair = re.search(r'name="login_csrf" value="([^"]+)"', form)
            assert pair
            client.post("/login", data={"token": token, "login_csrf": pair.group(1)})
            found = pages(client, routes_of(app))
            results = {"/api/v1/health (bare)": timed(client, "/api/v1/health", opts.repeats)}
            for route, url in found.items():
                for name in [n for n in vars(app.state)["_state"] if n.endswith("_memo")]:
                    delattr(app.state, name)  # the crawl's visit left it kept: start cold
                results[route] = timed(client, url, opts.repeats)
                first, ms = results[route]
                print(json.dumps({"route": route, "url": url, "first_ms": round(first, 1),
                                  "p50_ms": round(statistics.median(ms), 1),
                                  "p95_ms": round(statistics.quantiles(ms, n=20)[-1], 1)}),
                      flush=True)
        print(f"load average {os.getloadavg()}; {os.cpu_count()} cores; {opts.repeats} requests "
              "per page after one warm-up")
        print("| page | example | first request ms | p50 ms | p95 ms | target p95 | met |")
        print("|---|---|---:|---:|---:|---:|---|")
        for route, (first, ms) in results.items():
            p95 = statistics.quantiles(ms, n=20)[-1]
            target = TARGET_MS.get(route, DEFAULT_TARGET_MS)
            met = "—" if route.startswith("/api/") else ("yes" if p95 <= target else "no")
            print(f"| `{route}` | `{found.get(route, route.split()[0])}` | {first:.0f} | "
                  f"{statistics.median(ms):.1f} | {p95:.1f} | {target:.0f} | {met} |")


if __name__ == "__main__":
    main()
