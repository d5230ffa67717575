"""How long a workspace command takes from the shell, before and after (issue 24), side by side.

Run by hand, never from the tests:

    python bench/cli_startup.py                      # demo workspace + 1M audit entries, 11 runs
    python bench/cli_startup.py --runs 5 --audit-entries 0
    python bench/cli_startup.py --before /tmp/before/src --after src

Each command is started as a fresh process, exactly as the `flywheel` console script runs it, once
with the old sources on PYTHONPATH (`--before`) and once with the new (`--after`), interleaved run
by run so load on a shared machine falls on both alike. Bytecode is cached in a folder of its own
(PYTHONPYCACHEPREFIX, one warm-up run per command and side first), as in an installed package;
no source tree is written to. Reported: median wall time and median CPU time (user + system of
the child, less sensitive to other people's load), the ratio to `flywheel --help` of the same side
and run, and the load average before and after.

Workspaces: the demo's (`flywheel demo --dir`, built with the new sources), and a copy of it
grown to `--audit-entries` audit entries. The extra entries continue the demo's chain: each is
hashed with `store.audit.entry_hash_of`, the function `append_audit` uses, and inserted with
one executemany per 20,000 rows through the audit table, so `flywheel audit verify` accepts the
chain (`--check-chain` runs it once). A read command's output must be the same before and after
(the benchmark stops if not); `requirements add` must succeed on both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENTRY = "import sys\nfrom dataflywheel.cli.main import run\nsys.argv[0] = 'flywheel'\nsys.exit(run())\n"
BATCH = 20_000


def commands(home: Path) -> dict[str, tuple[list[str], bool]]:
    """name -> (arguments, whether its output must match between before and after)."""
    ws = ["--home", str(home)]
    return {
        "--help": (["--help"], True),
        "people list": (ws + ["people", "list"], True),
        "requirements show": (ws + ["requirements", "show", "REQ-0001"], True),
        "requirements add": (ws + ["requirements", "add", "bench requirement", "--project", "P-K12",
                                   "--requester", "demo", "--priority", "P2"], False),
        "trace": (ws + ["trace"], True),
    }


def env_for(src: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(src), "PYTHONPYCACHEPREFIX": str(cache), "COLUMNS": "120"}
    return env


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall s, child CPU s, exit code, stdout) of one fresh `flywheel ARGS` process."""
    before = os.times()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, done.returncode, done.stdout


def grow_audit(home: Path, entries: int, src: Path) -> None:
    """Append `entries` audit entries to the chain of the workspace at `home` (see module doc)."""
    script = f"""
import sys
from datetime import timedelta
from sqlalchemy import insert
from dataflywheel.settings import Settings
from dataflywheel.store.audit import _TABLE, _head_row, entry_hash_of
from dataflywheel.store.session import Database

db = Database(Settings(home={str(home)!r}).db_url)
with db.unit_of_work() as s:
    head = _head_row(s)
    seq, prev, start = head.seq, head.entry_hash, head.at
    rows = []
    for i in range(1, {entries} + 1):
        fields = {{"seq": seq + i, "at": start + timedelta(microseconds=i), "actor": "demo",
                  "action": "bench.note", "record_kind": "bench", "record_id": f"B-{{i}}",
                  "before_digest": None, "after_digest": None, "reason": None, "prev_hash": prev}}
        prev = fields["entry_hash"] = entry_hash_of(fields)
        rows.append(fields)
        if len(rows) == {BATCH}:
            s.execute(insert(_TABLE), rows)
            rows = []
    if rows:
        s.execute(insert(_TABLE), rows)
db.dispose()
"""
    subprocess.run([sys.executable, "-c", script], env=env_for(src, home.parent / "pyc"), check=True)


def build(tmp: Path, src: Path, audit_entries: int, check_chain: bool) -> dict[str, Path]:
    env = env_for(src, tmp / "pyc")
    demo = tmp / "demo"
    subprocess.run([sys.executable, "-c", ENTRY, "demo", "--dir", str(demo)], env=env, check=True,
                   capture_output=True)
    homes = {"demo": demo}
    if audit_entries:
        big = tmp / "audit"
        shutil.copytree(demo, big)
        start = time.perf_counter()
        grow_audit(big, audit_entries, src)
        print(f"# grew a copy of the demo by {audit_entries:,} audit entries in "
              f"{time.perf_counter() - start:.0f} s", flush=True)
        if check_chain:
            done = subprocess.run([sys.executable, "-c", ENTRY, "--home", str(big), "audit", "verify"],
                                  env=env, capture_output=True, text=True, check=False)
            print(f"# audit verify: exit {done.returncode}: {done.stdout.strip()[:200]}", flush=True)
        homes[f"{audit_entries:,} audit entries"] = big
    return homes


def bench(homes: dict[str, Path], sides: dict[str, Path], runs: int, cache: Path) -> None:
    envs = {side: env_for(src, cache) for side, src in sides.items()}
    for label, home in homes.items():
        cmds = commands(home)
        wall: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        outputs: dict[tuple[str, str], str] = {}
        for name, (args, _) in cmds.items():  # warm-up: bytecode written, files in the page cache
            for side, env in envs.items():
                run_once(args, env)
        for _ in range(runs):
            for name, (args, same) in cmds.items():
                for side, env in envs.items():
                    w, c, code, out = run_once(args, env)
                    if code != 0:
                        raise SystemExit(f"{side} {name} on {label} exited {code}")
                    wall.setdefault((name, side), []).append(w)
                    cpu.setdefault((name, side), []).append(c)
                    if same:
                        outputs.setdefault((name, side), out)
        for name, (_, same) in cmds.items():
            if same and len({outputs[(name, side)] for side in sides}) != 1:
                raise SystemExit(f"{name} on {label}: the output differs between the sides")
        report(label, cmds, sides, wall, cpu, runs)


def report(label: str, cmds: dict[str, tuple[list[str], bool]], sides: dict[str, Path],
           wall: dict[tuple[str, str], list[float]], cpu: dict[tuple[str, str], list[float]],
           runs: int) -> None:
    print(f"\n## {label} (median of {runs}; wall s / CPU s; x help = wall over --help's, same side)")
    head = " | ".join(f"{side} wall | {side} CPU | {side} x help" for side in sides)
    print(f"| command | {head} |")
    print("|---" * (1 + 3 * len(sides)) + "|")
    med = {key: statistics.median(values) for key, values in wall.items()}
    for name in cmds:
        cells = []
        for side in sides:
            ratios = [w / h for w, h in zip(wall[(name, side)], wall[("--help", side)], strict=True)]
            cells.append(f"{med[(name, side)]:.3f} | {statistics.median(cpu[(name, side)]):.3f} | "
                         f"{statistics.median(ratios):.2f}")
        print(f"| {name} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--after", type=Path, default=REPO / "src")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--audit-entries", type=int, default=1_000_000)
    parser.add_argument("--check-chain", action="store_true", help="run audit verify on the grown copy")
    opts = parser.parse_args()
    sides = {"before": opts.before.resolve(), "after": opts.after.resolve()}
    with tempfile.TemporaryDirectory(prefix="cli-startup-") as name:
        tmp = Path(name)
        print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()}, "
              f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}", flush=True)
        homes = build(tmp, sides["after"], opts.audit_entries, opts.check_chain)
        bench(homes, sides, opts.runs, tmp / "pyc")
        print(f"\n# load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
