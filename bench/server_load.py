#!/usr/bin/env python3
"""The team server under load (issue 17), with wrk on loopback, each measurement beside a bare
FastAPI route answering a constant on the same server stack (the ceiling on this machine):

    .venv/bin/python bench/server_load.py [--backends sqlite,postgres] [--duration 20]
        [--connections 16] [--before SRC] [--after SRC] [--pg-url URL]
        [--requirement-path PATH --requirement-body JSON] [--storm 256] [--soak SECONDS]

For each backend and side (`--after`: this checkout's src; `--before`: another src/, optional,
interleaved) a fresh server process (uvicorn, one worker, `create_app` as `flywheel serve` builds
it) serves a scratch workspace (`benchws.py`: one person `owner`, project P-BENCH, 200 feedback
events) with the bare route mounted at `/bench-bare/const` (a sync `def`, like the routes, and
inside the same middleware). Scenarios, `wrk -t1 -c16 -d20s` each:
  bare        GET  /bench-bare/const                          (no token, no database)
  list        GET  /api/v1/feedback/events?limit=50           (token + policy + a page of 50)
  feedback    POST /api/v1/feedback/events                    (one new event, audited)
  requirement POST --requirement-path with --requirement-body (`{n}` → a unique number), when given
Reported per scenario: req/s, ratio to bare, p50/p99 latency, errors (socket errors + non-2xx),
"database is locked"/"busy" answers; after the server stops, the audit chain is verified and
every 2xx write is checked to be stored. `--storm 256`: the list GET at 256 connections for 10 s,
only 2xx/429/503 allowed, then the time until a request is served again (target ≤ 5 s).
`--soak S`: the storm for S seconds (300 for the issue's 5 minutes), server RSS sampled, growth
reported (target ≤ 10%). Needs `wrk` (apt-get install wrk); its Lua scripting makes each POST
unique and counts the status codes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
READY_TIMEOUT_S = 120

LUA = r"""
local threads = {}
local counter = 0
local method = os.getenv("BENCH_METHOD") or "GET"
local path, body = os.getenv("BENCH_PATH"), os.getenv("BENCH_BODY")
local token = os.getenv("BENCH_TOKEN")
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  busy = 0
end
function request()
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if method == "GET" then return wrk.format("GET", path, headers) end
  counter = counter + 1
  headers["Content-Type"] = "application/json"
  local unique = string.format("%d%07d", tid, counter)
  return wrk.format(method, path, headers, (body:gsub("{n}", unique)))
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 and body and (body:find("database is locked")
                                 or body:find("database is busy")) then
    busy = busy + 1
  end
end
function done(summary, latency, requests)
  local total, locked = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    locked = locked + t:get("busy")
  end
  io.write("STATUSES")
  for k, v in pairs(total) do io.write(string.format(" %d=%d", k, v)) end
  io.write(string.format("\nLOCKED %d\n", locked))
  io.write(string.format("P50 %d\nP99 %d\n", latency:percentile(50), latency:percentile(99)))
