#!/usr/bin/env python3
"""Feedback ingest throughput (issue 24: ≥ 10,000 events/s with every event in the audit log),
before and after, side by side in one run, interleaved, on SQLite and PostgreSQL:

    .venv/bin/python bench/ingest.py [--events 100000] [--runs 3] [--backends sqlite,postgres]
        [--before SRC] [--after SRC] [--pg-url URL]

`--before` names the src/ of the code to compare against (the code before the bulk path), `--after` to this
checkout's src; `--pg-url` to $FLYWHEEL_TEST_POSTGRES_URL (PostgreSQL is skipped without one).
Each measurement is a fresh process on a fresh workspace (one project, one person) ingesting the
same generated JSONL file: 98.9% valid events, 1% naming an unknown project (triage), 0.1% invalid
(rejected, kept in the blob store). Only `ingest_jsonl` is timed; afterwards the child checks that
every line became exactly one stored event or rejection and that the audit chain verifies, so a
fast but lossy run cannot pass. Prints one line per measurement and the medians (events/s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write_events(path: Path, n: int) -> None:
    t0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            event = {
                "id": f"EV-{i:08d}", "occurred_at": (t0 + timedelta(seconds=i)).isoformat(),
                "source": "application", "failure_type": "model_gap", "impact_scope": "sample",
                "project_id": "P-BENCH" if i % 100 != 7 else "P-UNKNOWN",
                "payload": {"sample": f"question {i}", "model_output": str(i % 97),
                            "expected_behaviour": f"answer {i % 89}"},
            }
            if i % 1000 == 13:
                event["source"] = "twitter"  # rejected: not a known source
            out.write(json.dumps(event) + "\n")


def child(path: str, backend: str, pg_url: str | None) -> None:
    """One measurement, run with PYTHONPATH pointing at the side under test."""
    from benchws import scratch_workspace
    from sqlalchemy import func, select

    from dataflywheel.flows.feedback.ingest import ingest_jsonl
    from dataflywheel.store.audit import verify_chain
    from dataflywheel.store.tables.feedback import FeedbackEventRow, FeedbackRejectionRow

    with scratch_workspace(backend, pg_url, prefix="ingest-bench") as ws:
        start = time.perf_counter()
        report = ingest_jsonl(ws, path)
        seconds = time.perf_counter() - start
        with ws.db.session() as s:
            stored = s.scalar(select(func.count()).select_from(FeedbackEventRow))
            kept = s.scalar(select(func.count()).select_from(FeedbackRejectionRow))
            problems = verify_chain(s)
        lines = sum(1 for _ in open(path, "rb"))
        assert stored + kept == lines == report.total, (stored, kept, lines, report.total)
        assert not problems, problems[:3]
        print(json.dumps({"seconds": seconds, "events": report.total}))


def measure(src: Path, path: Path, backend: str, pg_url: str | None) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--child", str(path), backend, pg_url or ""],
                         env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return float(result["events"]) / float(result["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--after", type=Path, default=HERE.parent / "src")
    parser.add_argument("--pg-url", default=os.environ.get("FLYWHEEL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b != "postgres" or args.pg_url]
    sides = {"before": args.before, "after": args.after}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        write_events(path, args.events)
        rates: dict[tuple[str, str], list[float]] = {}
        for run in range(args.runs):
            for backend in backends:
                for side, src in sides.items():  # interleaved: before and after share the load
                    rate = measure(src, path, backend, args.pg_url)
                    rates.setdefault((backend, side), []).append(rate)
                    print(f"run {run + 1} {backend:8} {side:6} {rate:10,.0f} events/s", flush=True)
    print(f"\n{args.events:,} events, {args.runs} run(s), load average {os.getloadavg()[0]:.2f}")
    for backend in backends:
        before = statistics.median(rates[(backend, "before")])
        after = statistics.median(rates[(backend, "after")])
        print(f"{backend:8} before {before:10,.0f}  after {after:10,.0f} events/s  "
              f"({after / before:.1f}x)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4] or None)
    else:
        main()
