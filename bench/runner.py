#!/usr/bin/env python3
"""Run benchmark methods N times each, every run its own process under /usr/bin/time -v.

The same JSON-lines format as ../shared/bench/run_bench.py (so its summarize.py reads it), plus
what a shared 2-core machine needs to judge a timing: user and system CPU seconds, the share of a
CPU the run got, and the 1-minute load average when it started.

    venv/bin/python runner.py --file data/corpus.jsonl --valid-file data/corpus.valid.jsonl \\
        --pairs data/corpus.pairs.tsv --out results_200k.jsonl --runs 3 \\
        msgspec_typed py_all_gates fw_gate_single fw_near

A method is one of ours (`fw_*`, see bench_flywheel.py, run with --ours-python), an external one
of the shared runner (datatrove_*, gx_validate, cat) or a method of the shared bench.py.
Guarantee: every run appends exactly one line (a timeout or a crash is a line with `error`/`rc`),
so a missing figure is visible, never silently absent.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "bench"  # REPO_ROOT.parent / "shared" / "bench"
sys.path.insert(0, str(SHARED))

import run_bench  # the shared runner: external commands, polars file rule


def command(method: str, path: str, a: argparse.Namespace, report: str) -> list[str]:
    """The command line that runs one method on one file (ours write their report to `report`,
    scored afterwards by `score_command`, outside the timing)."""
    if method.startswith("fw_"):
        return [a.ours_python, str(HERE / "bench_flywheel.py"), method, path, "--plan", a.plan,
                "--report", report]
    ext = run_bench.external(method, argparse.Namespace(
        file=path, dt_python=a.dt_python, gx_python=a.gx_python))
    if ext:
        return ext
    return [a.python, str(SHARED / "bench.py"), method, path] + (
        ["--pairs", a.pairs] if a.pairs else [])


def parse_time_v(stderr: str) -> dict[str, float]:
    """Wall seconds, peak RSS (MB), user/system CPU seconds and CPU share from `time -v`."""
    wall, rss_kb = run_bench.parse_time_v(stderr)

    def num(label: str) -> float:
        m = re.search(re.escape(label) + r": ([\d.]+)", stderr)
        return float(m.group(1)) if m else float("nan")

    return {"wall_s": round(wall, 3), "peak_rss_mb": round(rss_kb / 1024, 1),
            "user_s": num("User time (seconds)"), "sys_s": num("System time (seconds)"),
            "cpu_percent": num("Percent of CPU this job got")}


def last_json_line(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                return dict(json.loads(line))
            except json.JSONDecodeError:
                return None
    return None


def run_once(method: str, run: int, path: str, a: argparse.Namespace) -> dict[str, Any]:
    """One timed run; the record always has `method`, `run`, `file`, and `rc` or `error`."""
    with tempfile.TemporaryDirectory(prefix="fw_runner_") as tmp:
        rec = timed_once(method, run, path, a, str(Path(tmp) / "report.json"))
        if method.startswith("fw_") and rec.get("rc") == 0 and rec.get("result") is not None:
            scored = subprocess.run(
                [a.ours_python, str(HERE / "bench_flywheel.py"), method, path,
                 "--score-report", str(Path(tmp) / "report.json")],
                capture_output=True, text=True, check=False)
            score = last_json_line(scored.stdout)
            if scored.returncode != 0 or score is None:
                rec["error"] = "scoring failed"
                rec["stderr_tail"] = scored.stderr[-3000:]
            else:
                rec["result"].update(score)
    return rec


def timed_once(method: str, run: int, path: str, a: argparse.Namespace, report: str
               ) -> dict[str, Any]:
    cmd = command(method, path, a, report)
    rec: dict[str, Any] = {"method": method, "run": run, "file": Path(path).name,
                           "loadavg_1m": round(os.getloadavg()[0], 2),
                           "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())}
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                           timeout=a.timeout, check=False)
    except subprocess.TimeoutExpired:
        rec["error"] = f"timeout after {a.timeout}s"
        return rec
    rec["wall_precise_s"] = round(time.perf_counter() - t0, 3)
    rec["rc"] = p.returncode
    try:
        rec.update(parse_time_v(p.stderr))
    except AttributeError:  # no `time -v` block: the command could not start
        rec["error"] = "no /usr/bin/time output"
    rec["result"] = last_json_line(p.stdout)
    if p.returncode != 0 or rec["result"] is None:
        rec["stderr_tail"] = p.stderr[-3000:]
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--file", required=True)
    ap.add_argument("--valid-file")
    ap.add_argument("--pairs")
    ap.add_argument("--plan", default=str(HERE / "corpus.plan.yaml"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--interleave", action="store_true",
                    help="run 0 of every method, then run 1 of every method, ...: methods compared "
                         "with each other then meet the same load on a shared machine")
    ap.add_argument("--tag", help="label stored with every run (e.g. 'paired')")
    ap.add_argument("--python", default=str(HERE / "venv" / "bin" / "python"))
    ap.add_argument("--dt-python", default=str(HERE / "venv-dt" / "bin" / "python"))
    ap.add_argument("--gx-python", default=str(HERE / "venv-gx" / "bin" / "python"))
    ap.add_argument("--ours-python", default=str(HERE.parent / ".venv" / "bin" / "python"))
    a = ap.parse_args()
    subprocess.run(["cat", a.file], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    order = ([(m, r) for r in range(a.runs) for m in a.methods] if a.interleave
             else [(m, r) for m in a.methods for r in range(a.runs)])
    for m, r in order:
        path = a.valid_file if (m in run_bench.POLARS_READERS and a.valid_file) else a.file
        rec = run_once(m, r, path, a)
        if a.tag:
            rec["tag"] = a.tag
        with open(a.out, "a") as fo:
            fo.write(json.dumps(rec) + "\n")
        print(json.dumps({k: rec.get(k) for k in
                          ("method", "run", "file", "rc", "error", "wall_s", "user_s",
                           "peak_rss_mb", "loadavg_1m")}), flush=True)


if __name__ == "__main__":
    main()
