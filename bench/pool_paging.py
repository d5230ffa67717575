#!/usr/bin/env python3
"""`flywheel requirements list` on a big Demand Pool: one page (after) against the whole pool
sorted in memory (before), in the same run, interleaved. Run by hand, never in the tests:

    /work/main/.venv/bin/python bench/pool_paging.py [--requirements 100000] [--repeats 3]
        --before SRC [--after ./src]

The workspace is `flywheel demo` (built with the after code), its first requirement then cloned
straight into `requirements` with sqlite3 (a bulk insert, not the submit flow) under new ids, the
three priorities, a deadline in one of 40 days or none (a quarter), and spread creation times.
Each run is a fresh CLI process under `/usr/bin/time -f %M` (peak RSS, KiB): before and after
`requirements list --json` (the old code prints all rows, the new one the first page of 50),
the new `requirements list --json --limit 50 --cursor C` (a page deep into the pool), and
`flywheel --help` (the fixed start-up cost). Prints one JSON line per run, then the medians and
the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN = "from dataflywheel.cli.main import run; run()"


def _cli(src: Path, home: Path, *args: str) -> tuple[float, int, bytes, bytes]:
    env = dict(os.environ, PYTHONPATH=str(src), FLYWHEEL_LOGIN="demo", COLUMNS="200")
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", RUN, *args],
                          cwd=home, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    rss_kib = int(done.stderr.decode().strip().splitlines()[-1])
    return seconds, rss_kib, done.stdout, done.stderr


def _grow(home: Path, n: int) -> None:
    db = sqlite3.connect(home / ".flywheel" / "flywheel.db")
    db.row_factory = sqlite3.Row
    template = dict(db.execute("SELECT * FROM requirements ORDER BY id LIMIT 1").fetchone())
    base = datetime(2026, 12, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        created = base - timedelta(seconds=37 * i)
        deadline = None if i % 4 == 0 else base + timedelta(days=1 + i % 40)
        rows.append(template | {
            "id": f"REQ-B{i:07d}", "priority": f"P{i % 3}",
            "deadline": deadline.strftime("%Y-%m-%d %H:%M:%S.%f") if deadline else None,
            "created_at": created.strftime("%Y-%m-%d %H:%M:%S.%f")})
    names = list(template)
    db.executemany(f"INSERT INTO requirements ({', '.join(names)}) VALUES "
                   f"({', '.join(':' + c for c in names)})", rows)
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requirements", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--after", type=Path, default=HERE.parent / "src")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "ws"
        _cli(opts.after, Path(tmp), "demo", "--dir", str(home))
        _grow(home, opts.requirements)
        first = _cli(opts.after, home, "requirements", "list", "--json", "--limit", "1000")
        deep = first[3].decode().split("--cursor ")[-1].strip()
        runs: dict[str, list[tuple[float, int]]] = {}
        cases = {
            "before: list --json (all, sorted in memory)": (opts.before, ["requirements", "list", "--json"]),
            "after: list --json (first page of 50)": (opts.after, ["requirements", "list", "--json"]),
            "after: list --json --cursor (page 21)": (opts.after, ["requirements", "list", "--json", "--cursor", deep]),
            "after: flywheel --help": (opts.after, ["--help"]),
        }
        for repeat in range(opts.repeats):
            for name, (src, args) in cases.items():  # interleaved: one of each per repeat
                seconds, rss, _, _ = _cli(src, home, *args)
                runs.setdefault(name, []).append((seconds, rss))
                print(json.dumps({"case": name, "repeat": repeat, "s": round(seconds, 3),
                                  "rss_mib": round(rss / 1024, 1)}), flush=True)
        print(f"requirements: {opts.requirements + 5:,}; load: {os.getloadavg()}")
        for name, got in runs.items():
            print(f"{name}: median {statistics.median(s for s, _ in got):.3f} s, "
                  f"peak RSS {statistics.median(r for _, r in got) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
