#!/usr/bin/env python3
"""`flywheel metrics` on a big workspace (issue 19's target: ≤ 2 s at 100k requirements and 1M
feedback events), beside `flywheel --help` (the fixed start-up cost) in the same run:

    /work/main/.venv/bin/python bench/metrics_speed.py [--requirements 100000]
        [--events 1000000] [--consultations 40000] [--repeats 3]

The workspace is `flywheel demo` (its records: batches, issues, versions), grown with sqlite3
bulk inserts (not the flows): the demo's first requirement cloned to `--requirements` rows whose
creation is spread over two years, each committed a day later, started two days later, delivered
after 3–12 days (three in four; the rest open or withdrawn); and the demo's first feedback event
cloned to `--events` rows (the metrics computed today do not read feedback: the events make the
database the size the issue names); and `--consultations` requests to a Consulted person over
the same two years (the demo records none: one on its first version is the template; four in five
answered within 1–48 h, the rest unanswered at their three-day deadline), which the consultation
metrics read by deadline and answer. Each case is a fresh CLI process timed from outside, under
`/usr/bin/time -f %M` (peak RSS); cases interleave, median of `--repeats`:
  metrics (4 weeks)    flywheel metrics --json                       (the default window, now)
  metrics (a year)     flywheel metrics --json --since (now − 365 d) (a quarter of the pool)
  metrics by project   flywheel metrics --json --breakdown project
  --help               flywheel --help
Run by hand, never in the tests.
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
STAMP = "%Y-%m-%d %H:%M:%S.%f"
BATCH = 20_000


def cli(src: Path, home: Path, *args: str) -> tuple[float, int, bytes]:
    env = dict(os.environ, PYTHONPATH=str(src), FLYWHEEL_LOGIN="demo", COLUMNS="200")
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", RUN, *args],
                          cwd=home, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"flywheel {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    return seconds, int(done.stderr.decode().strip().splitlines()[-1]), done.stdout


def clone(db: sqlite3.Connection, table: str, n: int, make: object,
          template: dict[str, object] | None = None) -> None:
    """`n` copies of the table's first row (or of `template`), each changed by `make(i, row)`."""
    db.row_factory = sqlite3.Row
    if template is None:
        template = dict(db.execute(f"SELECT * FROM {table} ORDER BY id LIMIT 1").fetchone())
    names = list(template)
    marks = ", ".join("?" for _ in names)
    insert = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    with db:
        for start in range(0, n, BATCH):
            rows = (make(i, dict(template)) for i in range(start, min(n, start + BATCH)))  # type: ignore[operator]
            db.executemany(insert, ([row[c] for c in names] for row in rows))


def requirement(now: datetime, n: int) -> object:
    def make(i: int, row: dict[str, object]) -> dict[str, object]:
        created = now - timedelta(days=730) + timedelta(days=730) * i / n
        delivered = i % 4 != 3
        moments = {"committed_at": created + timedelta(days=1),
                   "started_at": created + timedelta(days=2),
                   "delivered_at": created + timedelta(days=3 + i % 10) if delivered else None}
        state = "delivered" if delivered else ("withdrawn" if i % 8 == 7 else "in_progress")
        return row | {"id": f"REQ-{1000000 + i:07d}", "priority": f"P{i % 3}", "state": state,
                      "project_id": row["project_id"], "created_at": created.strftime(STAMP),
                      "updated_at": created.strftime(STAMP),
                      **{k: v.strftime(STAMP) if v else None for k, v in moments.items()}}
    return make


def consultation(now: datetime, n: int) -> object:
    """A request to a Consulted person every ~25 minutes over two years (four per release of a
    team with 100k requirements), due three days later: four in five answered within 1–48 h,
    the rest recorded unanswered at the deadline."""
    def make(i: int, row: dict[str, object]) -> dict[str, object]:
        asked = now - timedelta(days=730) + timedelta(days=730) * i / n
        due = asked + timedelta(days=3)
        answered = i % 5 != 4
        closed = asked + timedelta(hours=1 + i % 48) if answered else due
        return row | {"id": f"CNS-{1000000 + i:07d}", "requested_at": asked.strftime(STAMP),
                      "due_at": due.strftime(STAMP), "closed_at": closed.strftime(STAMP),
                      "state": "answered" if answered else "unanswered",
                      "response": "reviewed, OK" if answered else None}
    return make


def consultation_template(db: sqlite3.Connection) -> dict[str, object]:
    """The demo records no consultation: a request on its first version, from its first person
    to its second, on the training-set release item."""
    asker, person = (r[0] for r in db.execute("SELECT id FROM people ORDER BY id LIMIT 2"))
    version = db.execute("SELECT id FROM dataset_versions ORDER BY id LIMIT 1").fetchone()[0]
    return {"id": "", "item_id": "training_set_version_release",
            "record_kind": "dataset_version", "record_id": version, "person_id": person,
            "requested_by_id": asker, "requested_at": None, "due_at": None,
            "state": "requested", "response": None, "closed_at": None}


def event(i: int, row: dict[str, object]) -> dict[str, object]:
    return row | {"id": f"E-{i:08d}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--consultations", type=int, default=40_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "ws"
        cli(opts.src, Path(tmp), "demo", "--dir", str(home))
        now = datetime.now(UTC)
        started = time.perf_counter()
        db = sqlite3.connect(home / ".flywheel" / "flywheel.db")
        clone(db, "requirements", opts.requirements, requirement(now, opts.requirements))
        clone(db, "feedback_events", opts.events, event)
        clone(db, "consultations", opts.consultations, consultation(now, opts.consultations),
              consultation_template(db))
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("requirements", "feedback_events", "consultations", "batches",
                            "issues")}
        db.close()
        print(f"grown in {time.perf_counter() - started:.0f} s: {counts}", flush=True)
        year = (now - timedelta(days=365)).isoformat()
        cases = {"metrics (4 weeks)": ["metrics", "--json"],
                 "metrics (a year)": ["metrics", "--json", "--since", year],
                 "metrics by project": ["metrics", "--json", "--breakdown", "project"],
                 "--help": ["--help"]}
        runs: dict[str, list[tuple[float, int]]] = {}
        for repeat in range(opts.repeats):
            for name, args in cases.items():
                seconds, rss, out = cli(opts.src, home, *args)
                runs.setdefault(name, []).append((seconds, rss))
                samples = ({f["metric"]: f["samples"] for f in json.loads(out)["figures"]}
                           if args[0] == "metrics" else {})
                print(json.dumps({"case": name, "repeat": repeat, "s": round(seconds, 3),
                                  "rss_mib": round(rss / 1024, 1),
                                  "delivered": samples.get("delivery_cycle_hours"),
                                  "wip": samples.get("wip"),
                                  "consultations_due": samples.get("consultation_answer_rate")}),
                      flush=True)
        print(f"load average {os.getloadavg()}; {os.cpu_count()} cores")
        for name, got in runs.items():
            print(f"{name}: median {statistics.median(s for s, _ in got):.3f} s, "
                  f"peak RSS {statistics.median(r for _, r in got) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
