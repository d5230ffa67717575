#!/usr/bin/env python3
"""Peak RSS of one run of the bench plan with the report's default listing caps (what
`flywheel check` prints; bench_flywheel.py lists every cluster to score recall, which is report
memory, not index memory):

    /usr/bin/time -f "%M KB" .venv/bin/python bench/peak_rss.py FILE CHECKS ENGINE

CHECKS is `all` or a comma list of checks; ENGINE `single` or `local` (2 processes). Prints the
sampled peak of the whole process tree too (the local engine's helper)."""

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
        report = run_checks([sys.argv[1]], plan, engine=sys.argv[3], workers=2)
    print(
        sys.argv[1].rsplit("/", 1)[-1],
        sys.argv[2],
        sys.argv[3],
        report.records,
        "tree peak MiB",
        rss.peak_mb,
    )
