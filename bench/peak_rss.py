#!/usr/bin/env python3
"""Peak RSS of one run of the bench plan with the report's default listing caps (what
`flywheel check` prints; bench_flywheel.py lists every cluster to score recall, which is report
memory, not index memory):

    /usr/bin/time -f "%M KB" .venv/bin/python bench/peak_rss.py FILE CHECKS ENGINE [SHARD_MB]

CHECKS is `all` or a comma list of checks; ENGINE `single` or `local` (2 processes); SHARD_MB a
shard size for `local` (default: the engine's, 1-8 MB by input size). Prints the sampled peak of
the whole process tree too (the local engine's helper; PSS, see bench_flywheel.TreeRss).

Why SHARD_MB: a batch (4,096 records, ~50 MiB of decoded records and columns while the checks
read it) is the largest working set of a process, and a shard smaller than a batch makes smaller
batches. The local engine's default shards are 2.9 MB at 200k records (~3,000 records each) and
8 MB at 1M, so its default peaks differ by that step, not by index growth; with the same shard
size at both sizes, the difference is what the index adds per record."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flywheel import TreeRss, plan_for

from dataflywheel.checks.engines import run_checks
from dataflywheel.checks.plan import load_plan

if __name__ == "__main__":
    only = None if sys.argv[2] == "all" else tuple(sys.argv[2].split(","))
    plan = plan_for(load_plan(Path(__file__).resolve().parent / "corpus.plan.yaml"), only)
    with TreeRss() as rss:
        shard_bytes = int(sys.argv[4]) << 20 if len(sys.argv) > 4 else None
        report = run_checks(
            [sys.argv[1]], plan, engine=sys.argv[3], workers=2, shard_bytes=shard_bytes
        )
    print(
        sys.argv[1].rsplit("/", 1)[-1],
        sys.argv[2],
        sys.argv[3],
        report.records,
        "tree peak MiB",
        rss.peak_mb,
    )
