#!/usr/bin/env python3
"""`flywheel feedback list` on a big workspace: peak RSS and time to the first row, before (the
unpaged list built in memory) and after (`--all --json`, NDJSON streamed in keyset batches), in
the same run, interleaved. Run by hand, never in the tests:

    /work/main/.venv/bin/python bench/list_paging.py [--events 1000000] [--before-events 200000]
        [--repeats 3] [--before SRC] [--after SRC] [--keep DIR]

Two workspaces are built once with the *after* code (`flywheel init`, one event ingested through
the flow as a template, then its row cloned straight into `feedback_events` with sqlite3:
a bulk insert, not the ingest path, which is another benchmark): one of `--events` for the after
figures and one of `--before-events` for the baseline. Why a smaller baseline: the old listing
holds every event as a record, a dict and one JSON document (1.48 GB at 192k events in the issue),
so 1M events would need ~8 GB on a machine eight people share; `--before-events 1000000` runs it
anyway. The after code is also run at the baseline's size, so the pair at equal size is there.

Each run is a fresh `python -m dataflywheel.cli.main` process under `/usr/bin/time -f %M`
(peak RSS, KiB). First row: seconds from the process start to the first byte on stdout (it
includes the CLI's start-up and opening the workspace; `after open` is the same first row
counted from the moment `open_workspace` returned, i.e. the listing's own time to its first row: `flywheel --help` and a one-row page,
`feedback list --json --limit 1`, in the same run measure those fixed costs; an old `--json`
list prints nothing until it has every row). Prints one JSON line per run and a median
summary; the load average is printed with it.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCH = 20_000


# The CLI as `flywheel` runs it, plus two clocks: when `open_workspace` returned and when the
# first byte reached stdout; their difference goes to stderr as `after-open S` at exit. It is the
# time the listing itself takes to its first row, without the start-up and workspace opening that
# every command pays (issue 24's first target, another brief).
RUN = """
import atexit, sys, time
import dataflywheel.flows.workspace as w
clock = {}
real = w.open_workspace
def timed(*a, **k):
    ws = real(*a, **k)
    clock.setdefault("open", time.perf_counter())
    return ws
w.open_workspace = timed
class Out:
    def __init__(self, f):
        self.f = f
    def write(self, text):
        if text:
            clock.setdefault("first", time.perf_counter())
        return self.f.write(text)
    def __getattr__(self, name):
        return getattr(self.f, name)
sys.stdout = Out(sys.stdout)
@atexit.register
def report():
    if "open" in clock and "first" in clock:
        sys.stderr.write(f"after-open {clock['first'] - clock['open']:.4f}\\n")
from dataflywheel.cli.main import run
run()
"""


def cli(src: Path, home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", RUN, "--home", str(home), *args]


def env_for(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src), "FLYWHEEL_LOGIN": "bench",
            "COLUMNS": "200"}


def build(src: Path, home: Path, events: int) -> None:
    """A workspace of `events` feedback events (bulk insert of one template row)."""
    home.mkdir(parents=True, exist_ok=True)
    env = env_for(src)
    subprocess.run(cli(src, home, "init", "--json"), env=env, check=True,
                   stdout=subprocess.DEVNULL)
    template = home / "template.jsonl"
    template.write_text(json.dumps({
        "id": "T-0", "occurred_at": "2026-11-02T09:00:00+00:00", "source": "evaluation",
        "failure_type": "model_gap", "impact_scope": "sample",
        "payload": {"sample": "the model got 15% of 80 wrong", "model_output": "10",
                    "expected_behaviour": "answer 12"}}) + "\n")
    subprocess.run(cli(src, home, "feedback", "ingest", str(template), "--json"), env=env,
                   check=True, stdout=subprocess.DEVNULL)
    db = sqlite3.connect(home / ".flywheel" / "flywheel.db")
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM feedback_events WHERE id = 'T-0'").fetchone())
    columns = list(row)
    insert = (f"INSERT INTO feedback_events ({', '.join(columns)}) "
              f"VALUES ({', '.join('?' for _ in columns)})")
    with db:
        for start in range(1, events, BATCH):
            db.executemany(insert, ([f"E-{n:08d}" if c == "id" else row[c] for c in columns]
                                    for n in range(start, min(events, start + BATCH))))
    db.close()


def measure(src: Path, home: Path, args: list[str]) -> dict[str, float]:
    """Peak RSS (MiB), first-row and total seconds, and output lines of one run."""
    command = ["/usr/bin/time", "-f", "%M", *cli(src, home, *args)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env_for(src), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(1)
    first_s = time.perf_counter() - start
    lines = first.count(b"\n")
    while chunk := proc.stdout.read(1 << 20):
        lines += chunk.count(b"\n")
    err = proc.stderr.read().decode()
    proc.wait()
    total = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{args} exited {proc.returncode}: {err[-400:]}")
    rss_kib = int(err.strip().splitlines()[-1])
    opened = [float(line.split()[1]) for line in err.splitlines() if line.startswith("after-open")]
    return {"rss_mib": round(rss_kib / 1024, 1), "first_row_s": round(first_s, 3),
            "after_open_s": round(opened[0], 4) if opened else float("nan"),
            "total_s": round(total, 2), "lines": lines}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--before-events", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--after", type=Path, default=HERE.parent / "src")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the workspaces here")
    opts = parser.parse_args()
    root = opts.keep or Path(tempfile.mkdtemp(prefix="list-paging-"))
    homes = {}
    for n in sorted({opts.events, opts.before_events}):
        homes[n] = root / f"ws-{n}"
        if not (homes[n] / ".flywheel").exists():
            t0 = time.perf_counter()
            build(opts.after.resolve(), homes[n], n)
            print(f"# built {n:,} events in {time.perf_counter() - t0:.1f} s", flush=True)
    cases = {
        "help": (opts.after, homes[opts.events], ["--help"]),
        f"before json @{opts.before_events}": (opts.before, homes[opts.before_events],
                                               ["feedback", "list", "--json"]),
        f"after all-json @{opts.before_events}": (opts.after, homes[opts.before_events],
                                                  ["feedback", "list", "--all", "--json"]),
        f"after all-json @{opts.events}": (opts.after, homes[opts.events],
                                           ["feedback", "list", "--all", "--json"]),
        f"after page json @{opts.events}": (opts.after, homes[opts.events],
                                            ["feedback", "list", "--json"]),
        f"after 1 row json @{opts.events}": (opts.after, homes[opts.events],
                                             ["feedback", "list", "--json", "--limit", "1"]),
        f"after page table @{opts.events}": (opts.after, homes[opts.events],
                                             ["feedback", "list"]),
    }
    results: dict[str, list[dict[str, float]]] = {k: [] for k in cases}
    print(f"# load average at start: {os.getloadavg()}", flush=True)
    for r in range(opts.repeats):
        for name, (src, home, args) in cases.items():
            figure = measure(src, home, args)
            results[name].append(figure)
            print(json.dumps({"case": name, "run": r, **figure}), flush=True)
    print(f"# load average at end: {os.getloadavg()}")
    print(f"{'case':34} {'peak RSS MiB':>12} {'first row s':>11} {'after open s':>12} "
          f"{'total s':>8} {'lines':>8}")
    for name, runs in results.items():
        med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        print(f"{name:34} {med['rss_mib']:12.1f} {med['first_row_s']:11.3f} "
              f"{med['after_open_s']:12.4f} {med['total_s']:8.2f} {int(med['lines']):8d}")


if __name__ == "__main__":
    main()
