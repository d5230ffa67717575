#!/usr/bin/env python3
"""`audit verify`, microseconds per entry: the code before issue 24 and ours, in the same run.

    PYTHONPATH=src .venv/bin/python bench/audit_verify.py [--sizes 200000,1000000] [--runs 3]
        --before SRC [--postgres postgresql+psycopg://…/db]

Builds (once, under bench/data/, kept between runs) a chain of N entries, signs its head at
entry N, then appends 1,000 more. Each measurement runs in a fresh child process, importing the
code under test from its own PYTHONPATH, and times only the call itself (wall and CPU):

- before, full: `verify_chain` of the old code (`--before`: the src/ of a checkout of it);
- after, full: `verify_chain` of ours;
- after, incremental: `verify_after_head` from the head at N (1,001 entries: the head and the new).

Runs are interleaved (before, after, incremental; repeated), the median is printed with the load
average at the start and end: the machine is shared, so compare figures from the same run only.
With `--postgres URL` the same chain is built in that (empty, scratch) database's
`audit_entries` table, replacing what is there, and measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NEW = 1_000

CHILD = """
import json, sys, time
from dataflywheel.store.session import Database
from dataflywheel.store import audit
db = Database(sys.argv[1])
with db.session() as session:
    mode = sys.argv[2]
    if mode == "incremental":
        head = json.loads(open(sys.argv[3]).read())
        public = audit.load_public_key(head["public_key"])
        wall, cpu = time.perf_counter(), time.process_time()
        walk = audit.verify_after_head(session, head, public)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        problems, entries = walk.problems, walk.checked
    else:
        wall, cpu = time.perf_counter(), time.process_time()
        problems = audit.verify_chain(session)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        entries = session.execute(__import__("sqlalchemy").text(
            "SELECT count(*) FROM audit_entries")).scalar_one()
print(json.dumps({"wall": wall, "cpu": cpu, "entries": entries, "problems": len(problems)}))
"""


def build(url: str, size: int, head_path: Path, key_path: Path) -> None:
    """A chain of `size` entries, its head signed, then `NEW` more (hashes by the definition)."""
    from sqlalchemy import delete, insert

    from dataflywheel.store import audit
    from dataflywheel.store.session import Database
    from dataflywheel.store.tables.audit import GENESIS_HASH, AuditEntryRow

    table = AuditEntryRow.__table__
    db = Database(url)
    table.create(db.engine, checkfirst=True)
    with db.unit_of_work() as session:
        session.execute(delete(table))
    start, prev = datetime(2026, 1, 1, tzinfo=UTC), GENESIS_HASH

    def rows(first: int, last: int) -> list[dict[str, object]]:
        nonlocal prev
        out = []
        for i in range(first, last + 1):
            fields: dict[str, object] = {
                "seq": i, "at": start + timedelta(seconds=i, microseconds=i % 997),
                "actor": f"person-{i % 7}", "action": "feedback.ingest", "record_kind": "feedback",
                "record_id": f"FB-{i:07d}",
                "before_digest": None if i % 3 else audit.digest({"id": i, "state": "new"}),
                "after_digest": audit.digest({"id": i, "state": "triaged", "text": "数学 «é»"}),
                "reason": None if i % 2 else f"import of lot {i % 10} — «résumé»", "prev_hash": prev,
            }
            fields["entry_hash"] = prev = audit.entry_hash_of(fields)
            out.append(fields)
        return out

    def append(first: int, last: int) -> None:
        for low in range(first, last + 1, 20_000):
            with db.unit_of_work() as session:
                session.execute(insert(table), rows(low, min(low + 19_999, last)))

    append(1, size)
    with db.session() as session:
        head_path.write_text(json.dumps(audit.export_head(session, key_path)))
    append(size + 1, size + NEW)
    db.dispose()


def measure(pythonpath: Path, url: str, mode: str, head_path: Path) -> dict[str, float]:
    env = os.environ | {"PYTHONPATH": str(pythonpath)}
    done = subprocess.run([sys.executable, "-c", CHILD, url, mode, str(head_path)], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, required=True,
                        help="src/ of the code to compare against, e.g. a checkout made with `git worktree add /tmp/before COMMIT`")
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    data = HERE / "data" / "audit_verify"
    data.mkdir(parents=True, exist_ok=True)
    key = data / "audit.key"
    print("load at start:", os.getloadavg())
    for size in (int(s) for s in args.sizes.split(",")):
        targets = [("sqlite", f"sqlite:///{data / f'chain-{size}.db'}", data / f"head-{size}.json")]
        if args.postgres:
            targets.append(("postgres", args.postgres, data / f"head-{size}-pg.json"))
        for backend, url, head in targets:
            if backend != "sqlite" or not head.exists():
                build(url, size, head, key)
            runs: dict[str, list[dict[str, float]]] = {"before full": [], "after full": [],
                                                       "after incremental": []}
            for _ in range(args.runs):
                runs["before full"].append(measure(args.before, url, "full", head))
                runs["after full"].append(measure(REPO / "src", url, "full", head))
                runs["after incremental"].append(measure(REPO / "src", url, "incremental", head))
            for name, results in runs.items():
                entries = results[0]["entries"]
                assert all(r["problems"] == 0 for r in results), (name, results)
                walls = ", ".join(f"{r['wall']:.3f}" for r in results)
                wall = statistics.median(r["wall"] for r in results)
                cpu = statistics.median(r["cpu"] for r in results)
                print(f"{backend:8} {size + NEW:>9,} entries  {name:18} {entries:>9,} checked  "
                      f"median {wall:7.3f} s wall, {wall / entries * 1e6:6.2f} µs/entry wall, "
                      f"{cpu / entries * 1e6:6.2f} µs/entry CPU  (walls: {walls})", flush=True)
    print("load at end:", os.getloadavg())


if __name__ == "__main__":
    main()