end
"""

FEEDBACK_BODY = json.dumps({
    "id": "BENCH-{n}", "occurred_at": "2026-11-02T09:00:00+00:00", "source": "application",
    "failure_type": "model_gap", "impact_scope": "sample", "project_id": "P-BENCH",
    "payload": {"sample": "s", "model_output": "a", "expected_behaviour": "b"},
})


# --- the server (child process, PYTHONPATH = the side under test + bench/) --------------------

def serve(backend: str, pg_url: str, port: int, ready: str) -> None:
    """Serve a seeded scratch workspace on `port`; when stdin closes stop, verify the audit
    chain and print one JSON line."""
    import uvicorn
    from benchws import scratch_workspace
    from fastapi import FastAPI
    from sqlalchemy import func, select

    from dataflywheel.api.app import create_app
    from dataflywheel.flows.feedback.ingest import ingest_jsonl
    from dataflywheel.flows.governance.tokens import create_token
    from dataflywheel.store.audit import verify_chain
    from dataflywheel.store.tables.feedback import FeedbackEventRow

    roles = ("data_owner", "data_engineer", "quality_evaluator", "algorithm_engineer")
    with scratch_workspace(backend, pg_url or None, prefix="server-load", roles=roles) as ws:
        seed = Path(ws.settings.home) / "seed.jsonl"
        seed.write_text("".join(json.dumps({**json.loads(FEEDBACK_BODY), "id": f"SEED-{i:04d}"})
                                + "\n" for i in range(200)))
        ingest_jsonl(ws, seed)
        from datetime import timedelta
        _, token = create_token(ws, "owner", lifetime=timedelta(days=1), label="bench")
        app = create_app(ws.settings)
        bare = FastAPI()

        @bare.get("/const")
        def const() -> dict[str, bool]:
            return {"ok": True}

        app.mount("/bench-bare", bare)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", access_log=False))
        Path(ready).write_text(json.dumps({"token": token, "pid": os.getpid()}))

        def stop_on_stdin() -> None:  # the parent closes stdin to stop us (no signal: uvicorn
            sys.stdin.read()          # re-raises it after shutdown, and we verify after that)
            server.should_exit = True

        threading.Thread(target=stop_on_stdin, daemon=True).start()
        server.run()
        with ws.db.session() as s:
            events = s.scalar(select(func.count()).select_from(FeedbackEventRow))
            problems = verify_chain(s)
        print(json.dumps({"events": events, "audit_problems": [str(p) for p in problems[:5]]}),
              flush=True)


# --- the load (parent) --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, src: Path, backend: str, pg_url: str | None, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ready = tmp / f"ready-{self.port}"
        self.log = (tmp / f"server-{self.port}.log").open("w+")
        env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{HERE}"}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "_serve", backend, pg_url or "", str(self.port),
             str(ready)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            text=True)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not ready.exists() or not self.healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                raise SystemExit(f"the server did not start:\n{self.log.read()[-3000:]}")
            time.sleep(0.2)
        info = json.loads(ready.read_text())
        self.token, self.pid = info["token"], info["pid"]

    def healthy(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def stop(self) -> dict[str, Any]:
        out, _ = self.proc.communicate(timeout=300)  # closes stdin: the server stops
        self.log.seek(0)
        log = self.log.read()
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        result["log_locked"] = log.count("database is locked")
        result["log_5xx"] = log.count("Traceback")
        if result["log_5xx"] or "events" not in result:
            print(f"    server log (tail):\n{log[-2500:]}", flush=True)
        return result


def wrk(url: str, path: str, *, token: str, connections: int, duration: int,
        method: str = "GET", body: str = "", tmp: Path) -> dict[str, Any]:
    script = tmp / "bench.lua"
    script.write_text(LUA)
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_PATH": path, "BENCH_BODY": body,
           "BENCH_TOKEN": token}
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                          "-s", str(script), url], env=env, capture_output=True, text=True,
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    statuses = {int(k): int(v) for k, v in re.findall(r" (\d+)=(\d+)", out.split("STATUSES")[1]
                                                      .splitlines()[0])}
    socket_errors = sum(int(n) for n in re.findall(
        r"(?:connect|read|write|timeout) (\d+)", out.split("Socket errors:")[1].splitlines()[0])
    ) if "Socket errors:" in out else 0
    return {"rps": rate, "statuses": statuses, "socket_errors": socket_errors,
            "p50_ms": int(re.search(r"P50 (\d+)", out).group(1)) / 1000,  # type: ignore[union-attr]
            "p99_ms": int(re.search(r"P99 (\d+)", out).group(1)) / 1000,  # type: ignore[union-attr]
            "locked": int(re.search(r"LOCKED (\d+)", out).group(1)),  # type: ignore[union-attr]
            "requests": sum(statuses.values())}


def recovery_s(server: Server, token: str) -> float:
    """Seconds from the end of a storm until an authenticated list GET is served (200)."""
    import urllib.request

    started = time.monotonic()
    request = urllib.request.Request(f"{server.url}/api/v1/feedback/events?limit=50",
                                     headers={"Authorization": f"Bearer {token}"})
    while time.monotonic() - started < 60:
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    return float("inf")


def line(name: str, result: dict[str, Any], bare: float | None) -> str:
    errors = result["socket_errors"] + sum(n for s, n in result["statuses"].items()
                                           if not 200 <= s < 300)
    ratio = f"{result['rps'] / bare:5.2f}x" if bare else "  ---"
    return (f"  {name:12} {result['rps']:9,.0f} req/s {ratio}  p50 {result['p50_ms']:7.1f} ms  "
            f"p99 {result['p99_ms']:7.1f} ms  errors {errors}  locked {result['locked']}  "
            f"statuses {dict(sorted(result['statuses'].items()))}")


def run_side(src: Path, backend: str, args: argparse.Namespace, tmp: Path) -> None:
    server = Server(src, backend, args.pg_url, tmp)
    wrote = 0
    try:
        common = {"token": server.token, "connections": args.connections,
                  "duration": args.duration, "tmp": tmp}
        bare = wrk(server.url, "/bench-bare/const", **{**common, "token": ""})
        print(line("bare", bare, None), flush=True)
        listing = wrk(server.url, "/api/v1/feedback/events?limit=50", **common)
        print(line("list GET", listing, bare["rps"]), flush=True)
        writes = [("feedback", "/api/v1/feedback/events", FEEDBACK_BODY)]
        if args.requirement_path:
            writes.append(("requirement", args.requirement_path, args.requirement_body))
        for name, path, body in writes:
            result = wrk(server.url, path, method="POST", body=body, **common)
            print(line(f"{name} POST", result, bare["rps"]), flush=True)
            if name == "feedback":
                wrote += sum(n for s, n in result["statuses"].items() if 200 <= s < 300)
        if args.storm:
            rss0 = rss_kb(server.pid)
            samples: list[int] = []
            done = threading.Event()

            def sample() -> None:  # the RSS every 5 s through the storm: growth, not one reading
                while not done.wait(5):
                    samples.append(rss_kb(server.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            storm = wrk(server.url, "/api/v1/feedback/events?limit=50",
                        **{**common, "connections": args.storm, "duration": args.soak or 10})
            done.set()
            sampler.join()
            rss1 = rss_kb(server.pid)
            back = recovery_s(server, server.token)
            odd = {s: n for s, n in storm["statuses"].items() if s not in (429, 503)
                   and not 200 <= s < 300}
            print(line(f"storm c{args.storm}", storm, bare["rps"]), flush=True)
            print(f"    only 2xx/429/503: {'yes' if not odd else f'NO {odd}'}; socket errors "
                  f"{storm['socket_errors']}; served again after {back:.2f} s; server RSS "
                  f"{rss0 / 1024:.0f} → {rss1 / 1024:.0f} MiB ({(rss1 - rss0) / rss0:+.1%}), "
                  f"peak {max([rss1, *samples]) / 1024:.0f} MiB; sampled every 5 s (MiB): "
                  f"{' '.join(str(round(kb / 1024)) for kb in samples)}", flush=True)
    finally:
        result = server.stop()
    stored_ok = result.get("events", 0) >= 200 + wrote
    audit = "verified" if not result.get("audit_problems") else result["audit_problems"]
    print(f"  after stop: audit chain {audit}; events stored {result.get('events')} (200 seeded + {wrote} accepted: "
          f"{'all stored' if stored_ok else 'MISSING'}); 'database is locked' in the server log "
          f"{result['log_locked']}; unhandled exceptions {result['log_5xx']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--before", type=Path, help="src/ of the code to compare against")
    parser.add_argument("--after", type=Path, default=HERE.parent / "src")
    parser.add_argument("--pg-url", default=os.environ.get("FLYWHEEL_TEST_POSTGRES_URL"))
    parser.add_argument("--requirement-path", help="e.g. /api/v1/projects/P-BENCH/requirements")
    parser.add_argument("--requirement-body", default="",
                        help="JSON body; {n} is replaced by a unique number per request")
    parser.add_argument("--storm", type=int, default=0, help="connections of the storm run")
    parser.add_argument("--soak", type=int, default=0, help="storm duration in seconds (soak)")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b != "postgres" or args.pg_url]
    sides = {"after": args.after, **({"before": args.before} if args.before else {})}
    print(f"wrk -t1 -c{args.connections} -d{args.duration}s on loopback; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for side, src in sides.items():
                print(f"{backend} {side} ({src})", flush=True)
                run_side(src, backend, args, Path(tmp))
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        main()
